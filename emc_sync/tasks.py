"""Celery tasks of the national sync (queue `sync`).

Every task is safe to run twice or in parallel: the outbox rows are the record of what is
owed, claimed with row locks; a task is only a nudge. Lost nudges (broker down at commit,
worker killed) are made up by `outbox_sweep_task`, run by beat every 30 seconds.
"""

import time

from celery import shared_task
from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from .breaker import next_probe_at
from .constants import OutboxState
from .delivery import outbox_drain, outbox_due_count
from .inbound import inbound_poll
from .models import OutboxRow

SWEEP_KICK_KEY = "emc_sync:sweep-kick"
TASK_OPTIONS = {"acks_late": True, "ignore_result": True, "queue": "sync"}


@shared_task(soft_time_limit=120, time_limit=150, **TASK_OPTIONS)
def outbox_deliver_task() -> int:
    """Drain due outbox rows until none may go now or the time budget is spent; returns how
    many were delivered. Preconditions: none. Side effects: HTTP to the receivers, row states."""
    deadline = time.monotonic() + float(settings.SYNC_DRAIN_SECONDS)
    delivered = 0
    while time.monotonic() < deadline:
        result = outbox_drain()
        delivered += result.delivered
        if result.claimed == 0:
            # A receiver's breaker is open: wait for its probe within the budget rather than leave
            # the recovery to the next sweep (the probe's answer releases the waiting rows).
            wait = _until_probe()
            if wait is None or time.monotonic() + wait >= deadline:
                break
            time.sleep(wait)
    return delivered


def _until_probe() -> float | None:
    """Seconds until the next probe of an open receiver with rows waiting for it, else None."""
    probe_at = next_probe_at()
    if probe_at is None or not OutboxRow.objects.filter(state=OutboxState.PENDING).exists():
        return None
    return max((probe_at - timezone.now()).total_seconds(), 0.05)


@shared_task(soft_time_limit=20, time_limit=30, **TASK_OPTIONS)
def outbox_sweep_task() -> int:
    """Beat, every 30 s: if rows are due (pending and due, or held past their lease), ask for
    as many delivery tasks as are useful (at most SYNC_SWEEP_FANOUT); returns how many."""
    due = outbox_due_count()
    # At most one fan-out per drain budget: a long backlog must not pile tasks up in the broker.
    # (None: the limits store is down; the fan-out goes, bounded by SYNC_SWEEP_FANOUT.)
    if not due or caches["limits"].add(SWEEP_KICK_KEY, 1, timeout=max(int(settings.SYNC_DRAIN_SECONDS), 1)) is False:
        return 0
    tasks = min(int(settings.SYNC_SWEEP_FANOUT), -(-due // int(settings.SYNC_DRAIN_BATCH)))
    for _ in range(tasks):
        outbox_deliver_task.apply_async()
    return tasks


@shared_task(soft_time_limit=120, time_limit=150, **TASK_OPTIONS)
def inbound_poll_task() -> int:
    """Beat: read the national portal's feed of new dossiers from our cursor; returns how many
    dossiers were created. Idempotent (each remote dossier is created once)."""
    if not settings.SYNC_INBOUND_ENABLED:
        return 0
    return inbound_poll().created
