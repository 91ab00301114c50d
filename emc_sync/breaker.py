"""Per-receiver health (a circuit breaker), so that an outage costs a probe, not a backlog of backoffs.

Two receivers: the national portal (dossier and progress records) and EMC (events). Each has one
`ReceiverHealth` row:

- closed: rows are sent as usual. Every answer of the receiver (delivered, or a refusal of the
  record: the receiver is up) sets `failures_in_a_row` to 0; every non-answer (no answer, 5xx,
  429) adds one. At SYNC_BREAKER_FAILURES in a row the breaker opens.
- open: no row of the receiver is claimed until `probe_at`; then one drain takes the probe
  (half_open: at most SYNC_BREAKER_PROBE_ROWS rows, the first in line even if their own retry
  time is later, so that a few seeded faults do not keep it open) while the others still skip
  the receiver.
- half_open: the probe's rows are out. If the receiver answers any of them, the breaker closes and every row
  of the receiver waiting for its retry time is released at once (`next_attempt_at` now, its
  retry streak reset); if not, it opens again for longer (doubling up to SYNC_BREAKER_OPEN_MAX_SECONDS).
  A probe whose worker died is taken again once `probe_at` (its lease) passes.

A row's own backoff stays short for its first SYNC_BACKOFF_HEALTHY_TRIES retries (a passing
fault of a receiver that answers), then grows to SYNC_BACKOFF_CAP_SECONDS (a record the receiver
keeps failing on): `row_backoff_seconds`.

Without it, an outage grows every row's backoff (capped at 600 s) and each waiting row holds
back its dossier's later rows: the 704 s tail after a 90 s outage in issue 19's drill.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .constants import BreakerState, OutboxState, Receiver, Target, receiver_of
from .models import OutboxRow, ReceiverHealth


def _targets(receiver: str) -> list[str]:
    return [target for target in Target.values if receiver_of(target) == receiver]


def _health(receiver: str) -> ReceiverHealth:
    health, _created = ReceiverHealth.objects.get_or_create(receiver=receiver)
    return health


def receivers_closed_to_claims(*, now: datetime) -> tuple[set[str], dict[str, int]]:
    """(receivers whose rows must not be claimed now, receivers on probe: at most this many rows).

    Takes the probe of an open receiver whose probe time came (one claimer wins it)."""
    skip: set[str] = set()
    probing: dict[str, int] = {}
    for health in ReceiverHealth.objects.exclude(state=BreakerState.CLOSED):
        if health.probe_at and health.probe_at <= now:
            rows = max(int(settings.SYNC_BREAKER_PROBE_ROWS), 1)
            probe_lease = now + timedelta(seconds=lease_seconds(rows))
            won = (
                ReceiverHealth.objects.filter(pk=health.pk, state=health.state, probe_at=health.probe_at)
                .update(state=BreakerState.HALF_OPEN, probe_at=probe_lease, updated_at=now)
            )  # fmt: skip
            if won:
                probing[health.receiver] = rows
                continue
        skip.add(health.receiver)
    return skip, probing


def lease_seconds(rows: int, *, requests: int | None = None) -> float:
    """How long a claim of `rows` rows may be held: the requests it can make (about one per EMC
    event, fewer for batched records), `SYNC_SEND_CONCURRENCY` at a time, each up to the HTTP
    timeouts, plus a margin; at most SYNC_LEASE_SECONDS. A killed worker's rows come back after
    this, not after a fixed 300 s."""
    requests = rows if requests is None else requests
    concurrency = max(int(settings.SYNC_SEND_CONCURRENCY), 1)
    timeout = float(settings.SYNC_HTTP_TIMEOUT)
    per_request = min(3.05, timeout) + timeout  # connect + read, as client._timeout
    rounds = -(-max(requests, 1) // concurrency)
    estimate = float(settings.SYNC_LEASE_MARGIN_SECONDS) + rounds * per_request
    return min(float(settings.SYNC_LEASE_SECONDS), estimate)


def receiver_report(receiver: str, *, answered: int, unanswered: int, now: datetime | None = None) -> bool:
    """Record one drain's answers of a receiver. Returns True when this closed the breaker (and
    released the waiting rows). `answered`: requests the receiver answered (delivered or a
    refusal of the record); `unanswered`: requests without an answer (no answer, 5xx, 429)."""
    if not answered and not unanswered:
        return False
    now = now or timezone.now()
    with transaction.atomic():
        _health(receiver)
        health = ReceiverHealth.objects.select_for_update().get(receiver=receiver)
        if answered:
            was = health.state
            health.state, health.failures_in_a_row, health.open_seconds = BreakerState.CLOSED, 0, 0
            health.probe_at, health.last_answer_at, health.updated_at = None, now, now
            health.save()
            if was != BreakerState.CLOSED:
                release_waiting(receiver, now=now)
                return True
            return False
        health.failures_in_a_row += unanswered
        if health.state == BreakerState.HALF_OPEN or (
            health.state == BreakerState.CLOSED and health.failures_in_a_row >= int(settings.SYNC_BREAKER_FAILURES)
        ):
            base = float(settings.SYNC_BREAKER_OPEN_SECONDS)
            cap = float(settings.SYNC_BREAKER_OPEN_MAX_SECONDS)
            health.open_seconds = min(cap, health.open_seconds * 2) if health.open_seconds else base
            if health.state == BreakerState.CLOSED:
                health.opened_at = now
            health.state = BreakerState.OPEN
            health.probe_at = now + timedelta(seconds=health.open_seconds)
        health.updated_at = now
        health.save()
    return False


def release_waiting(receiver: str, *, now: datetime) -> int:
    """Every pending row of the receiver waiting for a later retry goes now, its streak reset."""
    return OutboxRow.objects.filter(
        Q(next_attempt_at__gt=now) | Q(retry_streak__gt=0),
        target__in=_targets(receiver),
        state=OutboxState.PENDING,
    ).update(next_attempt_at=now, retry_streak=0)


def receivers_of(targets: Iterable[str]) -> set[str]:
    return {receiver_of(target) for target in targets}


def next_probe_at() -> datetime | None:
    """The earliest probe time of an open receiver (a delivery task may wait for it)."""
    return (
        ReceiverHealth.objects.filter(state=BreakerState.OPEN, probe_at__isnull=False)
        .order_by("probe_at")
        .values_list("probe_at", flat=True)
        .first()
    )


def breaker_states() -> dict[str, str]:
    """Receiver → state, for the sync page and the drills (closed when never reported)."""
    states = dict.fromkeys(Receiver.values, BreakerState.CLOSED.value)
    states.update(dict(ReceiverHealth.objects.values_list("receiver", "state")))
    return states
