"""A procedure's online service as configured in the five steps, versioned like forms and workflows.

A configuration is a draft until published; publishing applies it to the catalogue
(Procedure, Fee, DossierComponent) and publishes the chosen form and workflow versions, and
the previous published configuration is retired. Dossiers already filed keep their own form
and workflow versions (dossiers.Dossier pins both), so a new configuration never alters them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from eforms.models import FormVersion
from procedures.constants import OnlineLevel
from procedures.models import Procedure
from workflows.models import WorkflowVersion

from .constants import ConfigState


class ServiceConfig(models.Model):
    """One version of a procedure's online service: step-1 settings, step-2 components, form, workflow.

    `fees` and `components` are snapshots (lists of dicts, in order); an item's "id" is the
    catalogue row it updates when published, absent for a new row.
    """

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="service_configs"
    )
    number = models.PositiveIntegerField(_("phiên bản"))
    state = models.CharField(_("trạng thái"), max_length=20, choices=ConfigState.choices, default=ConfigState.DRAFT)
    # Step 1: the online service.
    online_level = models.CharField(
        _("mức độ dịch vụ công trực tuyến"), max_length=20, choices=OnlineLevel.choices, default=OnlineLevel.FULL
    )
    partial_reason = models.TextField(_("lý do chỉ cung cấp một phần"), blank=True)
    channels = models.JSONField(_("cách thức nộp hồ sơ"), default=list, blank=True)
    paper_accepted = models.BooleanField(_("vẫn nhận hồ sơ giấy tại bộ phận một cửa"), default=True)
    online_payment = models.BooleanField(_("thanh toán phí, lệ phí trực tuyến"), default=False)
    result_delivery = models.JSONField(_("cách thức trả kết quả"), default=list, blank=True)
    online_time_limit_value = models.DecimalField(
        _("thời hạn khi nộp trực tuyến"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    fees = models.JSONField(_("phí, lệ phí"), default=list, blank=True)
    # Step 2.
    components = models.JSONField(_("thành phần hồ sơ"), default=list, blank=True)
    # Steps 3 and 4: a published version in force, or a draft that is published with the service.
    form_version = models.ForeignKey(
        FormVersion,
        verbose_name=_("phiên bản biểu mẫu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    workflow_version = models.ForeignKey(
        WorkflowVersion,
        verbose_name=_("phiên bản quy trình"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người công bố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("cấu hình dịch vụ trực tuyến")
        verbose_name_plural = _("cấu hình dịch vụ trực tuyến")
        ordering = ["procedure_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="service_config_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"], condition=models.Q(state=ConfigState.DRAFT), name="service_config_one_draft"
            ),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(state=ConfigState.PUBLISHED),
                name="service_config_one_published",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=ConfigState.PUBLISHED) | models.Q(published_at__isnull=False),
                name="service_config_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} – v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.state == ConfigState.DRAFT


class ServiceChange(models.Model):
    """The change log: one changed field of one configuration, who changed it and when."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="service_changes")
    # None for a change to the service itself rather than to one configuration (taking an online
    # service back to information only, possibly one put online before the console existed).
    config = models.ForeignKey(ServiceConfig, on_delete=models.CASCADE, related_name="changes", null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thay đổi"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    step = models.CharField(_("bước"), max_length=20)
    field = models.CharField(_("nội dung"), max_length=255)
    before = models.TextField(_("trước"), blank=True)
    after = models.TextField(_("sau"), blank=True)

    class Meta:
        verbose_name = _("lịch sử thay đổi dịch vụ")
        verbose_name_plural = _("lịch sử thay đổi dịch vụ")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["procedure", "-at"], name="service_change_by_procedure")]

    def __str__(self) -> str:
        return f"{self.field}: {self.before} → {self.after}"


class ProvinceTarget(models.Model):
    """The province's yearly target: the share of published procedures offered fully online."""

    year = models.PositiveSmallIntegerField(
        _("năm"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    full_online_percent = models.DecimalField(
        _("tỷ lệ thủ tục trực tuyến toàn trình (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("chỉ tiêu dịch vụ trực tuyến của tỉnh")
        verbose_name_plural = _("chỉ tiêu dịch vụ trực tuyến của tỉnh")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.full_online_percent}%"
