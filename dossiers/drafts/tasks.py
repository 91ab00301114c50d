"""Scheduled work on drafts."""

from celery import shared_task

from .services import drafts_expire


@shared_task(acks_late=True, queue="default")
def drafts_expire_task() -> int:
    """Nightly: delete drafts never submitted and untouched for DRAFT_RETENTION_DAYS (see drafts_expire)."""
    return drafts_expire()
