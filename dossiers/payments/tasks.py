"""Payments in the background: the electronic receipt, and asking the platform about payments
left pending."""

import logging

from celery import Task, shared_task

from common.storage import STORAGE_ERRORS

from .receipts import payment_receipt_issue
from .selectors import payments_pending_to_check
from .services import payment_check_with_platform

logger = logging.getLogger(__name__)


@shared_task(
    bind=True, acks_late=True, autoretry_for=STORAGE_ERRORS, retry_backoff=True, max_retries=5, queue="documents"
)
def payment_receipt_task(self: Task, payment_id: int) -> str:
    """Render and store the electronic receipt of a paid payment; returns the file's name.

    Idempotent through `payment_receipt_issue` (a stored receipt is returned as it is).
    Storage errors retry with backoff; an unpaid payment fails at once (ValueError).
    """
    return payment_receipt_issue(payment_id=payment_id).receipt.name or ""


@shared_task(acks_late=True, queue="default")
def payments_check_pending() -> dict[str, int]:
    """Scheduled (CELERY_BEAT_SCHEDULE): ask the platform about payments left pending.

    Takes payments pending longer than PAYMENT_PENDING_CHECK_AFTER_MINUTES and younger than
    two days, oldest first, a batch at a time; each is checked and applied on its own
    (`payment_check_with_platform` → `payment_confirm`), so one failure stops nothing and a
    second run applies nothing twice. Returns counts by resulting status.
    """
    counts: dict[str, int] = {}
    for payment_id in payments_pending_to_check():
        try:
            status = payment_check_with_platform(payment_id=payment_id).status
        except Exception:  # one bad payment must not stop the batch; it is tried again next run
            logger.exception("pending payment %s could not be checked", payment_id)
            status = "error"
        counts[status] = counts.get(status, 0) + 1
    return counts
