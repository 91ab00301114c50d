"""Two-factor authentication with TOTP (django-otp): enrolment, verification, the demo device.

Officers, province admins and staff confirm every login with a 6-digit code from an
authenticator app (accounts.middleware.OfficerTwoFactorMiddleware). One confirmed device per
user; enrolment creates an unconfirmed one, shows its QR code, and confirms it with the first
correct code.

Backup codes (django-otp's static device) let an officer without their phone in: ten
single-use codes of 10 digits, shown once when the app is set up and again whenever the officer
asks for a new set (the old set then stops working). They are digits so a phone's numeric
keypad can type them, and 10 long so they never look like an app code (6).
"""

import base64
import binascii
import secrets

import segno
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

DEVICE_NAME = "Ứng dụng xác thực"
BACKUP_DEVICE_NAME = "Mã dự phòng"
BACKUP_CODE_COUNT = 10
BACKUP_CODE_LENGTH = 10
# The demo officers' shared secret (README, `manage.py demo_totp`): published, so any
# authenticator app set up with it shows the demo codes. Never used outside `seed_demo`.
DEMO_TOTP_SECRET_BASE32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


def confirmed_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def totp_enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device being set up, created on first call; the same one on reloads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm the device with a correct code: it becomes the user's only device.

    Returns False (and changes nothing but django-otp's throttle counter) for a wrong code.
    """
    if not device.verify_token(token.strip()):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def totp_verify(*, user: User, token: str) -> TOTPDevice | None:
    """The user's confirmed device if `token` is its current code (each code works once)."""
    device = confirmed_device(user=user)
    if device is None or not device.verify_token(token.strip()):
        return None
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as typed into an authenticator app by hand, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// link as an SVG QR code in a data: URI (CSP img-src allows data:)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now (demo command and tests)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def _demo_key() -> str:
    return binascii.hexlify(base64.b32decode(DEMO_TOTP_SECRET_BASE32)).decode()


def is_demo_device(device: TOTPDevice) -> bool:
    return device.key == _demo_key()


@transaction.atomic
def demo_device_ensure(*, user: User) -> TOTPDevice:
    """Give a demo account its confirmed device with the published demo secret; idempotent."""
    device, _created = TOTPDevice.objects.update_or_create(
        user=user, name=DEVICE_NAME, defaults={"key": _demo_key(), "confirmed": True}
    )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device


# --- backup codes -------------------------------------------------------------------------------


def _backup_device(*, user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME, confirmed=True).first()


@transaction.atomic
def backup_codes_issue(*, user: User) -> list[str]:
    """A new set of single-use backup codes for `user`; any earlier set stops working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**BACKUP_CODE_LENGTH):0{BACKUP_CODE_LENGTH}d}" for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(*, user: User) -> int:
    device = _backup_device(user=user)
    return 0 if device is None else device.token_set.count()


def backup_code_verify(*, user: User, token: str) -> StaticDevice | None:
    """The user's backup device if `token` is one of its unused codes, which is then used up.

    One DELETE decides, so the same code sent twice at once lets in only one of the two.
    Failures count towards django-otp's throttle like wrong app codes do.
    """
    device = _backup_device(user=user)
    if device is None:
        return None
    allowed, _why = device.verify_is_allowed()
    if not allowed:
        return None
    deleted, _rows = StaticToken.objects.filter(device=device, token=token.strip()).delete()
    if not deleted:
        device.throttle_increment()
        return None
    device.throttle_reset(commit=False)
    device.set_last_used_timestamp(commit=False)
    device.save()
    return device


def backup_code_display(code: str) -> str:
    """`12345 67890`: two groups of five, easier to copy by hand."""
    return f"{code[:5]} {code[5:]}"
