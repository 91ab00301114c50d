"""Definitions kept as numbered versions: a draft, then immutable published versions.

E-forms (eforms.FormVersion) and workflows (workflows.WorkflowVersion) share the fields and the
numbering; each keeps its own table, content field and constraints. The online service
configuration (console.ServiceConfig) numbers its versions the same way (`next_version_number`)
but has states of its own (a configuration is retired by the next one, and "published" reads "in force"), so it does not
take the abstract model.
"""

from django.db import models
from django.db.models import Max, QuerySet
from django.utils.translation import gettext_lazy as _

from .constants import VersionState


class Version(models.Model):
    number = models.PositiveIntegerField(_("phiên bản"))
    state = models.CharField(_("trạng thái"), max_length=20, choices=VersionState.choices, default=VersionState.DRAFT)
    published_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.state == VersionState.PUBLISHED


def next_version_number(versions: QuerySet) -> int:
    """The number the next version of these takes: one more than the highest, 1 for the first.
    (Unique per definition in each table, so two at once cannot both take it.)"""
    return (versions.aggregate(n=Max("number"))["n"] or 0) + 1
