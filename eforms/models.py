from django.db import models
from django.utils.translation import gettext_lazy as _

from common.constants import VersionState
from common.versioning import Version


class FormDefinition(models.Model):
    """Biểu mẫu điện tử of a procedure. Its versions hold the form; a dossier keeps the
    version it was filled with, so editing the form never changes filed dossiers."""

    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="form_definitions"
    )
    name = models.CharField(_("tên biểu mẫu"), max_length=255)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("biểu mẫu điện tử")
        verbose_name_plural = _("biểu mẫu điện tử")
        constraints = [models.UniqueConstraint(fields=["procedure"], name="form_definition_one_per_procedure")]

    def __str__(self) -> str:
        return self.name


class FormVersion(Version):
    """One version of a form's steps, fields and rules (see eforms/schemas/form.schema.json).

    Published versions are immutable: eforms.services never writes their `schema`, and a
    change starts from a clone. A definition has at most one draft.
    """

    definition = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="versions")
    schema = models.JSONField(_("nội dung biểu mẫu"))

    class Meta:
        verbose_name = _("phiên bản biểu mẫu")
        verbose_name_plural = _("phiên bản biểu mẫu")
        ordering = ["definition_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="form_version_number_unique"),
            models.UniqueConstraint(
                fields=["definition"], condition=models.Q(state=VersionState.DRAFT), name="form_version_one_draft"
            ),
            models.CheckConstraint(
                condition=~models.Q(state=VersionState.PUBLISHED) | models.Q(published_at__isnull=False),
                name="form_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition} – v{self.number}"
