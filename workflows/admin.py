from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from .models import CalendarOverride, CalendarYear, WorkflowVersion
from .selectors import calendar_cache_clear


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """The province's days off and make-up working days, over the national calendar.

    Saves and deletes clear this process's calendar once the transaction commits; other
    processes see the change through `working_calendar()`'s version check.
    """

    list_display = ("date", "kind", "reason")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("reason",)
    readonly_fields = ("updated_at",)

    def save_model(
        self, request: HttpRequest, obj: CalendarOverride, form: ModelForm[CalendarOverride], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        transaction.on_commit(calendar_cache_clear)

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        super().delete_model(request, obj)
        transaction.on_commit(calendar_cache_clear)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        super().delete_queryset(request, queryset)
        transaction.on_commit(calendar_cache_clear)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Which years' calendars are confirmed, by which letter (the year page /quan-tri/lich/ is the main editor)."""

    list_display = ("year", "letter_number", "letter_date", "confirmed_by", "updated_at")
    readonly_fields = ("updated_at",)
    raw_id_fields = ("confirmed_by",)

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: ModelForm[CalendarYear], change: bool) -> None:
        super().save_model(request, obj, form, change)
        transaction.on_commit(calendar_cache_clear)

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        super().delete_model(request, obj)
        transaction.on_commit(calendar_cache_clear)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        super().delete_queryset(request, queryset)
        transaction.on_commit(calendar_cache_clear)


@admin.register(WorkflowVersion)
class WorkflowVersionAdmin(admin.ModelAdmin):
    """Read-only view of every version; edit drafts in the workflow editor (/quan-tri/quy-trinh/)."""

    list_display = ("workflow", "number", "state", "published_at")
    list_filter = ("state",)
    search_fields = ("workflow__procedure__code", "workflow__name")
    readonly_fields = ("workflow", "number", "state", "definition", "published_at", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WorkflowVersion | None = None) -> bool:
        return False
