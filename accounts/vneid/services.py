"""Writes for a login with VNeID: find, link or create the citizen's account and mark it verified."""

import enum

from django.db import transaction
from django.utils import timezone

from common.audit import ADDITION, CHANGE, audit_log

from ..constants import Role
from ..models import User
from .client import VneidIdentity
from .errors import VneidAccountConflictError, VneidInactiveAccountError, VneidOfficerAccountError

# Contact details are the citizen's own choice once the account exists: VNeID fills them only
# where the account has none. Identity (name, birth date, gender) always follows VNeID.
_CONTACT_FIELDS = ("phone", "email", "address")


class VneidSignIn(enum.Enum):
    CREATED = "created"  # a new citizen account, verified
    LINKED = "linked"  # an existing local account, verified for the first time
    SIGNED_IN = "signed_in"  # an account already verified


@transaction.atomic
def user_sign_in_with_vneid(*, identity: VneidIdentity) -> tuple[User, VneidSignIn]:
    """The account of the citizen VNeID vouched for, created or linked if needed, and marked verified.

    Precondition: `identity` comes from an id token whose signature, issuer, audience, expiry
    and nonce were checked (`vneid_identity_from_callback`): it is the proof of identity, so an
    existing local account with the same citizen id is linked without asking its password.
    Refuses officers' and locked accounts, changing nothing. Side effects: identity fields
    (name, birth date, gender) are overwritten from VNeID, contact fields filled where empty,
    first verification time and level recorded, an audit entry on creation or linking.
    Idempotent: signing in again with the same identity changes nothing but the level.
    """
    user = (
        User.objects.select_for_update().filter(citizen_id=identity.citizen_id).first()
        or User.objects.select_for_update().filter(username=identity.citizen_id).first()
    )
    created = False
    if user is None:
        # get_or_create: two callbacks of the same citizen at once make one account.
        user, created = User.objects.get_or_create(
            username=identity.citizen_id, defaults={"role": Role.CITIZEN, "citizen_id": identity.citizen_id}
        )
        if created:
            # The citizen proves who they are with VNeID; a password can be set later by reset.
            user.set_unusable_password()
    if user.role != Role.CITIZEN:
        raise VneidOfficerAccountError
    if user.citizen_id and user.citizen_id != identity.citizen_id:
        raise VneidAccountConflictError
    if not user.is_active:
        raise VneidInactiveAccountError

    outcome = (
        VneidSignIn.CREATED if created else VneidSignIn.SIGNED_IN if user.is_vneid_verified else VneidSignIn.LINKED
    )
    wanted: dict[str, object] = {
        "citizen_id": identity.citizen_id,
        "full_name": identity.full_name,
        "vneid_level": identity.level,
    }
    if identity.date_of_birth is not None:
        wanted["date_of_birth"] = identity.date_of_birth
    if identity.gender:
        wanted["gender"] = identity.gender
    for name in _CONTACT_FIELDS:
        value = getattr(identity, name)
        if value and not getattr(user, name):
            wanted[name] = value
    if user.vneid_verified_at is None:
        wanted["vneid_verified_at"] = timezone.now()
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if created:
        changed.append("password")
    if changed:
        user.save(update_fields=changed)

    if outcome is VneidSignIn.CREATED:
        audit_log(actor=user, obj=user, action_flag=ADDITION, message="Tạo tài khoản công dân qua đăng nhập VNeID")
    elif outcome is VneidSignIn.LINKED:
        audit_log(actor=user, obj=user, action_flag=CHANGE, message="Liên kết và xác thực tài khoản với VNeID")
    return user, outcome
