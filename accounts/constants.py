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


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


# Identity that VNeID attests: once an account is verified, these are prefilled from the
# national identity and the citizen cannot change them on the portal (contact details stay editable).
VNEID_LOCKED_FIELDS = ("full_name", "citizen_id", "date_of_birth", "gender")


class AuthEventKind(models.TextChoices):
    """What the login log (accounts.AuthEvent) records."""

    LOGIN = "login", _("Đăng nhập thành công")
    LOGIN_FAILED = "login_failed", _("Đăng nhập sai")
    LOCKED_OUT = "locked_out", _("Bị tạm khóa do đăng nhập sai nhiều lần")
    LOGOUT = "logout", _("Đăng xuất")
    OTP_VERIFIED = "otp_verified", _("Xác thực hai lớp thành công")
    OTP_FAILED = "otp_failed", _("Mã xác thực hai lớp sai")
    OTP_ENROLLED = "otp_enrolled", _("Đăng ký ứng dụng xác thực")
    BACKUP_CODE_USED = "backup_code_used", _("Đăng nhập bằng mã dự phòng")
    BACKUP_CODES_ISSUED = "backup_codes_issued", _("Tạo bộ mã dự phòng mới")
