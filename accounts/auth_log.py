"""Writes the login log (accounts.AuthEvent) from Django's and django-axes' login signals.

Signals are the only place Django reports a login, a failed login or a logout, wherever it
happened (our login page, the admin's, VNeID, a password reset); two-factor steps are
recorded by the views that take them (accounts.views).
"""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from .constants import AuthEventKind
from .models import User
from .services import auth_event_record


def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    auth_event_record(kind=AuthEventKind.LOGIN, request=request, user=user)


def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        auth_event_record(kind=AuthEventKind.LOGOUT, request=request, user=user)


def _known_user(username: str) -> User | None:
    return User.objects.filter(username=username).first() if username else None


def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    username = str(credentials.get("username") or "")
    auth_event_record(kind=AuthEventKind.LOGIN_FAILED, request=request, user=_known_user(username), username=username)


def _locked_out(sender: Any, request: HttpRequest | None, username: str | None = None, **kwargs: Any) -> None:
    name = username or ""
    auth_event_record(kind=AuthEventKind.LOCKED_OUT, request=request, user=_known_user(name), username=name)


def connect() -> None:
    """Called once from AccountsConfig.ready()."""
    user_logged_in.connect(_logged_in, dispatch_uid="accounts.auth_log.logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="accounts.auth_log.logged_out")
    user_login_failed.connect(_login_failed, dispatch_uid="accounts.auth_log.login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="accounts.auth_log.locked_out")
