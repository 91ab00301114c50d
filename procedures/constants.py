from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    WARD = "ward", _("Cấp xã")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    INFORMATION = "information", _("Chỉ cung cấp thông tin")


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    DIRECT = "direct", _("Trực tiếp")
    POST = "post", _("Qua dịch vụ bưu chính công ích")


class ResultDelivery(models.TextChoices):
    """How the applicant gets the result."""

    # Not "có giá trị như bản giấy": only a digitally signed result has that value (Law 20/2023).
    ELECTRONIC = "electronic", _("Bản điện tử trên Cổng (tải về tại mục Hồ sơ của tôi)")
    POST = "post", _("Qua dịch vụ bưu chính công ích")
    DESK = "desk", _("Nhận trực tiếp tại bộ phận một cửa")


class TimeLimitUnit(models.TextChoices):
    DAY = "day", _("ngày làm việc")
    HOUR = "hour", _("giờ làm việc")


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    BUSINESS = "business", _("Doanh nghiệp, hộ kinh doanh")
    ORGANIZATION = "organization", _("Tổ chức")


class DatabaseLookup(models.TextChoices):
    """How a national or sector database is read (Resolution 66.7/2025/NQ-CP)."""

    POPULATION = "population", _("CSDL quốc gia về dân cư (tra cứu theo số định danh cá nhân)")
    SECTOR = "sector", _("CSDL chuyên ngành (tra cứu bản ghi theo số định danh hoặc mã số)")
