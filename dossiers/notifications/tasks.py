"""Sending messages in the background: each task loads its rows and calls one service."""

import logging
import smtplib

from celery import Task, shared_task
from django.utils import timezone

from .services import (
    apology_reminders_send,
    complaint_answer_tell_applicant,
    events_missing_notifications,
    notify_applicant,
    resend_allowed,
)

logger = logging.getLogger(__name__)


@shared_task(
    bind=True, acks_late=True, autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=True, max_retries=5
)
def notify_applicant_task(self: Task, event_id: int) -> list[str]:
    """services.notify_applicant: idempotent per event and channel; mail and network errors
    retry with backoff."""
    return notify_applicant(event_id=event_id)


@shared_task
def notifications_resend_task(limit: int = 200) -> int:
    """Beat, every few minutes: enqueue the applicant's messages that were never sent (at most
    `limit` events a run; the sending task skips any channel already recorded)."""
    ids = [pk for pk in events_missing_notifications().values_list("pk", flat=True)[:limit] if resend_allowed(pk)]
    for event_id in ids:
        notify_applicant_task.delay(event_id)
    if ids:
        logger.warning("resending the notifications of %d events", len(ids))
    return len(ids)


@shared_task(
    bind=True, acks_late=True, autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=True, max_retries=5
)
def complaint_answer_mail_task(self: Task, complaint_id: int) -> bool:
    """services.complaint_answer_tell_applicant; mail errors retry with backoff."""
    return complaint_answer_tell_applicant(complaint_id=complaint_id)


@shared_task(acks_late=True, queue="default")
def apology_reminders_task() -> dict[str, int]:
    """Each working morning (beat): services.apology_reminders_send for today; once a day."""
    return apology_reminders_send(today=timezone.localdate())
