"""Reading again, in the background, the replaced components whose database did not answer at
filing (Resolution 66.7/2025; services.components_reread)."""

import datetime as dt
import logging

from celery import Task, shared_task

from .services import components_reread, components_waiting

logger = logging.getLogger(__name__)

# The sweep looks back this far (older: the officer has asked the applicant for the paper).
SWEEP_MAX_AGE = dt.timedelta(days=7)
SWEEP_LIMIT = 200


class StillUnavailable(Exception):
    """A database still does not answer: the task is retried."""


@shared_task(bind=True, acks_late=True, max_retries=6)
def components_reread_task(self: Task, dossier_id: int) -> int:
    """components_reread in the background; retried (1, 2, 4 … ≤ 30 minutes) while a database
    still does not answer, then left to the sweep. Run eagerly (no broker: right after the
    filing's commit) it tries once. Returns how many components still wait."""
    left = components_reread(dossier_id=dossier_id)
    if left and not self.request.is_eager:
        exc = StillUnavailable(f"{left} component(s) of dossier {dossier_id} still unread")
        if self.request.retries >= self.max_retries:
            logger.warning("%s: left to the sweep", exc)
            return left
        raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 1800))
    return left


@shared_task(acks_late=True)
def components_reread_sweep_task() -> int:
    """Beat, every 15 minutes: re-read, here in the worker, the components still waiting on a
    database (the broker was down at filing, or the task gave up). Returns how many dossiers."""
    ids = components_waiting(max_age=SWEEP_MAX_AGE, limit=SWEEP_LIMIT)
    for dossier_id in ids:
        components_reread(dossier_id=dossier_id)
    return len(ids)
