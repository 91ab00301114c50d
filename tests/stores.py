"""Test helpers for the portal's stores."""

from django.core.cache import caches


def clear_caches() -> None:
    """Empty every cache: the default one and the rate-limit store ("limits"), which outlive a test
    (one Redis in CI; two separate memories without REDIS_URL)."""
    for cache in caches.all():
        cache.clear()
