from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from .models import CalendarOverride
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
