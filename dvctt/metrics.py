"""Prometheus metrics: django-prometheus's request/database metrics plus the portal's own.

The portal's gauges are read from the database when Prometheus scrapes (a custom collector),
so every web worker answers the same figures and nothing has to keep them up to date:
outbox backlog and age of the oldest waiting row per target (emc_sync's admin summary, two
indexed queries) and dossiers waiting for reception (status NEW, indexed).

/metrics answers only loopback and METRICS_ALLOWED_IPS; anyone else gets 404, so the
endpoint does not even show that it exists.
"""

import ipaddress
import logging
import os
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import REGISTRY, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

STORE_ERRORS = Counter(
    "dvctt_store_errors",
    "Errors of a Redis cache or rate-limit store that the portal carried on without (a miss, a limit let through).",
)


class StoreErrorCounter(logging.Filter):
    """On the "dvctt.stores" logger (django-redis logs there each error it ignores): counts them."""

    def filter(self, record: logging.LogRecord) -> bool:
        STORE_ERRORS.inc()
        return True


class PortalCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        from dossiers.models import Dossier
        from emc_sync.selectors import outbox_summary
        from workflows.constants import Status

        pending = GaugeMetricFamily(
            "dvctt_outbox_pending",
            "Outbox rows waiting for delivery (pending or sending), per target.",
            labels=["target"],
        )
        oldest = GaugeMetricFamily(
            "dvctt_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox row waiting for delivery, per target (0 when none waits).",
            labels=["target"],
        )
        failed = GaugeMetricFamily(
            "dvctt_outbox_failed",
            "Outbox rows that failed for good and wait for an admin, per target.",
            labels=["target"],
        )
        waiting = GaugeMetricFamily(
            "dvctt_dossiers_waiting_reception", "Dossiers submitted and not yet received by an officer (status NEW)."
        )
        try:
            for summary in outbox_summary():
                age = summary.oldest_pending_age.total_seconds() if summary.oldest_pending_age else 0.0
                pending.add_metric([summary.target], summary.pending)
                oldest.add_metric([summary.target], age)
                failed.add_metric([summary.target], summary.failed)
            waiting.add_metric([], Dossier.objects.filter(status=Status.NEW).count())
        except Exception:
            # A scrape while the database is down must still answer the process metrics.
            logger.exception("portal metrics unavailable")
            return
        yield from (pending, oldest, failed, waiting)
        yield from beat_last_runs()

    def describe(self) -> Iterator[Metric]:
        return iter(())  # no collection at registration time (no database access at start-up)


def beat_last_runs() -> Iterator[Metric]:
    """When each periodic job of settings.CELERY_BEAT_SCHEDULE last ran, as the failing-over beat
    (celery-redbeat) keeps it in Redis; nothing when the beat is not RedBeat or Redis is away."""
    if settings.CELERY_BEAT_SCHEDULE and "RedBeat" in getattr(settings, "CELERY_BEAT_SCHEDULER", ""):
        from redbeat.schedulers import RedBeatSchedulerEntry

        from .celery import app

        last = GaugeMetricFamily(
            "dvctt_beat_last_run_timestamp_seconds",
            "When the beat last sent each periodic job (Unix time); alert when one is late.",
            labels=["job"],
        )
        try:
            for name in settings.CELERY_BEAT_SCHEDULE:
                try:
                    entry = RedBeatSchedulerEntry.from_key(RedBeatSchedulerEntry.generate_key(app, name), app=app)
                except KeyError:  # never scheduled yet
                    continue
                if entry.last_run_at is not None:
                    last.add_metric([name], entry.last_run_at.timestamp())
        except Exception:
            logger.warning("beat metrics unavailable", exc_info=True)
            return
        yield last


_registered = False


def register_portal_collector() -> None:
    """Idempotent: ready() may run more than once in tests."""
    global _registered  # noqa: PLW0603
    if not _registered:
        REGISTRY.register(PortalCollector())
        _registered = True


def _client_address(request: HttpRequest) -> str:
    # Behind nginx every request comes from loopback: the proxy appends the real client to
    # X-Forwarded-For, so the last entry is the one nobody outside could forge.
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded:
        return forwarded.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def metrics_allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.is_loopback or any(ip in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS)


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for loopback and METRICS_ALLOWED_IPS only (404 otherwise)."""
    if not metrics_allowed(_client_address(request)):
        raise Http404
    registry = REGISTRY
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        # gunicorn with several workers: add up the workers' files, then our database gauges once.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(PortalCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
