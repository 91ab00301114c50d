"""Two-factor gate for officers, and the idle timeout of every session."""

import math
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .security import requires_two_factor

LAST_SEEN_KEY = "dvctt_last_seen"
# A session is written at most this often just to move its expiry on (not on every request).
_TOUCH_EVERY_SECONDS = 60


def _open_paths() -> tuple[str, ...]:
    """What a user who still owes the second factor may reach: logging in or out, the two-factor
    pages, the session ping, the language switch, static files and the probes."""
    names = (
        "accounts:login", "accounts:logout", "accounts:otp_setup", "accounts:otp_verify",
        "accounts:session_status", "accounts:session_keepalive", "set_language", "healthz", "readyz", "metrics",
    )  # fmt: skip
    return (*(reverse(name) for name in names), settings.STATIC_URL, "/admin/logout/", "/mock/")


class OfficerTwoFactorMiddleware:
    """Officers, province admins and staff (accounts.security.requires_two_factor) who logged in
    with a password but have not yet given a TOTP code reach nothing but `_open_paths()`:
    every other page sends them to the code page (or to enrolment, if they have no device yet),
    and comes back afterwards. Citizens are never asked. Off when OFFICER_2FA_REQUIRED is False.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.OFFICER_2FA_REQUIRED and self._owes_second_factor(request):
            if self._open is None:
                self._open = _open_paths()
            if not request.path.startswith(self._open):
                return self._to_verification(request)
        return self.get_response(request)

    @staticmethod
    def _owes_second_factor(request: HttpRequest) -> bool:
        user = request.user
        return requires_two_factor(user) and not user.is_verified()  # type: ignore[union-attr]

    @staticmethod
    def _to_verification(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"error": "Cần xác thực hai lớp."}, status=403)
        target = request.get_full_path() if request.method == "GET" else "/"
        return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': target})}")


def session_seconds_left(request: HttpRequest) -> int:
    """Seconds before the session ends for want of activity (0 for none)."""
    session = getattr(request, "session", None)  # a page rendered for a request built by hand has none
    last_seen = session.get(LAST_SEEN_KEY) if session is not None else None
    if last_seen is None:
        return settings.SESSION_COOKIE_AGE if request.user.is_authenticated else 0
    return max(0, math.ceil(last_seen + settings.SESSION_COOKIE_AGE - time.time()))


def session_touch(request: HttpRequest) -> None:
    request.session[LAST_SEEN_KEY] = time.time()


class SessionIdleMiddleware:
    """Logs out a session idle for SESSION_COOKIE_AGE (SESSION_IDLE_MINUTES), and moves the
    expiry on when the user is active: the session is written at most once a minute for it.

    The page's script (static/js/session-timeout.js) reads the time left from the body's
    data-session-seconds-left and asks `accounts:session_status` (which does not count as
    activity) before it logs out, so another tab's activity is respected.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._status_path: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            if self._status_path is None:
                self._status_path = reverse("accounts:session_status")
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_COOKIE_AGE:
                logout(request)
            elif request.path != self._status_path and (last_seen is None or now - last_seen >= _TOUCH_EVERY_SECONDS):
                session_touch(request)
        return self.get_response(request)


def session_started(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """user_logged_in: the idle clock starts with the login (no extra session write on the next page)."""
    if request is not None and hasattr(request, "session"):
        session_touch(request)
