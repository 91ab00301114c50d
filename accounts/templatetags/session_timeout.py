"""The data the session-expiry script (static/js/session-timeout.js) reads from the page."""

from django import template
from django.conf import settings
from django.http import HttpRequest

from accounts.middleware import session_seconds_left

register = template.Library()


@register.simple_tag
def session_seconds_remaining(request: HttpRequest) -> int:
    return session_seconds_left(request)


@register.simple_tag
def session_warning_seconds() -> int:
    return int(settings.SESSION_WARNING_SECONDS)
