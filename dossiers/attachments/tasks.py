"""The scan queue: files that came while the virus scanner could not answer."""

import logging

from celery import shared_task

from .services import attachments_scan_waiting

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def attachments_scan_waiting_task(limit: int = 100) -> dict[str, int]:
    """Beat, every minute: services.attachments_scan_waiting (idempotent; a file locked by another
    run is skipped, the scanner still down leaves the rest for the next run)."""
    counts = attachments_scan_waiting(limit=limit)
    if counts["waiting"]:
        logger.warning("%d uploads still wait for the virus scanner", counts["waiting"])
    return counts
