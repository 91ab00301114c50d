"""Writes about users and their agencies."""

import datetime as dt
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.http import HttpRequest

from procedures.models import Agency

from .constants import VNEID_LOCKED_FIELDS, AuthEventKind, Role
from .models import AgencyMembership, AuthEvent, User
from .security import client_ip

PROVINCE_ADMIN_GROUP = "Quản trị cấp tỉnh"
# What a province admin may do in the Django admin: the catalogue, workflows and the
# calendar, and see users.
_PROVINCE_ADMIN_PERMISSIONS = (
    ("procedures", None),
    ("workflows", None),
    ("accounts", "view_user"),
    ("accounts", "view_agencymembership"),
    ("accounts", "view_authevent"),
    ("admin", "view_logentry"),
)


@transaction.atomic
def province_admin_group_ensure() -> Group:
    """The permission group for province admins; idempotent."""
    group, _created = Group.objects.get_or_create(name=PROVINCE_ADMIN_GROUP)
    wanted = Permission.objects.none()
    for app_label, codename in _PROVINCE_ADMIN_PERMISSIONS:
        perms = Permission.objects.filter(content_type__app_label=app_label)
        wanted |= perms.filter(codename=codename) if codename else perms
    group.permissions.set(wanted)
    return group


@transaction.atomic
def user_ensure(
    *,
    username: str,
    password: str,
    role: Role,
    full_name: str,
    email: str = "",
    phone: str = "",
    citizen_id: str = "",
    date_of_birth: dt.date | None = None,
    province_code: int | None = None,
    ward_code: int | None = None,
    address: str = "",
    agency_codes: tuple[str, ...] = (),
    position: str = "",
    is_superuser: bool = False,
) -> tuple[User, bool]:
    """Create the user if missing, else bring the profile in line; the password is set only on creation.

    Running it twice with the same arguments changes nothing. Province admins join the
    province admin group and may enter the Django admin (staff).
    """
    profile = {
        "role": role, "full_name": full_name, "email": email, "phone": phone, "citizen_id": citizen_id,
        "date_of_birth": date_of_birth, "province_code": province_code, "ward_code": ward_code, "address": address,
        "is_staff": is_superuser or role == Role.PROVINCE_ADMIN, "is_superuser": is_superuser,
    }  # fmt: skip
    user, created = User.objects.get_or_create(username=username, defaults=profile)
    if created:
        user.set_password(password)
        user.full_clean()
        user.save(update_fields=["password"])
    else:
        changed = [name for name, value in profile.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, profile[name])
        if changed:
            user.save(update_fields=changed)
    if role == Role.PROVINCE_ADMIN:
        user.groups.add(province_admin_group_ensure())
    for code in agency_codes:
        AgencyMembership.objects.update_or_create(
            user=user, agency=Agency.objects.get(code=code), defaults={"position": position}
        )
    return user, created


# The account that stands for Cổng DVCQG where a row must name who gave it (a file the applicant
# attached there, a fee paid on its platform): inactive, no password, never logs in.
NATIONAL_PORTAL_ACCOUNT = "he-thong-cong-dvcqg"


@transaction.atomic
def national_portal_account() -> User:
    """The national portal's system account (created once; inactive, no usable password)."""
    user, created = User.objects.get_or_create(
        username=NATIONAL_PORTAL_ACCOUNT,
        defaults={"role": Role.CITIZEN, "full_name": "Cổng Dịch vụ công quốc gia", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


_PROFILE_FIELDS = ("full_name", "date_of_birth", "gender", "phone", "email", "province_code", "ward_code", "address")


@transaction.atomic
def user_profile_update(*, user: User, changes: dict[str, Any]) -> User:
    """Save the user's own profile edits; returns the user.

    Only profile fields are taken; for a VNeID-verified account the identity fields
    (`VNEID_LOCKED_FIELDS`) are ignored whatever was posted, since VNeID is their source.
    Validates with the model's rules; saving the same values twice changes nothing.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    locked = set(VNEID_LOCKED_FIELDS) if user.is_vneid_verified else set()
    wanted = {name: value for name, value in changes.items() if name in _PROFILE_FIELDS and name not in locked}
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if changed:
        user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in changed])
        user.save(update_fields=changed)
    return user


def auth_event_record(
    *, kind: AuthEventKind, request: HttpRequest | None, user: User | None = None, username: str = ""
) -> AuthEvent:
    """Append one row to the login log; never raises for a missing request (tests, commands).

    The address is the client's as rate limits see it (behind nginx, not the proxy's).
    """
    if user is not None and not username:
        username = user.get_username()
    ip, agent = None, ""
    if request is not None:
        ip = client_ip(request) if request.META.get("REMOTE_ADDR") else None
        agent = request.headers.get("User-Agent", "")[:255]
    return AuthEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=username[:150],
        ip_address=ip,
        user_agent=agent,
    )
