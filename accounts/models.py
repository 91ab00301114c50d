from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency

from .constants import OFFICER_ROLES, AuthEventKind, Gender, Role
from .validators import validate_citizen_id, validate_phone


class User(AbstractUser):
    """Every person who logs in: citizens and officers alike; `role` says which."""

    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices, default=Role.CITIZEN)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    citizen_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, blank=True, validators=[validate_citizen_id]
    )
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True, validators=[validate_phone])
    address = models.CharField(_("địa chỉ (số nhà, đường, thôn, tổ)"), max_length=255, blank=True)
    province_code = models.PositiveSmallIntegerField(_("tỉnh, thành phố"), null=True, blank=True)
    ward_code = models.PositiveIntegerField(_("xã, phường, đặc khu"), null=True, blank=True)
    # Set when the citizen logs in with the national identity (VNeID); the id token is the proof.
    vneid_verified_at = models.DateTimeField(_("xác thực VNeID lúc"), null=True, blank=True)
    vneid_level = models.PositiveSmallIntegerField(_("mức định danh VNeID"), null=True, blank=True)
    agencies: "models.ManyToManyField[Agency, AgencyMembership]" = models.ManyToManyField(
        Agency, through="AgencyMembership", related_name="members", verbose_name=_("cơ quan công tác"), blank=True
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_id"], condition=~models.Q(citizen_id=""), name="user_citizen_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICER_ROLES

    @property
    def is_vneid_verified(self) -> bool:
        """The national portal's TaiKhoanDuocXacThucVoiVNeID."""
        return self.vneid_verified_at is not None

    @property
    def is_province_admin(self) -> bool:
        return self.role == Role.PROVINCE_ADMIN


class AgencyMembership(models.Model):
    """An officer works for an agency (and so sees its work and that of its sub-agencies)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    position = models.CharField(_("chức danh"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("thành viên cơ quan")
        verbose_name_plural = _("thành viên cơ quan")
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency}"


class AuthEvent(models.Model):
    """The login log: every login, failure, lockout, logout and two-factor step.

    Kept apart from the admin's LogEntry (the change log, common/audit.py): a failed login may
    name no account at all, and these rows are many. Both are read in the Django admin.
    """

    kind = models.CharField(_("sự kiện"), max_length=20, choices=AuthEventKind.choices)
    user = models.ForeignKey(
        User, verbose_name=_("tài khoản"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("tên đăng nhập đã nhập"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=255, blank=True)
    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("nhật ký đăng nhập")
        verbose_name_plural = _("nhật ký đăng nhập")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="authevent_user_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M}"
