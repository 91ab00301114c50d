"""Operational endpoints."""

import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

# Reading the migration files costs tens of milliseconds: a probe polled every few seconds
# by each load balancer reuses the last answer for this long (per process).
MIGRATIONS_CHECK_TTL_SECONDS = 10.0
_migrations_checked: dict[str, tuple[float, bool]] = {}


def _database_ok() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def _broker_ok() -> bool:
    if not settings.REDIS_URL:
        return True  # embedded default: tasks run in-process, there is no broker to reach
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _migrations_applied() -> bool:
    """No migration on disk is missing from the database; the answer is cached for a few seconds."""
    now = time.monotonic()
    cached = _migrations_checked.get(DEFAULT_DB_ALIAS)
    if cached is not None and now - cached[0] < MIGRATIONS_CHECK_TTL_SECONDS:
        return cached[1]
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        applied = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:  # noqa: BLE001 - an unreadable migration table is "not applied"
        applied = False
    _migrations_checked[DEFAULT_DB_ALIAS] = (now, applied)
    return applied


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker reachability; 503 when either is down."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    body = {"status": "ok" if all(checks.values()) else "error", "checks": checks,
            "broker": "redis" if settings.REDIS_URL else "in-process"}  # fmt: skip
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)


def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to take traffic: database reachable, every migration applied, broker reachable
    (when REDIS_URL is set). 503 with the names of the failing checks otherwise."""
    database = _database_ok()
    checks = {"database": database, "migrations": database and _migrations_applied()}
    if settings.REDIS_URL:
        checks["broker"] = _broker_ok()
    failing = [name for name, ok in checks.items() if not ok]
    body = {"status": "error" if failing else "ok", "checks": checks, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)
