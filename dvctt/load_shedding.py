"""Polite load shedding: under overload a request is answered at once with 503 and Retry-After
("Hệ thống đang bận, vui lòng thử lại sau"), before any view runs, instead of waiting until a
timeout leaves a blank page.

Two signals, each off when its setting is 0:

- LOAD_SHED_MAX_QUEUE_MS: how long the request waited before a worker took it, from the
  `X-Request-Start` header nginx adds (`proxy_set_header X-Request-Start "t=${msec}";`,
  docs/deployment.md). With gunicorn's sync workers the queue is in front of the workers (the
  listen backlog), so the time spent in it is the measure of a full queue: a request that has
  already waited that long would only wait longer behind the others.
- LOAD_SHED_MAX_IN_FLIGHT: requests this process runs at once (a threaded server: gthread,
  runserver); beyond it, the newest is shed.

Never shed: the health probes (/healthz, /readyz) and /metrics, so that an overloaded machine
is not also taken for a dead one, and static files. A shed request did nothing: it is answered
before the session, the view and any transaction, so a submission that is shed is not half made;
the citizen's draft is still there and the page says to send it again later. The API (/api/)
gets JSON in its error shape. Counted in dvctt_requests_shed_total{reason}.
"""

import json
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from prometheus_client import Counter

EXEMPT_PREFIXES = ("/healthz", "/readyz", "/metrics", "/static/")
MAX_PLAUSIBLE_WAIT_MS = 3_600_000  # a header an hour old (or a clock far off) is not a queue

SHED = Counter("dvctt_requests_shed", "Requests answered 503 busy before any view ran (load shedding).", ["reason"])


def queue_wait_ms(header: str | None, *, now: float | None = None) -> float | None:
    """Milliseconds since the proxy received the request, from `X-Request-Start` ("t=<seconds>"
    as nginx's $msec, or milliseconds / microseconds since the epoch); None when absent or absurd."""
    if not header:
        return None
    value = header.strip().removeprefix("t=")
    try:
        started = float(value)
    except ValueError:
        return None
    if started > 1e14:  # microseconds
        started /= 1e6
    elif started > 1e11:  # milliseconds
        started /= 1e3
    waited = ((now if now is not None else time.time()) - started) * 1000
    if waited < 0 or waited > MAX_PLAUSIBLE_WAIT_MS:
        return None
    return waited


def busy_response(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    """503 with Retry-After: the busy page, or JSON for the API. Renders no request context (no
    session or user is read: the point is to spend nothing)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    language = chosen if chosen in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE
    with translation.override(language):
        message = _("Hệ thống đang bận, vui lòng thử lại sau")
        if request.path.startswith("/api/"):
            body = json.dumps({"error": {"code": "busy", "message": message}}, ensure_ascii=False)
            response = HttpResponse(body, status=503, content_type="application/json")
        else:
            html = render_to_string(
                "busy.html",
                {
                    "message": message,
                    "retry_after": retry_after,
                    "LANGUAGE_CODE": language,
                    "method": request.method,
                    "PORTAL_NAME": settings.PORTAL_NAME,
                },
            )
            response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response


class LoadSheddingMiddleware:
    """Early in MIDDLEWARE (after the request id, so the access log shows the 503)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.lock = threading.Lock()
        self.in_flight = 0

    def shed_reason(self, request: HttpRequest, in_flight: int) -> str:
        limit = int(settings.LOAD_SHED_MAX_IN_FLIGHT)
        if limit and in_flight > limit:
            return "in_flight"
        max_queue_ms = float(settings.LOAD_SHED_MAX_QUEUE_MS)
        if max_queue_ms:
            waited = queue_wait_ms(request.headers.get("X-Request-Start"))
            if waited is not None and waited > max_queue_ms:
                return "queue"
        return ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        with self.lock:
            self.in_flight += 1
            in_flight = self.in_flight
        try:
            reason = self.shed_reason(request, in_flight)
            if reason:
                SHED.labels(reason=reason).inc()
                return busy_response(request, retry_after=int(settings.LOAD_SHED_RETRY_AFTER_SECONDS))
            return self.get_response(request)
        finally:
            with self.lock:
                self.in_flight -= 1
