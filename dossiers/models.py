from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from eforms.models import FormVersion
from procedures.models import Agency, Procedure
from workflows.models import WorkflowVersion

from .constants import RUNNING, Action, ApplicantType, Channel, DocumentKind, PauseKind, Status


class Dossier(models.Model):
    """Hồ sơ: one application for one procedure, from submission to the returned result.

    `status` and `step_key` have exactly one writer: dossiers.services (the lifecycle
    service); a test checks that no other code assigns them.
    """

    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="dossiers"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan tiếp nhận"), on_delete=models.PROTECT, related_name="dossiers"
    )
    channel = models.CharField(_("kênh nộp"), max_length=20, choices=Channel.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản người nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    applicant_type = models.PositiveSmallIntegerField(
        _("loại đối tượng"), choices=ApplicantType.choices, default=ApplicantType.CITIZEN
    )
    applicant_name = models.CharField(_("chủ hồ sơ"), max_length=255)
    applicant_id_number = models.CharField(_("số giấy tờ của chủ hồ sơ"), max_length=20, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    summary = models.CharField(_("trích yếu"), max_length=1000, blank=True)
    form_data = models.JSONField(_("dữ liệu tờ khai"), default=dict, blank=True)
    # The exact e-form version the data was filled with: old dossiers render as they were filed.
    form_version = models.ForeignKey(
        FormVersion,
        verbose_name=_("phiên bản biểu mẫu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    workflow_version = models.ForeignKey(
        WorkflowVersion, verbose_name=_("phiên bản quy trình"), on_delete=models.PROTECT, related_name="dossiers"
    )
    step_key = models.CharField(_("bước hiện tại"), max_length=50)
    # Copied from the workflow step, so "dossiers at my step" is one indexed query.
    step_role = models.CharField(_("vai trò xử lý bước hiện tại"), max_length=30)
    status = models.PositiveSmallIntegerField(_("trạng thái"), choices=Status.choices, db_index=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý gần nhất"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    submitted_at = models.DateTimeField(_("nộp lúc"))
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xử lý xong lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            # One ordered index per queue shape (bench/officer_queue.py, 1M dossiers): every page
            # reads its 20 rows from the index instead of sorting the agency's dossiers.
            models.Index(fields=["agency", "status", "due_at", "id"], name="dossier_queue_idx"),
            models.Index(fields=["agency", "due_at", "id"], name="dossier_agency_due_idx"),
            models.Index(
                fields=["agency", "due_at", "id"],
                condition=models.Q(status__in=RUNNING),
                name="dossier_running_due_idx",
            ),
            models.Index(
                fields=["agency", "step_role", "due_at", "id"],
                condition=models.Q(status__in=(*RUNNING, Status.PROCESSED)),
                name="dossier_step_queue_idx",
            ),
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_number_idx"),
            models.Index(fields=["applicant", "-submitted_at"], name="dossier_applicant_idx"),
        ]

    def __str__(self) -> str:
        return self.code


class DossierEvent(models.Model):
    """One immutable line of a dossier's history: who did what, when, from where to where."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    sequence = models.PositiveIntegerField(_("thứ tự"))
    action = models.CharField(_("thao tác"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("vai trò"), max_length=30, blank=True)
    at = models.DateTimeField(_("thời điểm"))
    from_status = models.PositiveSmallIntegerField(_("từ trạng thái"), choices=Status.choices, null=True)
    to_status = models.PositiveSmallIntegerField(_("sang trạng thái"), choices=Status.choices)
    from_step = models.CharField(_("từ bước"), max_length=50, blank=True)
    to_step = models.CharField(_("sang bước"), max_length=50, blank=True)
    comment = models.TextField(_("ý kiến"), blank=True)
    data = models.JSONField(_("dữ liệu kèm theo"), default=dict, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("nhật ký xử lý")
        verbose_name_plural = _("nhật ký xử lý")
        ordering = ["dossier_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["dossier", "sequence"], name="dossier_event_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.sequence} {self.action}"

    @property
    def action_label(self) -> str:
        if self.action == "submit":
            return str(_("Nộp hồ sơ"))
        if self.action == "apologise":
            return str(_("Xin lỗi, hẹn lại ngày trả kết quả"))
        return str(Action(self.action).label) if self.action in Action.values else self.action


class DossierPause(models.Model):
    """A period the clock stops (waiting for the citizen's supplement); shifts the due date."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("loại"), max_length=20, choices=PauseKind.choices)
    started_at = models.DateTimeField(_("bắt đầu"))
    ended_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    resume_status = models.PositiveSmallIntegerField(_("trạng thái khi tiếp tục"), choices=Status.choices)
    due_before = models.DateTimeField(_("hẹn trả trước khi tạm dừng"), null=True, blank=True)
    due_after = models.DateTimeField(_("hẹn trả sau khi tiếp tục"), null=True, blank=True)
    reason = models.TextField(_("nội dung yêu cầu"), blank=True)

    class Meta:
        verbose_name = _("thời gian tạm dừng")
        verbose_name_plural = _("thời gian tạm dừng")
        ordering = ["dossier_id", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=models.Q(ended_at__isnull=True), name="dossier_one_open_pause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {self.started_at:%Y-%m-%d}"


class DossierCodeCounter(models.Model):
    """Last sequence number used for an agency's dossier codes on one day (taken under a row lock)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_code_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last_number}"


class DossierDocument(models.Model):
    """A legal form issued for a dossier, rendered once to PDF and kept.

    One row per (dossier, kind, event): rendering again for the same event returns the
    stored file, so a retried task never issues a second, different paper.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("mẫu"), max_length=2, choices=DocumentKind.choices)
    event = models.ForeignKey(
        DossierEvent,
        verbose_name=_("sự kiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    file = models.FileField(_("tệp PDF"), upload_to="dossier_documents/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    data = models.JSONField(_("dữ liệu bổ sung"), default=dict, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản, phiếu")
        verbose_name_plural = _("văn bản, phiếu")
        ordering = ["dossier_id", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "kind", "event"], name="dossier_document_once_per_event"),
            models.UniqueConstraint(
                fields=["dossier", "kind"],
                condition=models.Q(event__isnull=True),
                name="dossier_document_once_without_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} mẫu {self.kind}"
