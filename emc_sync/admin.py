from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from common.errors import DomainError

from .models import DeliveryAttempt, InboundFailure, OutboxRow
from .services import outbox_resend


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "outcome", "status_code", "response", "error", "duration_ms")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboxRow)
class OutboxRowAdmin(admin.ModelAdmin):
    list_display = ("idempotency_key", "target", "state", "attempts", "next_attempt_at", "last_status_code")
    list_filter = ("target", "state")
    search_fields = ("idempotency_key",)
    list_select_related = ("dossier",)
    readonly_fields = [f.name for f in OutboxRow._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Gửi lại các bản ghi bị từ chối đã chọn")
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxRow]) -> None:
        assert isinstance(request.user, User)
        try:
            count = outbox_resend(actor=request.user, row_ids=list(queryset.values_list("id", flat=True)))
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, f"Đã đưa {count} bản ghi vào hàng đợi gửi lại.", messages.SUCCESS)


@admin.register(InboundFailure)
class InboundFailureAdmin(admin.ModelAdmin):
    list_display = ("remote_code", "error", "attempts", "created_at", "resolved_at")
    list_filter = ("resolved_at",)
    readonly_fields = ("remote_code", "payload", "error", "attempts", "created_at", "resolved_at")
