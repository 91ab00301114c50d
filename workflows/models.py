from django.db import models
from django.utils.translation import gettext_lazy as _

from common.constants import VersionState
from common.versioning import Version

from .constants import CalendarDayKind


class CalendarOverride(models.Model):
    """A province admin's change to the national calendar for one date.

    The `holidays` package gives Vietnam's public holidays and decreed make-up working
    Saturdays; an override adds a day off (e.g. a provincial decision) or a working day, or
    corrects the package when a decree changes a year's dates.
    """

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=20, choices=CalendarDayKind.choices)
    reason = models.CharField(_("lý do, căn cứ"), max_length=255)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("lịch nghỉ, làm bù của tỉnh")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.get_kind_display()}"


class CalendarYear(models.Model):
    """A year's official calendar as confirmed by a province admin, with the letter that decided it.

    The `holidays` package's dates for a year are estimates until the year's official letter
    (e.g. 12729/VPCP-KGVX for New Year 2026) is out and the admin has entered its swaps as
    overrides and confirmed the year here. A year the package does not know can be counted only
    once it is confirmed (its holidays then come from the overrides alone).
    """

    year = models.PositiveSmallIntegerField(_("năm"), unique=True)
    letter_number = models.CharField(_("số văn bản"), max_length=100)
    letter_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("người xác nhận"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("xác nhận lịch năm")
        verbose_name_plural = _("xác nhận lịch năm")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(letter_number=""), name="calendar_year_has_letter"),
        ]

    def __str__(self) -> str:
        return f"{self.year} – {self.letter_number}"


class Workflow(models.Model):
    """Quy trình điện tử of a procedure. Its versions hold the steps; a dossier keeps the
    version it started with, so editing the workflow never changes running dossiers."""

    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="workflows"
    )
    name = models.CharField(_("tên quy trình"), max_length=255)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("quy trình điện tử")
        verbose_name_plural = _("quy trình điện tử")
        constraints = [models.UniqueConstraint(fields=["procedure"], name="workflow_one_per_procedure")]

    def __str__(self) -> str:
        return self.name


class WorkflowVersion(Version):
    """One version of a workflow's steps. Published versions are immutable."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="versions")
    definition = models.JSONField(_("các bước"))

    class Meta:
        verbose_name = _("phiên bản quy trình")
        verbose_name_plural = _("phiên bản quy trình")
        ordering = ["workflow_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "number"], name="workflow_version_number_unique"),
            models.CheckConstraint(
                condition=~models.Q(state=VersionState.PUBLISHED) | models.Q(published_at__isnull=False),
                name="workflow_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workflow} – v{self.number}"
