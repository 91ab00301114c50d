from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Kept in procedures (the catalogue shows it); re-exported for the console's forms and rules.
from procedures.constants import ResultDelivery  # noqa: F401


class ConfigState(models.TextChoices):
    """A service configuration is drafted, published (the one in force), then retired by the next."""

    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang áp dụng")
    RETIRED = "retired", _("Đã thay thế")


class SetupState(models.TextChoices):
    """Where a procedure stands in the five steps (the console's list)."""

    NOT_STARTED = "not_started", _("Chưa bắt đầu")
    IN_PROGRESS = "in_progress", _("Đang thiết lập")
    READY = "ready", _("Sẵn sàng công bố")
    PUBLISHED = "published", _("Đã công bố")


# The five steps of the ministry's guidance, in order: (slug in the URL, title).
STEPS: tuple[tuple[str, Promise], ...] = (
    ("dich-vu", _("Dịch vụ trực tuyến")),
    ("thanh-phan", _("Thành phần hồ sơ")),
    ("bieu-mau", _("Biểu mẫu điện tử")),
    ("quy-trinh", _("Quy trình điện tử")),
    ("cong-bo", _("Kiểm tra và công bố")),
)
STEP_SLUGS = tuple(slug for slug, _title in STEPS)

# One working day, for time shares of a limit counted in days (office hours 7:30–11:30, 13:30–17:30).
HOURS_PER_WORKING_DAY = 8
# A step must get at least this many working minutes of the time limit: less cannot be met by
# an officer picking the dossier from a queue (a same-day department workflow gives its
# shortest, 5% step 24 minutes; a one-hour online limit would give it 3).
MINIMUM_STEP_MINUTES = 15
