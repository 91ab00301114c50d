"""Two-factor authentication with TOTP (django-otp): enrolment, verification, the demo device.

Officers, province admins and staff confirm every login with a 6-digit code from an
authenticator app (accounts.middleware.OfficerTwoFactorMiddleware). One confirmed device per
user; enrolment creates an unconfirmed one, shows its QR code, and confirms it with the first
correct code.
"""

import base64
import binascii

import segno
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

DEVICE_NAME = "Ứng dụng xác thực"
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
