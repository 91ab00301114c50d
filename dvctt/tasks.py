"""Scheduled work that belongs to no single app."""

from celery import shared_task

from .retention import retention_prune


@shared_task(acks_late=True, queue="default")
def retention_prune_task() -> dict[str, int]:
    """Nightly: prune what is past its keeping time (dvctt.retention)."""
    return retention_prune()
