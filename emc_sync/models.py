from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.models import Attachment, Dossier, DossierEvent

from .constants import AttemptOutcome, BreakerState, OutboxState, Receiver, Target


class OutboxRow(models.Model):
    """One record owed to one outside system, written in the transaction of the dossier change.

    `payload` is built once, at the change, by emc_sync.mapping: the record says what was true
    then. Delivery (emc_sync.delivery) moves `state` pending → sending → delivered, or back to
    pending with a later `next_attempt_at` (network error, 5xx), or to failed (4xx, or a payload
    that fails our own schema). An unsent older dossier snapshot becomes superseded when a newer
    one of the same dossier exists.
    """

    target = models.CharField(_("đích"), max_length=20, choices=Target.choices)
    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        DossierEvent, verbose_name=_("sự kiện"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The dossier event's sequence: the order in which the receiver must apply the records.
    sequence = models.PositiveIntegerField(_("thứ tự trong hồ sơ"))
    idempotency_key = models.CharField(_("khóa chống trùng"), max_length=100, unique=True)
    payload = models.JSONField(_("nội dung"))
    state = models.CharField(_("trạng thái"), max_length=20, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField(_("số lần đã gửi"), default=0)
    # Retries since the row last went out on a healthy receiver: its backoff grows with this, and
    # the breaker resets it when the receiver answers again after an outage (emc_sync.breaker).
    retry_streak = models.PositiveIntegerField(_("số lần lỗi liên tiếp"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lần tới lúc"), default=timezone.now)
    # Set while a worker holds the row (state sending); past it, the sweeper takes the row back.
    lease_expires_at = models.DateTimeField(_("hết hạn giữ lúc"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("mã trả lời HTTP gần nhất"), null=True, blank=True)
    last_response = models.TextField(_("trả lời gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    delivered_at = models.DateTimeField(_("gửi thành công lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("bản ghi chờ đồng bộ")
        verbose_name_plural = _("hàng đợi đồng bộ")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(state=OutboxState.PENDING),
                name="outbox_pending_due_idx",
            ),
            models.Index(
                fields=["lease_expires_at"],
                condition=models.Q(state=OutboxState.SENDING),
                name="outbox_sending_lease_idx",
            ),
            models.Index(fields=["dossier", "target", "sequence"], name="outbox_dossier_order_idx"),
            models.Index(fields=["target", "state", "created_at"], name="outbox_target_state_idx"),
            models.Index(
                fields=["target", "delivered_at"],
                condition=models.Q(state=OutboxState.DELIVERED),
                name="outbox_delivered_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class ReceiverHealth(models.Model):
    """A receiver's circuit breaker (emc_sync.breaker): closed, open until `probe_at`, or half open."""

    receiver = models.CharField(_("nơi nhận dữ liệu"), max_length=20, choices=Receiver.choices, unique=True)
    state = models.CharField(_("trạng thái"), max_length=20, choices=BreakerState.choices, default=BreakerState.CLOSED)
    failures_in_a_row = models.PositiveIntegerField(_("số lần không trả lời liên tiếp"), default=0)
    open_seconds = models.FloatField(_("thời gian tạm ngừng (giây)"), default=0)
    opened_at = models.DateTimeField(_("tạm ngừng từ"), null=True, blank=True)
    # Open: when one drain may send a probe; half open: when the probe's lease runs out.
    probe_at = models.DateTimeField(_("thử lại lúc"), null=True, blank=True)
    last_answer_at = models.DateTimeField(_("trả lời lần cuối lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tình trạng nơi nhận")
        verbose_name_plural = _("tình trạng nơi nhận")

    def __str__(self) -> str:
        return f"{self.receiver}: {self.state}"


class DeliveryAttempt(models.Model):
    """Every time a row was offered to the receiver (or refused by our own schema), kept."""

    row = models.ForeignKey(OutboxRow, on_delete=models.CASCADE, related_name="delivery_attempts")
    at = models.DateTimeField(_("lúc"), default=timezone.now)
    outcome = models.CharField(_("kết quả"), max_length=20, choices=AttemptOutcome.choices)
    status_code = models.PositiveSmallIntegerField(_("mã trả lời HTTP"), null=True, blank=True)
    response = models.TextField(_("trả lời"), blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    duration_ms = models.PositiveIntegerField(_("thời gian (ms)"), default=0)

    class Meta:
        verbose_name = _("lần gửi")
        verbose_name_plural = _("các lần gửi")
        ordering = ["row_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.row_id} {self.outcome}"


class InboundCursor(models.Model):
    """Where we stopped reading a feed of the national portal: ours, so an outage loses nothing."""

    name = models.CharField(max_length=50, unique=True)
    value = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vị trí đọc hồ sơ từ Cổng DVCQG")
        verbose_name_plural = _("vị trí đọc hồ sơ từ Cổng DVCQG")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class InboundKind(models.TextChoices):
    """The messages of the national portal's inbound feed (docs/national-sync.md, "Inbound")."""

    DOSSIER = "HoSo", _("Hồ sơ chuyển về")
    WITHDRAWAL = "RutHoSo", _("Công dân rút hồ sơ trên Cổng DVCQG")
    SUPPLEMENT = "BoSungHoSo", _("Công dân bổ sung hồ sơ trên Cổng DVCQG")


class InboundFailure(models.Model):
    """Quarantine: a message of the inbound feed we could not apply, kept with the reason for the
    admins (Django admin, the sync page) and retried, in arrival order per dossier, when fixed.

    Nothing of it was created (each message is applied in one transaction). While a dossier has
    a message here, its later messages wait here too, behind it; a dossier record forwarded again
    replaces the waiting one (the newest record is the whole dossier)."""

    remote_code = models.CharField(_("mã hồ sơ quốc gia"), max_length=100, db_index=True)
    kind = models.CharField(_("loại bản tin"), max_length=16, choices=InboundKind.choices, default=InboundKind.DOSSIER)
    payload = models.JSONField(_("nội dung nhận được"))
    error = models.TextField(_("lý do"))
    # A passing fault (a file host that did not answer): the next poll tries again by itself.
    transient = models.BooleanField(_("lỗi tạm thời"), default=False)
    attempts = models.PositiveIntegerField(_("số lần"), default=1)
    created_at = models.DateTimeField(_("lúc"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("thử lần cuối lúc"), default=timezone.now)
    resolved_at = models.DateTimeField(_("đã xử lý lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ từ Cổng DVCQG chưa nhận được")
        verbose_name_plural = _("hồ sơ từ Cổng DVCQG chưa nhận được (cách ly)")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["remote_code"],
                condition=models.Q(kind="HoSo", resolved_at__isnull=True),
                name="inbound_failure_one_waiting_record",
            )
        ]

    def __str__(self) -> str:
        return self.remote_code


class NationalDossier(models.Model):
    """What Cổng DVCQG told us of a dossier it forwarded: kept under its MaHoSo (the dossier's own
    code), with the national applicant id, the channel and the last record forwarded."""

    dossier = models.OneToOneField(Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="national")
    national_code = models.CharField(_("mã hồ sơ quốc gia"), max_length=40, unique=True)
    applicant_national_id = models.CharField(_("mã đối tượng trên Cổng DVCQG (MaDoiTuong)"), max_length=64, blank=True)
    channel_code = models.PositiveSmallIntegerField(_("kênh thực hiện (KenhThucHien)"), default=2)
    record = models.JSONField(_("bản ghi nhận lần cuối"))
    record_sha256 = models.CharField(max_length=64)
    deliveries = models.PositiveIntegerField(_("số lần nhận"), default=1)
    updates = models.PositiveIntegerField(_("số lần cập nhật"), default=0)
    first_delivered_at = models.DateTimeField(_("nhận lần đầu lúc"), default=timezone.now)
    last_delivered_at = models.DateTimeField(_("nhận lần cuối lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("hồ sơ từ Cổng DVCQG")
        verbose_name_plural = _("hồ sơ từ Cổng DVCQG")

    def __str__(self) -> str:
        return self.national_code


class NationalFile(models.Model):
    """A file of a forwarded dossier, fetched from Cổng DVCQG: its national id and address."""

    attachment = models.OneToOneField(Attachment, on_delete=models.CASCADE, related_name="national_file")
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    national_id = models.CharField(_("mã tệp trên Cổng DVCQG (TepDinhKemId)"), max_length=64)
    source_url = models.URLField(_("đường dẫn tải tệp"), max_length=2000)

    class Meta:
        verbose_name = _("tệp từ Cổng DVCQG")
        verbose_name_plural = _("tệp từ Cổng DVCQG")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "national_id"], name="national_file_once_per_dossier")
        ]

    def __str__(self) -> str:
        return self.national_id
