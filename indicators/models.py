"""Decision 766 indicators as data: the ministry revises maxima, thresholds and formulas.

A rule takes effect on `effective_from`; a period is scored with the rules in force on its
first day (the latest `effective_from` not after it), so an old month keeps its old score.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency

from .constants import FormulaKind, Measure

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class IndicatorGroup(models.Model):
    """Nhóm chỉ số (transparency, processing progress, ...) and its maximum."""

    code = models.CharField(_("mã nhóm"), max_length=5)
    name = models.CharField(_("tên nhóm"), max_length=255)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=5, decimal_places=2)
    effective_from = models.DateField(_("áp dụng từ ngày"))

    class Meta:
        verbose_name = _("nhóm chỉ số")
        verbose_name_plural = _("nhóm chỉ số")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="indicator_group_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class IndicatorRule(models.Model):
    """One indicator (e.g. 2.1 on-time processing): what it measures and how rates become points."""

    code = models.CharField(_("mã chỉ số"), max_length=10)
    group_code = models.CharField(_("thuộc nhóm"), max_length=5)
    name = models.CharField(_("tên chỉ số"), max_length=255)
    measure = models.CharField(_("đại lượng đo"), max_length=40, choices=Measure.choices)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=5, decimal_places=2)
    formula_kind = models.CharField(_("cách tính điểm"), max_length=20, choices=FormulaKind.choices)
    threshold_percent = models.DecimalField(
        _("ngưỡng đạt điểm tối đa (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("Chỉ dùng cho cách tính theo ngưỡng, ví dụ 80 nghĩa là đạt điểm tối đa khi tỷ lệ ≥ 80%."),
    )
    effective_from = models.DateField(_("áp dụng từ ngày"))
    effective_to = models.DateField(
        _("áp dụng đến hết ngày"),
        null=True,
        blank=True,
        help_text=_("Để trống: áp dụng cho đến khi có phiên bản mới."),
    )
    population = models.TextField(_("mẫu số (đối tượng được tính)"), blank=True)
    numerator = models.TextField(_("tử số"), blank=True)
    unavailable = models.TextField(
        _("lý do chưa tính được"),
        blank=True,
        help_text=_("Điền khi dữ liệu của hệ thống chưa cho phép tính chỉ số này; chỉ số không được tính vào tổng."),
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("chỉ số (Quyết định 766)")
        verbose_name_plural = _("chỉ số (Quyết định 766)")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="indicator_rule_version_unique"),
            models.CheckConstraint(
                condition=~models.Q(formula_kind=FormulaKind.THRESHOLD) | models.Q(threshold_percent__gt=0),
                name="indicator_rule_threshold_kind_has_threshold",
                violation_error_message=_("Cách tính theo ngưỡng phải có ngưỡng lớn hơn 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AgencyTarget(models.Model):
    """Chỉ tiêu giao cho người đứng đầu cơ quan trong một năm (percentages)."""

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    online_rate = models.DecimalField(
        _("tỷ lệ hồ sơ trực tuyến (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    on_time_rate = models.DecimalField(
        _("tỷ lệ hồ sơ đúng hạn (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    online_payment_rate = models.DecimalField(
        _("tỷ lệ thanh toán trực tuyến (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )

    class Meta:
        verbose_name = _("chỉ tiêu năm của cơ quan")
        verbose_name_plural = _("chỉ tiêu năm của cơ quan")
        ordering = ["-year", "agency_id"]
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="agency_target_once_per_year")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}"
