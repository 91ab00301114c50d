import pytest
from django.conf import settings


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["checks"] == {"database": True, "broker": True}
    assert body["broker"] == ("redis" if settings.REDIS_URL else "in-process")


def test_healthz_is_503_when_the_broker_is_unreachable(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs the Redis of the full stack")
def test_cache_is_redis_in_the_full_stack():
    from django.core.cache import cache

    cache.set("dvctt-test-key", "giá trị", timeout=5)
    assert cache.get("dvctt-test-key") == "giá trị"
    assert "RedisCache" in settings.CACHES["default"]["BACKEND"]
