import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.versioning import Version
from eforms.models import FormVersion
from procedures.constants import ResultDelivery
from procedures.models import Agency, DossierComponent, NationalDatabase, Procedure
from workflows.models import WorkflowVersion

from .constants import (
    RUNNING,
    AccessKind,
    ApplicantType,
    AttachmentRole,
    Channel,
    DocumentKind,
    EventKind,
    FormKind,
    ObligationSettlement,
    PauseKind,
    PaymentStatus,
    ReplacementState,
    ScanState,
    Status,
    StoredDocumentKind,
)
from .periods import processing_span


class Dossier(models.Model):
    """Hồ sơ: one application for one procedure, from submission to the returned result.

    `status` and `step_key` have exactly one writer: dossiers.services (the lifecycle
    service); a test checks that no other code assigns them.
    """

    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="dossiers"
    )
    # The competent agency (cơ quan giải quyết): its queues, its scope, its indicators.
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan giải quyết"), on_delete=models.PROTECT, related_name="dossiers"
    )
    # Where the dossier was (or is to be) handed in and its result collected (nơi tiếp nhận):
    # any one-stop desk of the province (Decree 118/2025, receipt regardless of administrative
    # boundary). Set on every submission; None only on rows written around the lifecycle
    # (COPY in benchmarks), which read as "received at the competent agency" (`receiving_unit`).
    receiving_agency = models.ForeignKey(
        Agency,
        verbose_name=_("nơi tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_dossiers",
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
    # How the applicant asked to receive the result (one of Procedure.result_delivery_ways() at
    # submission), and where to when by post. db_default: rows written by COPY (benchmarks) get "".
    result_delivery = models.CharField(
        _("cách thức nhận kết quả"),
        max_length=16,
        choices=ResultDelivery.choices,
        blank=True,
        default="",
        db_default="",
    )
    result_address = models.CharField(
        _("địa chỉ nhận kết quả qua bưu chính"), max_length=500, blank=True, default="", db_default=""
    )
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
    # When the national portal first accepted this dossier's record (Decision 766, indicator 1.4);
    # set by the national sync through dossiers.services.dossiers_mark_synced.
    national_synced_at = models.DateTimeField(_("đồng bộ lên Cổng DVCQG lúc"), null=True, blank=True)
    # When the population registry (CSDLQG về dân cư) confirmed the applicant's id number, name and
    # birth date (Decision 766, indicator 4.5, its second 2 points); set by dossiers.population.
    population_checked_at = models.DateTimeField(_("xác thực với CSDL dân cư lúc"), null=True, blank=True)
    # When the registry last answered about this dossier (whatever it said): a dossier filed with a
    # citizen id and never answered for is found by the sweep (the broker was down at filing).
    population_asked_at = models.DateTimeField(_("đã hỏi CSDL dân cư lúc"), null=True, blank=True)
    # The language the applicant filed in (settings.LANGUAGES): their mails and text messages use it.
    language = models.CharField(_("ngôn ngữ liên lạc"), max_length=10, default="vi", db_default="vi")
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
            # The receiving desk's view of dossiers it handed over (access.dossiers_received_filter).
            models.Index(
                fields=["receiving_agency", "due_at", "id"],
                condition=models.Q(receiving_agency__isnull=False),
                name="dossier_receiving_due_idx",
            ),
            models.Index(fields=["applicant", "-submitted_at"], name="dossier_applicant_idx"),
            # The 766 counts of one period (indicators.counts): the dossiers being processed during it.
            # PostgreSQL only (common.migration_operations.AddIndexOnline skips it on SQLite).
            GistIndex(
                processing_span(), condition=models.Q(received_at__isnull=False), name="dossier_processing_span_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def receiving_unit_id(self) -> int:
        """The receiving desk's agency id (the competent agency's own when none was recorded)."""
        return self.receiving_agency_id or self.agency_id

    @property
    def receiving_unit(self) -> Agency:
        return self.receiving_agency if self.receiving_agency_id is not None else self.agency  # type: ignore[return-value]

    @property
    def handed_over(self) -> bool:
        """Received at a desk other than the competent agency (Decree 118/2025)."""
        return self.receiving_unit_id != self.agency_id


class DossierEvent(models.Model):
    """One immutable line of a dossier's history: who did what, when, from where to where."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    sequence = models.PositiveIntegerField(_("thứ tự"))
    action = models.CharField(_("thao tác"), max_length=30, choices=EventKind.choices)
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
        # The notification resend sweep reads the last day of events (events_missing_notifications).
        indexes = [models.Index(fields=["at"], name="dossier_event_at_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.sequence} {self.action}"

    @property
    def action_label(self) -> str:
        return str(EventKind(self.action).label) if self.action in EventKind.values else self.action


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
    # Which template version printed it (FormTemplate.label): the legal basis, its effective date, the version.
    template_version = models.CharField(_("phiên bản mẫu"), max_length=200, blank=True, default="", db_default="")
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


class FormTemplate(Version):
    """One version of a printed paper's template (Circular 03/2025/TT-VPCP, Annex I, and later ones).

    The paper printed on a day is the published version in force that day: the latest
    `effective_from` on or before it (dossiers.documents.templates). A new circular is a new
    version with its own effective date; papers issued before it keep the version they were
    printed with. `body` and `closing` are Django template text, rendered inside the shared
    layout (templates/documents/base.html): `closing`, the last paragraph, is kept on one page
    with the signatures. A published version is never edited: publish a new one.
    """

    kind = models.CharField(_("mẫu"), max_length=2, choices=FormKind.choices)
    form_number = models.CharField(
        _("số hiệu mẫu"), max_length=10, blank=True, help_text=_("Ví dụ 01; để trống nếu không phải mẫu được đánh số.")
    )
    title = models.CharField(_("tên mẫu"), max_length=255)
    legal_basis = models.CharField(_("căn cứ ban hành"), max_length=255)
    effective_from = models.DateField(_("áp dụng từ ngày"))
    reference = models.CharField(_("dòng số, ký hiệu"), max_length=100, blank=True)
    body = models.TextField(_("nội dung"))
    closing = models.TextField(_("đoạn cuối"), blank=True)
    # [{"signer": "officer" | "applicant" | "head" | "blank", "title": "NGƯỜI TIẾP NHẬN HỒ SƠ",
    #   "note": "(Ký và ghi rõ họ tên)", "at_desk_only": false}]
    signatures = models.JSONField(_("chữ ký"), default=list, blank=True)
    recipients = models.JSONField(_("nơi nhận"), default=list, blank=True)
    # One printed copy per mark ("Liên 1: Giao người nộp hồ sơ"); none: a single copy without a mark.
    copies = models.JSONField(_("các liên"), default=list, blank=True)
    landscape = models.BooleanField(_("khổ ngang"), default=False)

    class Meta:
        verbose_name = _("mẫu văn bản, phiếu")
        verbose_name_plural = _("mẫu văn bản, phiếu")
        ordering = ["kind", "-effective_from", "-number"]
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="form_template_version_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.label}"

    @property
    def label(self) -> str:
        return f"{self.legal_basis}, áp dụng từ {self.effective_from:%d/%m/%Y}, phiên bản {self.number}"


class DossierDraft(models.Model):
    """Hồ sơ đang soạn: a citizen's e-form answers, files and payment before submission.

    Kept on the server so that it can be resumed on any device after login. `token` is the
    submission's idempotency key: submitting the same draft twice gives one dossier.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người soạn"), on_delete=models.CASCADE, related_name="drafts"
    )
    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan giải quyết"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where the applicant will hand in paper or collect the result (None: the competent agency).
    receiving_agency = models.ForeignKey(
        Agency, verbose_name=_("nơi nộp hồ sơ giấy, nhận kết quả"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    form_version = models.ForeignKey(
        FormVersion,
        verbose_name=_("phiên bản biểu mẫu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    form_data = models.JSONField(_("dữ liệu tờ khai"), default=dict, blank=True)
    current_step = models.CharField(_("bước đang điền"), max_length=100, blank=True)
    # The optional fees (procedures.Fee.optional) the applicant says apply to them.
    fees_chosen = models.JSONField(_("khoản phí áp dụng"), default=list, blank=True)
    dossier = models.OneToOneField(
        Dossier,
        verbose_name=_("hồ sơ đã nộp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="draft",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("lưu lúc"), auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ đang soạn")
        verbose_name_plural = _("hồ sơ đang soạn")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="draft_owner_idx")]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.token}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is ours (a UUID); the citizen's name is kept, sanitised, in `name`.
    return f"attachments/{instance.created_at:%Y/%m}/{instance.uuid}"


class StoredDocument(models.Model):
    """Kho dữ liệu cá nhân: a file the citizen gave before, or a result we issued ("provide once").

    One row per owner and content (sha256): offering the same file twice keeps one copy.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("chủ sở hữu"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("loại"), max_length=10, choices=StoredDocumentKind.choices)
    name = models.CharField(_("tên tệp"), max_length=255)
    title = models.CharField(_("tên giấy tờ"), max_length=500, blank=True)
    file = models.FileField(_("tệp"), upload_to="document_store/%Y/%m/")
    content_type = models.CharField(_("định dạng"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(max_length=64)
    source_dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("từ hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("lưu lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("kho dữ liệu cá nhân")
        ordering = ["owner_id", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["owner", "sha256"], name="stored_document_once_per_owner")]
        # An object in storage is shared by an upload and the owner's stored document: whether any
        # row still refers to it is asked by name (attachments.files_delete_unused).
        indexes = [models.Index(fields=["file"], name="stored_document_file_idx")]

    def __str__(self) -> str:
        return self.title or self.name


class Attachment(models.Model):
    """One file on a draft or a dossier, for one dossier component.

    The type was decided from the content, the size checked, the name sanitised before the
    row exists (dossiers.attachments). Files live under MEDIA_ROOT, which is never served
    directly: a view checks who may see the dossier, then streams the file.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    draft = models.ForeignKey(
        DossierDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    component = models.ForeignKey(
        DossierComponent,
        verbose_name=_("thành phần hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("loại"), max_length=20, choices=AttachmentRole.choices, default=AttachmentRole.FILED)
    # The supplement request this file answers (the request's event), when role is supplement.
    event = models.ForeignKey(DossierEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tải lên"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("tên tệp"), max_length=255)
    file = models.FileField(_("tệp"), upload_to=_attachment_path)
    content_type = models.CharField(_("định dạng"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(max_length=64)
    # National portal flags (TaiLieuNop): scanned at the desk, reused from the citizen's store,
    # taken from the national data store.
    digitised = models.BooleanField(_("được số hóa"), default=False)
    reused_from = models.ForeignKey(
        StoredDocument,
        verbose_name=_("lấy từ kho dữ liệu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reuses",
    )
    from_national_store = models.BooleanField(_("lấy từ kho dữ liệu quốc gia"), default=False)
    # What sanitising took out of the citizen's file (JavaScript, embedded files, EXIF), for the officer.
    sanitised = models.CharField(_("đã loại bỏ khi kiểm tra an toàn"), max_length=500, blank=True)
    # Waiting: received while the virus scanner could not answer, kept as sent and never opened,
    # served or filed until attachments_scan_waiting scans it; refused: found infected or unsafe then.
    scan_state = models.CharField(
        _("kiểm tra an toàn"), max_length=10, choices=ScanState.choices, default=ScanState.CLEAN,
        db_default=ScanState.CLEAN,
    )  # fmt: skip
    scan_note = models.CharField(_("lý do từ chối"), max_length=500, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(draft__isnull=False) | models.Q(dossier__isnull=False),
                name="attachment_on_draft_or_dossier",
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(scan_state="waiting"), name="attachment_scan_waiting_idx"
            ),
            models.Index(fields=["file"], name="attachment_file_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def reused(self) -> bool:
        return self.reused_from_id is not None


class ComponentReplacement(models.Model):
    """A dossier component the applicant was not asked for: its data read from a national or
    sector database at filing (Resolution 66.7/2025/NQ-CP), with the record that replaced it.
    Reported to the national portal (TaiLieuNop.MaKetQuaThayThe, DSKetNoiCSDL) when read."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="replacements")
    component = models.ForeignKey(
        DossierComponent, verbose_name=_("thành phần hồ sơ"), on_delete=models.PROTECT, related_name="+"
    )
    database = models.ForeignKey(
        NationalDatabase, verbose_name=_("cơ sở dữ liệu"), on_delete=models.PROTECT, related_name="+"
    )
    lookup_key = models.CharField(_("tra cứu theo"), max_length=64, blank=True)
    record_id = models.CharField(_("mã bản ghi"), max_length=100, blank=True)
    data = models.JSONField(_("dữ liệu đã lấy"), default=dict, blank=True)
    state = models.CharField(_("kết quả"), max_length=20, choices=ReplacementState.choices)
    error = models.TextField(_("lý do"), blank=True)
    read_at = models.DateTimeField(_("đọc lúc"))

    class Meta:
        verbose_name = _("thành phần thay thế bằng dữ liệu")
        verbose_name_plural = _("thành phần thay thế bằng dữ liệu")
        ordering = ["dossier_id", "component_id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "component"], name="component_replacement_once_per_dossier")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.component_id} ← {self.database_id}"

    @property
    def replacement_code(self) -> str:
        """MaKetQuaThayThe: the database and its record (`<MaCSDL>:<record>`; assumed)."""
        return f"{self.database.code}:{self.record_id}"


class Payment(models.Model):
    """A fee payment through the national payment platform, for a draft and then its dossier.

    `ref` is our order reference sent to the platform; the platform's notification and the
    return page are matched on it, verified (signature, amount) and applied once.
    """

    ref = models.CharField(_("mã giao dịch của cổng"), max_length=40, unique=True)
    draft = models.ForeignKey(DossierDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments")
    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nộp tiền"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    # The fee lines as charged (name, amount before and after the online discount).
    items = models.JSONField(_("các khoản phí"), default=list)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING, db_index=True
    )
    transaction_id = models.CharField(_("mã giao dịch thanh toán"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    checked_at = models.DateTimeField(_("tra cứu lần cuối"), null=True, blank=True)
    receipt = models.FileField(_("biên lai điện tử"), upload_to="receipts/%Y/%m/", blank=True)
    # A financial obligation of a dossier in processing (status 6) paid online, rather than its fees.
    obligation = models.ForeignKey(
        "FinancialObligation",
        verbose_name=_("nghĩa vụ tài chính"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )

    class Meta:
        verbose_name = _("thanh toán")
        verbose_name_plural = _("thanh toán")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.ref


class FinancialObligation(models.Model):
    """Nghĩa vụ tài chính: what the applicant must pay (land levy, taxes) before processing goes on.

    Opened by the lifecycle service with the request_payment action (status 6), closed by it
    with settle_payment (back to processing): paid online through the payment platform, or
    confirmed by an officer who saw the proof of payment made elsewhere (the tax office, the treasury).
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="obligations")
    requested_event = models.ForeignKey(DossierEvent, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("nội dung nghĩa vụ tài chính"), max_length=2000)
    amount = models.PositiveBigIntegerField(_("số tiền phải nộp (đồng)"))
    pay_at = models.CharField(_("nơi nộp"), max_length=500)
    online = models.BooleanField(_("cho phép thanh toán trực tuyến"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người yêu cầu"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"))
    settled_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    settled_how = models.CharField(
        _("hình thức hoàn thành"), max_length=10, choices=ObligationSettlement.choices, blank=True
    )
    settled_note = models.TextField(_("ghi chú xác nhận"), blank=True)

    class Meta:
        verbose_name = _("nghĩa vụ tài chính")
        verbose_name_plural = _("nghĩa vụ tài chính")
        ordering = ["dossier_id", "requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=models.Q(settled_at__isnull=True), name="obligation_one_open_per_dossier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.amount} đồng"


class PaymentNotification(models.Model):
    """Every notification or return the payment platform sent us, kept whatever its verdict."""

    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")
    channel = models.CharField(_("kênh"), max_length=20)  # notify | return | query
    body = models.JSONField(_("nội dung"), default=dict)
    accepted = models.BooleanField(_("được chấp nhận"))
    verdict = models.CharField(_("kết luận"), max_length=255)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    received_at = models.DateTimeField(_("nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("thông báo thanh toán")
        verbose_name_plural = _("thông báo thanh toán")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.channel} {self.verdict}"


class Rating(models.Model):
    """Đánh giá mức độ hài lòng: one per dossier, by its applicant, after the result."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(
        _("mức độ hài lòng"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("góp ý"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("đánh giá lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.score}"


class Notification(models.Model):
    """One message sent to the applicant about one event, per channel: the task's "already sent?" guard."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Thư điện tử")
        SMS = "sms", _("Tin nhắn")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(DossierEvent, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("người nhận"), max_length=255)
    text = models.TextField(_("nội dung"))
    sent_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["event", "channel"], name="notification_once_per_event_channel")]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient}"


class AnsweredOnce(models.Model):
    """A question that gets exactly one answer, by an officer, at a time (a consultation, a
    complaint). Each keeps its own `answer` field (their lengths and labels differ); the answer is
    written by dossiers.services.answer_once, on a row the caller has locked."""

    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trả lời"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)

    class Meta:
        abstract = True


class Consultation(AnsweredOnce):
    """Lấy ý kiến: another agency is asked for its opinion while the dossier goes on (in parallel).

    Officers of the consulted agency may read the dossier and answer once; the question and
    the answer both join the dossier's timeline.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="consultations")
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan được lấy ý kiến"), on_delete=models.PROTECT, related_name="consultations"
    )
    question = models.TextField(_("nội dung lấy ý kiến"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người lấy ý kiến"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("lấy ý kiến lúc"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    answer = models.TextField(_("ý kiến trả lời"), blank=True)

    class Meta:
        verbose_name = _("lấy ý kiến")
        verbose_name_plural = _("lấy ý kiến")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["agency", "answered_at", "due_at"], name="consultation_inbox_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "agency"],
                condition=models.Q(answered_at__isnull=True),
                name="consultation_one_open_per_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.agency_id}"


class Complaint(AnsweredOnce):
    """Phản ánh, kiến nghị (PAKN) of an applicant about their dossier, answered once by an officer
    of the dossier's agency. Counts in Decision 766 indicator 5.4 (the complaint rate)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="complaints")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người phản ánh"), on_delete=models.PROTECT, related_name="+"
    )
    content = models.TextField(_("nội dung phản ánh, kiến nghị"), max_length=2000)
    created_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    answer = models.TextField(_("nội dung trả lời"), blank=True, max_length=4000)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["answered_at", "created_at"], name="complaint_inbox_idx")]
        constraints = [
            # One open complaint per dossier: a double submit or a second complaint waits for the answer.
            models.UniqueConstraint(
                fields=["dossier"], condition=models.Q(answered_at__isnull=True), name="complaint_one_open_per_dossier"
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | ~models.Q(answer=""),
                name="complaint_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.created_at:%Y-%m-%d}"


class DossierAccess(models.Model):
    """One officer's look at a dossier's personal data or one of its files: who, in which unit,
    when, what (Law 91/2025 on personal data: a log of who processed the subject's data, and the
    subject's right to know it). Written once per view by dossiers/trail.py, never changed; read
    by the applicant on their dossier page and by officers on theirs.

    `agency` and `position` are the officer's unit and title at that moment (a snapshot: a later
    move to another unit does not rewrite the trail); `name` is the file's or form's name then.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="accesses")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cán bộ"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("vai trò"), max_length=30)
    agency = models.ForeignKey(
        Agency, verbose_name=_("đơn vị"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.CharField(_("chức danh"), max_length=150, blank=True)
    kind = models.CharField(_("nội dung"), max_length=20, choices=AccessKind.choices)
    attachment = models.ForeignKey("Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("tệp, văn bản"), max_length=255, blank=True)
    at = models.DateTimeField(_("lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("lượt cán bộ xem hồ sơ")
        verbose_name_plural = _("lượt cán bộ xem hồ sơ")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["dossier", "-at"], name="dossier_access_trail_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {self.officer_id} {self.at:%Y-%m-%d %H:%M}"


class DossierSigning(models.Model):
    """The request to sign a dossier's result and forms (the leader's "approve and sign", the
    clerk's issuing step), and how it went: the task's last failure is what the leader reads
    ("wrong PIN", "certificate expired") until a retry succeeds. One row per dossier."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="signing")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ký"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("yêu cầu ký lúc"))
    attempts = models.PositiveIntegerField(_("số lần thử"), default=0)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(_("lỗi lúc"), null=True, blank=True)
    signed_at = models.DateTimeField(_("ký xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu ký số")
        verbose_name_plural = _("yêu cầu ký số")

    def __str__(self) -> str:
        return f"{self.dossier_id} ký số"


class DocumentSignature(models.Model):
    """A digital signature (PAdES) on one result file or one legal form of a dossier.

    The signed PDF replaced the file on its row (the original stays in storage, named in
    `original_file`); `sha256` is the signed file's hash, `code` the one its QR code opens on the
    public verification page. One signature per file: signing again returns this row.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="signatures")
    # A result replaced before the return (the officer deletes it) takes its signature along.
    attachment = models.OneToOneField(
        Attachment, null=True, blank=True, on_delete=models.CASCADE, related_name="signature"
    )
    document = models.OneToOneField(
        DossierDocument, null=True, blank=True, on_delete=models.CASCADE, related_name="signature"
    )
    code = models.CharField(_("mã xác thực"), max_length=16, unique=True)
    title = models.CharField(_("văn bản"), max_length=255)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, db_index=True)
    original_sha256 = models.CharField(max_length=64)
    original_file = models.CharField(max_length=255)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ký"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(_("người ký"), max_length=150)
    agency_name = models.CharField(_("cơ quan"), max_length=255)
    certificate_subject = models.CharField(_("chủ thể chứng thư số"), max_length=500)
    certificate_serial = models.CharField(_("số hiệu chứng thư số"), max_length=64)
    signed_at = models.DateTimeField(_("ký lúc"))

    class Meta:
        verbose_name = _("chữ ký số")
        verbose_name_plural = _("chữ ký số")
        ordering = ["signed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(attachment__isnull=False) & models.Q(document__isnull=True))
                | (models.Q(attachment__isnull=True) & models.Q(document__isnull=False)),
                name="document_signature_one_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
