from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionState(models.TextChoices):
    """Workflows and e-forms are versioned the same way: drafts, then immutable published versions."""

    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã ban hành")
