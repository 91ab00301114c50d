from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template import TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from common.constants import VersionState

from .documents.templates import form_template_publish
from .models import FormTemplate


@admin.register(FormTemplate)
class FormTemplateAdmin(admin.ModelAdmin):
    """Versions of the printed papers added by the province (a new circular): a draft is edited
    here and published with the action; a published version is read-only (publish a new one).
    The versions shipped with the portal (dossiers/documents/catalogue/) are not rows."""

    list_display = ("kind", "number", "title", "legal_basis", "effective_from", "state", "published_at")
    list_filter = ("kind", "state")
    readonly_fields = ("state", "published_at", "created_at")
    actions = ["publish"]

    def get_readonly_fields(self, request: HttpRequest, obj: FormTemplate | None = None) -> Any:
        if obj is not None and obj.state == VersionState.PUBLISHED:
            return [field.name for field in FormTemplate._meta.fields]
        return self.readonly_fields

    @admin.action(description=_("Ban hành các phiên bản mẫu đã chọn"))
    def publish(self, request: HttpRequest, queryset: QuerySet[FormTemplate]) -> None:
        for template in queryset:
            try:
                form_template_publish(template=template)
            except (TemplateSyntaxError, ValueError) as exc:
                self.message_user(request, f"{template}: {exc}", messages.ERROR)
