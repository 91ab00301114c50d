from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency

from .constants import OFFICER_ROLES, Gender, Role
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
