from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from common.errors import DomainError

from .inbound import inbound_retry
from .models import DeliveryAttempt, InboundFailure, NationalDossier, OutboxRow, ReceiverHealth
from .services import outbox_resend


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "outcome", "status_code", "response", "error", "duration_ms")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReceiverHealth)
class ReceiverHealthAdmin(admin.ModelAdmin):
    """The receivers' circuit breakers (emc_sync.breaker), read only: they follow the answers."""

    list_display = ("receiver", "state", "failures_in_a_row", "opened_at", "probe_at", "last_answer_at")
    readonly_fields = [f.name for f in ReceiverHealth._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
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
    list_display = ("remote_code", "kind", "error", "attempts", "transient", "created_at", "resolved_at")
    list_filter = (("resolved_at", admin.EmptyFieldListFilter), "kind", "transient")
    search_fields = ("remote_code",)
    readonly_fields = [f.name for f in InboundFailure._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # never dropped: a message is resolved by applying it

    @admin.action(description="Thử lại các bản tin đã chọn (sau khi khắc phục nguyên nhân)")
    def retry(self, request: HttpRequest, queryset: QuerySet[InboundFailure]) -> None:
        assert isinstance(request.user, User)
        ids = list(queryset.values_list("id", flat=True))
        try:
            result = inbound_retry(actor=request.user, failure_ids=ids)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        left = InboundFailure.objects.filter(pk__in=ids, resolved_at__isnull=True).count()
        level = messages.SUCCESS if not left else messages.WARNING
        self.message_user(request, f"Đã nhận {result.released} bản tin; còn {left} bản tin chờ.", level)


@admin.register(NationalDossier)
class NationalDossierAdmin(admin.ModelAdmin):
    list_display = ("national_code", "applicant_national_id", "deliveries", "updates", "last_delivered_at")
    search_fields = ("national_code", "applicant_national_id")
    readonly_fields = [f.name for f in NationalDossier._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
