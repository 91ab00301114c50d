"""Operational endpoints."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
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


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker reachability; 503 when either is down."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    body = {"status": "ok" if all(checks.values()) else "error", "checks": checks,
            "broker": "redis" if settings.REDIS_URL else "in-process"}  # fmt: skip
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
