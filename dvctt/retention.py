"""How long the portal keeps what only serves operations, and the nightly job that prunes the rest.

Kept for good: dossiers, their events, documents, payments, ratings, complaints (the record of
the administration), the audit of logins (accounts.AuthEvent), and for every dossier the newest
record delivered to each outside system (what the national portal holds: reconciliation and the
national preview read it). Pruned once older than their setting (days, docs/deployment.md):

| what | setting | default |
|---|---|---|
| older delivered and superseded outbox rows, and every delivery attempt | RETENTION_SYNC_DAYS | 90 |
| expired sessions | (their own expiry) | — |
| login attempt counters of django-axes | RETENTION_LOGIN_ATTEMPT_DAYS | 30 |
| notifications sent to applicants | RETENTION_NOTIFICATION_DAYS | 365 |
| inbound failures that were resolved | RETENTION_SYNC_DAYS | 90 |

Deletes go in batches by primary key, each its own short transaction, so the nightly job never
holds a large lock; PostgreSQL's autovacuum reclaims the space (docs/deployment.md).
"""

import datetime as dt
import logging

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from dossiers.models import Notification
from emc_sync.constants import OutboxState
from emc_sync.models import DeliveryAttempt, InboundFailure, OutboxRow

logger = logging.getLogger(__name__)

BATCH = 5_000


def _delete_in_batches(queryset: QuerySet) -> int:
    """Delete what `queryset` selects, BATCH rows per statement; the number deleted."""
    deleted = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return deleted
        queryset.model._default_manager.filter(pk__in=ids).delete()
        deleted += len(ids)


def prunable_outbox_rows(*, before: dt.datetime) -> QuerySet[OutboxRow]:
    """Superseded rows, and delivered rows that a newer delivered row of the same dossier and
    target has replaced, all written before `before`. Pending, sending and failed rows stay: they
    are still owed."""
    newer_delivered = OutboxRow.objects.filter(
        dossier_id=OuterRef("dossier_id"),
        target=OuterRef("target"),
        state=OutboxState.DELIVERED,
        sequence__gt=OuterRef("sequence"),
    )
    return OutboxRow.objects.filter(created_at__lt=before).filter(
        Q(state=OutboxState.SUPERSEDED) | (Q(state=OutboxState.DELIVERED) & Exists(newer_delivered))
    )


def retention_prune(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Prune what is past its keeping time; how many rows of each kind went."""
    now = now or timezone.now()
    sync_before = now - dt.timedelta(days=settings.RETENTION_SYNC_DAYS)
    # Never a notification the resend sweep may still look for (it would be sent again).
    notification_days = max(settings.RETENTION_NOTIFICATION_DAYS, settings.NOTIFICATION_RESEND_HOURS / 24 + 1)
    pruned = {
        "delivery_attempts": _delete_in_batches(DeliveryAttempt.objects.filter(at__lt=sync_before)),
        "outbox_rows": _delete_in_batches(prunable_outbox_rows(before=sync_before)),
        "inbound_failures": _delete_in_batches(InboundFailure.objects.filter(resolved_at__lt=sync_before)),
        "sessions": _delete_in_batches(Session.objects.filter(expire_date__lt=now)),
        "login_attempts": _delete_in_batches(
            AccessAttempt.objects.filter(
                attempt_time__lt=now - dt.timedelta(days=settings.RETENTION_LOGIN_ATTEMPT_DAYS)
            )
        ),
        "notifications": _delete_in_batches(
            Notification.objects.filter(sent_at__lt=now - dt.timedelta(days=notification_days))
        ),
    }
    logger.info("retention: pruned %s", pruned)
    return pruned
