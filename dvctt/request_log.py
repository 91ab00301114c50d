"""Request ids and structured logs.

Every request gets an id: the `X-Request-ID` the proxy sent (when it looks like one: at most
64 characters of letters, digits and dashes) or a fresh one. The id travels in a contextvar,
so every log line written while the request runs carries it, and goes back in the response
header, so a citizen's complaint ("error at 10:42, id ...") leads to the exact log lines.

Citizen id numbers (12 digits, Decree 13/2023) never reach a log: `install_record_factory`
masks them when the record is created, whatever handler (ours, pytest's caplog, an error
tracker) reads it later, and the formatters mask the final text again (tracebacks included).
"""

import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

from common.privacy import mask_citizen_ids

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
method_var: ContextVar[str] = ContextVar("method", default="-")
path_var: ContextVar[str] = ContextVar("path", default="-")

access_logger = logging.getLogger("dvctt.access")


def request_id_from_header(value: str | None) -> str:
    """The proxy's id when it is a sane token, otherwise a new one (a forged header cannot inject text)."""
    if value and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost middleware: sets the request's context, writes one access line per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        tokens = (request_id_var.set(request_id), method_var.set(request.method or "-"), path_var.set(request.path))
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            access_logger.info(
                "%s %s %s %sms", request.method, request.path, status, duration_ms,
                extra={"status": status, "duration_ms": duration_ms},
            )  # fmt: skip
            for var, token in zip((request_id_var, method_var, path_var), tokens, strict=True):
                var.reset(token)


class RequestContextFilter(logging.Filter):
    """Adds request_id, method and path (or "-" outside a request) to the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
            record.method = method_var.get()
            record.path = path_var.get()
        return True


class CitizenIdMaskFilter(logging.Filter):
    """Rewrites the message with every 12-digit citizen id masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is logging's to report, not ours
            return True
        masked = mask_citizen_ids(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_context_filter = RequestContextFilter()
_mask_filter = CitizenIdMaskFilter()


def install_record_factory() -> None:
    """Every record created from now on carries the request context and masked ids.

    A handler's filter would only protect that handler; the record factory runs once per record
    for all of them. Idempotent (called from the app's ready(), which tests may call again)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "dvctt_request_log", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        _context_filter.filter(record)
        _mask_filter.filter(record)
        return record

    factory.dvctt_request_log = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class PlainFormatter(logging.Formatter):
    """Readable lines for development and tests, with the request id, ids masked."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        _context_filter.filter(record)
        return mask_citizen_ids(super().format(record))


# Attributes every LogRecord has: anything else was passed with `extra=` and goes into the JSON.
_STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_CONTEXT_ATTRIBUTES = {"request_id", "method", "path"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request context, extras."""

    def format(self, record: logging.LogRecord) -> str:
        _context_filter.filter(record)
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": record.request_id,  # type: ignore[attr-defined]
            "method": record.method,  # type: ignore[attr-defined]
            "path": record.path,  # type: ignore[attr-defined]
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and key not in _CONTEXT_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return mask_citizen_ids(json.dumps(entry, ensure_ascii=False, default=str))
