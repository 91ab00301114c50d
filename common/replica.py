"""Reads that may come from a PostgreSQL read replica, and the router that sends them there.

With DATABASE_REPLICA_URL set, settings add a "replica" database. The pages that only read and
may be a few seconds behind (the indicator dashboards and reports, the public catalogue) are
wrapped in `replica_reads`; while such a view runs, every read goes to the replica and every
write still to the primary (`ReplicaRouter`). Three things keep it right:

- read-your-writes: a browser that has just written (any non-safe request that did not fail)
  carries a cookie for REPLICA_PIN_SECONDS, and its reads stay on the primary meanwhile, so an
  officer who just acted sees the act in the dashboard;
- a replica that is down or lags more than REPLICA_MAX_LAG_SECONDS is not used: reads fall back
  to the primary (logged on "dvctt.stores", counted in dvctt_store_errors_total), and the replica
  is asked again after REPLICA_CHECK_SECONDS;
- migrations run on the primary only; the replica gets them by replication.
Everything else (sessions, sign-in, every dossier page and service) never leaves the primary.
"""

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

V = TypeVar("V", bound=Callable[..., Any])
REPLICA = "replica"
PIN_COOKIE = "dvctt_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

logger = logging.getLogger("dvctt.stores")
_reading_from_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reading_from_replica", default=False)
_health_lock = threading.Lock()
_health: dict[str, float | bool] = {"checked_at": float("-inf"), "usable": False}


def replica_configured() -> bool:
    return REPLICA in connections.settings and bool(getattr(settings, "DATABASE_REPLICA_READS", False))


def replica_fresh(*, in_recovery: bool, lag_seconds: float | None, max_lag_seconds: float) -> bool:
    """Whether answers of a database are recent enough: a server not in recovery is a primary (or
    the primary itself, as in tests), always fresh; a standby is fresh within `max_lag_seconds` of
    its last replayed transaction (unknown lag: not fresh)."""
    if not in_recovery:
        return True
    return lag_seconds is not None and lag_seconds <= max_lag_seconds


def _ask_replica() -> bool:
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8"
            )
            in_recovery, lag = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("read replica unusable, reading from the primary: %s", error)
        connections[REPLICA].close()
        return False
    fresh = replica_fresh(
        in_recovery=bool(in_recovery),
        lag_seconds=None if lag is None else float(lag),
        max_lag_seconds=float(settings.REPLICA_MAX_LAG_SECONDS),
    )
    if not fresh:
        logger.warning(
            "read replica lags %s s (more than %s s): reading from the primary", lag, settings.REPLICA_MAX_LAG_SECONDS
        )
    return fresh


def replica_usable() -> bool:
    """Configured, answering and fresh; asked at most once per REPLICA_CHECK_SECONDS per process."""
    if not replica_configured():
        return False
    now = time.monotonic()
    with _health_lock:
        if now - float(_health["checked_at"]) < float(settings.REPLICA_CHECK_SECONDS):
            return bool(_health["usable"])
    usable = _ask_replica()
    with _health_lock:
        _health.update(checked_at=time.monotonic(), usable=usable)
    return usable


def forget_replica_health() -> None:
    """The next request asks the replica again (tests; after an operator fixed it)."""
    with _health_lock:
        _health.update(checked_at=float("-inf"), usable=False)


@contextmanager
def reading_from_replica(request: HttpRequest | None = None) -> Iterator[bool]:
    """Within the block reads go to the replica when it is usable (and `request`, if given, is a
    safe one from a browser that has not just written); yields whether they do."""
    pinned = request is not None and (request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES)
    use = not pinned and replica_usable()
    token = _reading_from_replica.set(use)
    try:
        yield use
    finally:
        _reading_from_replica.reset(token)


def replica_reads(view: V) -> V:
    """A view whose reads may come from the replica: safe methods only, and not for a browser
    that has just written (the pin cookie). The session and the signed-in user are read from the
    primary first: a sign-in not yet replicated must not look signed out."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 - loads the lazy user (and session) from the primary now
        with reading_from_replica(request):
            return view(request, *args, **kwargs)

    return cast(V, wrapper)


class ReplicaPinMiddleware:
    """After a write (a non-safe request answered below 400), the browser reads from the primary
    for REPLICA_PIN_SECONDS: it sees what it just did, whatever the replica's lag."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and response.status_code < 400 and replica_configured():
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=int(settings.REPLICA_PIN_SECONDS),
                httponly=True,
                samesite="Lax",
                secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
            )
        return response


class ReplicaRouter:
    """Reads inside `reading_from_replica` go to the replica; all else, and every write and
    migration, to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return REPLICA if _reading_from_replica.get() else None  # None: Django's own choice

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
