"""Small security rules shared by the account views, the middleware and other apps' views.

- `client_ip`: the visitor's address, the same for rate limits (django-ratelimit) and login
  lockouts (django-axes), also behind nginx.
- `requires_two_factor`: who must confirm a login with a TOTP code.
- `mask_id_number`: how a citizen id number appears in lists.
"""

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

from common.privacy import mask_id_number

__all__ = ["client_ip", "client_ip_for_axes", "mask_id_number", "requires_two_factor"]

if TYPE_CHECKING:  # importable before the apps are loaded (accounts.privacy, by the logging set-up)
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind a trusted proxy (TRUSTED_PROXY_IPS) the
    last X-Forwarded-For entry, the one nginx appended (earlier entries are the client's word)."""
    peer = request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - a unix-socket peer: one shared bucket
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and peer in settings.TRUSTED_PROXY_IPS:
        candidate = forwarded.rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            return peer
    return peer


def client_ip_for_axes(request: HttpRequest) -> str:
    return client_ip(request)


def requires_two_factor(user: "AbstractBaseUser | AnonymousUser") -> bool:
    """Officers, province admins and anyone who may enter the Django admin; never citizens."""
    if not user.is_authenticated:
        return False
    return bool(
        getattr(user, "is_officer", False)
        or getattr(user, "is_province_admin", False)
        or getattr(user, "is_staff", False)
        or getattr(user, "is_superuser", False)
    )
