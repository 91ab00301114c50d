from django.db import models
from django.utils.translation import gettext_lazy as _

from workflows.constants import Action, Status

__all__ = ["Action", "ApplicantType", "Channel", "PauseKind", "Status"]


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    DIRECT = "direct", _("Trực tiếp tại bộ phận một cửa")
    POST = "post", _("Qua bưu chính công ích")
    NATIONAL_PORTAL = "national_portal", _("Cổng Dịch vụ công quốc gia")


class ApplicantType(models.IntegerChoices):
    """LoaiDoiTuong of the national portal."""

    CITIZEN = 1, _("Công dân")
    BUSINESS = 2, _("Doanh nghiệp")
    AGENCY = 3, _("Cơ quan nhà nước")
    OTHER = 4, _("Khác")


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("Chờ bổ sung hồ sơ")
