from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Công dân, tổ chức")
    RECEPTION_OFFICER = "reception_officer", _("Cán bộ tiếp nhận (một cửa)")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo")
    CLERK = "clerk", _("Văn thư")
    PROVINCE_ADMIN = "province_admin", _("Quản trị cấp tỉnh")


OFFICER_ROLES = frozenset({Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK})
