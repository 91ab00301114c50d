"""Asking the population registry in the background, retried while it cannot answer."""

import logging

from celery import Task, shared_task
from django.conf import settings

from eforms.prefill_sources import RegistryUnavailable

from .services import dossiers_never_asked, population_check

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=8)
def population_check_task(self: Task, dossier_id: int) -> bool:
    """population_check in the background; retried (30 s, 1 min, ... ≤ 1 h) while the population
    registry cannot answer. Run eagerly (no Redis: in the filing request) it tries once: a
    registry outage must not hold up a filing."""
    try:
        return population_check(dossier_id=dossier_id)
    except RegistryUnavailable as exc:
        if self.request.is_eager:
            logger.warning("population check of dossier %s skipped: %s", dossier_id, exc)
            return False
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 3600)) from exc


@shared_task(acks_late=True)
def population_sweep_task() -> int:
    """Beat, every 10 minutes: ask again for the checks that never got an answer; how many."""
    if not settings.POPULATION_CHECK_ENABLED:
        return 0
    ids = dossiers_never_asked()
    for dossier_id in ids:
        population_check_task.delay(dossier_id)
    return len(ids)
