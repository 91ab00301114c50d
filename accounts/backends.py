"""Authentication backends."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login made through a request (the login form, the
    Django admin's, VNeID does not authenticate with a password).

    Code that authenticates without a request (a management command, the test client's
    `login()`) has no address to count failures against: it is let through to ModelBackend
    instead of failing, as axes' own backend would.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:  # type: ignore[override]
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
