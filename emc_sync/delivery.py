"""Delivery of outbox rows: claim (short transaction), send (no transaction), record.

`outbox_drain(max_rows=...)` is the one entry point for workers, the sweeper, tests and
benchmarks. One drain:
1. claims due rows: pending with `next_attempt_at` reached, or sending with an expired lease
   (a worker died holding them), `SELECT ... FOR UPDATE SKIP LOCKED` so that parallel
   workers take disjoint rows (SQLite has no row locks: there the embedded default runs one
   process, and the select is plain); marks them sending with a lease and a claim token;
2. supersedes unsent older dossier records of a dossier that has a newer one (the newest
   carries the whole state), and keeps per-dossier order: a row is taken only if every
   earlier row of the same dossier and target is delivered or superseded; a progress
   record waits until the portal holds the dossier (a delivered dossier record);
3. sends outside any transaction, SYNC_SEND_CONCURRENCY requests at a time (threads over one
   pooled HTTP session): dossier records to add (new to the portal) or update, in batches;
   progress records in batches of at most 10; EMC events one per request. Per-dossier order
   holds: a dossier's rows of one target go one after the other in one lane, lanes in parallel;
   a receiver that stops answering mid-drain (SYNC_BREAKER_FAILURES in a row) gets nothing more
   from this drain, and nothing is sent once the claim's lease is near its end;
4. records every attempt and moves each row: delivered; back to pending with capped
   exponential backoff and full jitter (no answer, 5xx, 429); failed with the answer kept
   (other 4xx, or our own schema refused the payload). A row whose lease was taken over by
   another worker meanwhile is left to that worker (the claim token no longer matches). Each
   receiver's answers feed its circuit breaker (emc_sync.breaker): an open breaker keeps its
   rows from being claimed, one probe tests it, and its answer releases the waiting rows.

The lease is sized to the claim (emc_sync.breaker.lease_seconds), not fixed: a killed worker's
rows come back after about as long as their drain could have taken.
"""

import logging
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from dossiers.services import dossiers_mark_synced

from . import breaker, client
from .client import Answer
from .constants import UNDELIVERED, AttemptOutcome, OutboxState, Receiver, Target, receiver_of
from .models import DeliveryAttempt, OutboxRow
from .schemas import schema_errors

logger = logging.getLogger(__name__)

CLAIM_WINDOWS = 10  # windows of 3 x max_rows due rows read at most, looking for rows that may go now
PROGRESS_BATCH_MAX = 10  # the national portal refuses more progress records per request
ADD, UPDATE, PROGRESS = "/dvcqg/hoso/them", "/dvcqg/hoso/capnhat", "/dvcqg/hoso/tiendo"
EMC_EVENT = "/sukien"
OK, EXISTS, UNKNOWN = "0", "2", "3"


def backoff_seconds(attempts: int, *, rand: Callable[[], float] | None = None) -> float:
    """Seconds to wait after the `attempts`-th failed try: full jitter over a capped exponential,
    uniform in [0, min(cap, base * 2**(attempts-1))] (spreads a crowd of retries after an outage)."""
    base, cap = float(settings.SYNC_BACKOFF_BASE_SECONDS), float(settings.SYNC_BACKOFF_CAP_SECONDS)
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return (rand or random.random)() * ceiling


def row_backoff_seconds(streak: int, *, rand: Callable[[], float] | None = None) -> float:
    """A row's wait after its `streak`-th failure in a row: `backoff_seconds`, but at most
    SYNC_BACKOFF_HEALTHY_CAP_SECONDS for the first SYNC_BACKOFF_HEALTHY_TRIES (outages are the
    breaker's; a few seeded faults must not push a row, and its dossier's later rows, minutes away)."""
    wait = backoff_seconds(streak, rand=rand)
    if streak <= int(settings.SYNC_BACKOFF_HEALTHY_TRIES):
        wait = min(wait, float(settings.SYNC_BACKOFF_HEALTHY_CAP_SECONDS))
    return wait


@dataclass
class Outcome:
    kind: str  # AttemptOutcome value, or "released" (not offered: an earlier row of its dossier failed)
    answer: Answer | None = None
    error: str = ""


@dataclass
class DrainResult:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    superseded: int = 0
    by_target: dict[str, int] = field(default_factory=dict)


# --- 1. claim ---------------------------------------------------------------------------


def _supersede(candidates: list[OutboxRow]) -> set[int]:
    """Mark older dossier records superseded when the dossier has a newer one; returns their ids."""
    records = [row for row in candidates if row.target == Target.DVCQG_HOSO]
    if not records:
        return set()
    newest = dict(
        OutboxRow.objects.filter(target=Target.DVCQG_HOSO, dossier_id__in={row.dossier_id for row in records})
        .exclude(state=OutboxState.SUPERSEDED)
        .values("dossier_id")
        .annotate(newest=Max("id"))
        .values_list("dossier_id", "newest")
    )
    old = {row.pk for row in records if row.pk < newest.get(row.dossier_id, 0)}
    if old:
        OutboxRow.objects.filter(pk__in=old).update(
            state=OutboxState.SUPERSEDED, lease_expires_at=None, claim_token="", last_error="Đã có bản mới hơn."
        )
    return old


def _in_order(candidates: list[OutboxRow]) -> list[OutboxRow]:
    """The candidates that may go now: for each dossier and target, the run of undelivered rows
    from the first one, as far as it is made of candidates; progress only for dossiers the
    portal holds."""
    by_id = {row.pk: row for row in candidates}
    dossier_ids = {row.dossier_id for row in candidates}
    undelivered = (
        OutboxRow.objects.filter(dossier_id__in=dossier_ids, state__in=UNDELIVERED)
        .order_by("dossier_id", "target", "sequence", "id")
        .values_list("id", "dossier_id", "target")
    )
    progress_dossiers = {row.dossier_id for row in candidates if row.target == Target.DVCQG_TIENDO}
    known = set(
        OutboxRow.objects.filter(
            target=Target.DVCQG_HOSO, state=OutboxState.DELIVERED, dossier_id__in=progress_dossiers
        ).values_list("dossier_id", flat=True)
    )
    eligible: list[OutboxRow] = []
    blocked: set[tuple[int, str]] = set()
    for row_id, dossier_id, target in undelivered:
        group = (dossier_id, target)
        if group in blocked:
            continue
        row = by_id.get(row_id)
        if row is None or (target == Target.DVCQG_TIENDO and dossier_id not in known):
            blocked.add(group)
            continue
        eligible.append(row)
    return eligible


def outbox_claim(*, max_rows: int, now: datetime | None = None) -> tuple[str, list[OutboxRow], int]:
    """Claim up to `max_rows` due rows for this worker; returns (claim token, rows, superseded)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    due = Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(
        state=OutboxState.SENDING, lease_expires_at__lt=now
    )
    # A receiver whose breaker is open gets nothing; one on probe, one row (emc_sync.breaker).
    closed_to_claims, probing = breaker.receivers_closed_to_claims(now=now)
    skipped_targets = [t for t in Target.values if receiver_of(t) in closed_to_claims]
    probe_targets = [t for t in Target.values if receiver_of(t) in probing]
    if probe_targets:  # the probe takes the row first in line, even one whose retry time is later
        due |= Q(state=OutboxState.PENDING, target__in=probe_targets)
    with transaction.atomic():
        # More candidates than we take: some wait behind an earlier row of their dossier (one in
        # backoff, held by another worker, or failed). Read on past a window of waiting rows, or
        # rows waiting behind failures would stop every delivery once they fill the first window.
        candidates: list[OutboxRow] = []
        superseded: set[int] = set()
        rows: list[OutboxRow] = []
        after = 0
        for _window in range(CLAIM_WINDOWS):
            window = list(
                OutboxRow.objects.select_for_update(skip_locked=True)
                .filter(due, pk__gt=after)
                .exclude(target__in=skipped_targets)
                .order_by("id")
                .only(
                    "id", "dossier_id", "event_id", "target", "sequence", "state", "idempotency_key", "payload",
                    "attempts", "retry_streak",
                )[: max_rows * 3]
            )  # fmt: skip
            if not window:
                break
            after = window[-1].pk
            candidates += window
            superseded |= _supersede(window)
            # Eligibility over everything read so far: a row whose earlier row is in a previous window waits.
            rows = _probe_only(_in_order([row for row in candidates if row.pk not in superseded]), probing)
            rows = rows[:max_rows]
            if len(rows) >= max_rows:
                break
        if not candidates:
            return token, [], 0
        if rows:
            lease = timedelta(seconds=claim_lease_seconds(rows))
            # The condition is checked again by the UPDATE itself: without row locks (SQLite, the
            # embedded default's threads) two claimers may have read the same rows; only one wins each.
            won = (
                OutboxRow.objects.filter(pk__in=[row.pk for row in rows])
                .filter(due)
                .update(state=OutboxState.SENDING, lease_expires_at=now + lease, claim_token=token)
            )
            if won != len(rows):
                mine = set(OutboxRow.objects.filter(claim_token=token).values_list("pk", flat=True))
                rows = [row for row in rows if row.pk in mine]
    return token, rows, len(superseded)


def _probe_only(rows: list[OutboxRow], probing: dict[str, int]) -> list[OutboxRow]:
    """At most `probing[receiver]` rows of a receiver on probe."""
    if not probing:
        return rows
    left = dict(probing)
    kept = []
    for row in rows:
        receiver = receiver_of(row.target)
        if receiver in left:
            if left[receiver] <= 0:
                continue
            left[receiver] -= 1
        kept.append(row)
    return kept


def _requests_for(rows: list[OutboxRow]) -> int:
    """About how many requests sending these rows takes (records and progress go in batches)."""
    count = Counter(row.target for row in rows)
    return (
        count[Target.EMC]
        + -(-count[Target.DVCQG_HOSO] // max(int(settings.SYNC_RECORD_BATCH), 1))
        + -(-count[Target.DVCQG_TIENDO] // PROGRESS_BATCH_MAX)
    )


def claim_lease_seconds(rows: list[OutboxRow]) -> float:
    return breaker.lease_seconds(len(rows), requests=_requests_for(rows))


# --- 2. send ----------------------------------------------------------------------------


def _batches(rows: list[OutboxRow], size: int) -> Iterable[list[OutboxRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _classify(answer: Answer) -> str:
    if answer.status_code is not None and 200 <= answer.status_code < 300 and answer.error_code in (OK, None):
        return AttemptOutcome.DELIVERED
    if answer.retryable:
        return AttemptOutcome.RETRY
    return AttemptOutcome.FAILED


class Gate:
    """One drain's view of its receivers, shared by its sending threads: requests answered and
    not answered per receiver (reported to the breaker after the drain), and whether a request
    may still go (not after SYNC_BREAKER_FAILURES unanswered in a row, nor past the deadline)."""

    def __init__(self, deadline: float | None = None) -> None:
        self.deadline = deadline
        self.lock = threading.Lock()
        self.answered: Counter[str] = Counter()
        self.unanswered: Counter[str] = Counter()
        self.in_a_row: Counter[str] = Counter()

    def may_send(self, receiver: str) -> bool:
        if self.deadline is not None and time.monotonic() > self.deadline:
            return False
        with self.lock:
            return self.in_a_row[receiver] < int(settings.SYNC_BREAKER_FAILURES)

    def note(self, receiver: str, answer: Answer) -> None:
        with self.lock:
            if answer.retryable:
                self.unanswered[receiver] += 1
                self.in_a_row[receiver] += 1
            else:
                self.answered[receiver] += 1
                self.in_a_row[receiver] = 0

    def call(self, receiver: str, send: Callable[[], Answer]) -> Answer | None:
        """`send()` if the receiver may still be asked, else None (the rows are released)."""
        if not self.may_send(receiver):
            return None
        answer = send()
        self.note(receiver, answer)
        return answer


def _post(path: str, rows: list[OutboxRow], gate: Gate) -> Answer | None:
    return gate.call(
        Receiver.DVCQG,
        lambda: client.post(
            client.national_url(path), [row.payload for row in rows], keys=[row.idempotency_key for row in rows]
        ),
    )


def _release(rows: list[OutboxRow], outcomes: dict[int, Outcome]) -> None:
    for row in rows:
        outcomes[row.pk] = Outcome("released")


def _send_records(rows: list[OutboxRow], path: str, outcomes: dict[int, Outcome], gate: Gate) -> None:
    """Dossier records to add or update: "exists" on add → update; "unknown" on update → add.
    A batch refused as a whole is split, so one bad record does not sink nine good ones."""
    answer = _post(path, rows, gate)
    if answer is None:
        _release(rows, outcomes)
        return
    kind = _classify(answer)
    switch = (path == ADD and answer.error_code == EXISTS) or (path == UPDATE and answer.error_code == UNKNOWN)
    if kind == AttemptOutcome.RETRY or (kind == AttemptOutcome.DELIVERED and not switch):
        for row in rows:
            outcomes[row.pk] = Outcome(kind, answer)
        return
    if len(rows) > 1:
        for row in rows:
            _send_records([row], path, outcomes, gate)
        return
    if switch:
        other = UPDATE if path == ADD else ADD
        second = _post(other, rows, gate)
        if second is None:
            _release(rows, outcomes)
            return
        outcomes[rows[0].pk] = Outcome(_classify(second), second, f"{path} → {answer.error_code} → {other}")
        return
    outcomes[rows[0].pk] = Outcome(AttemptOutcome.FAILED, answer)


def _send_progress(rows: list[OutboxRow], outcomes: dict[int, Outcome], gate: Gate) -> None:
    answer = _post(PROGRESS, rows, gate)
    if answer is None:
        _release(rows, outcomes)
        return
    kind = _classify(answer)
    if answer.error_code == UNKNOWN:  # the portal does not hold the dossier yet: wait for it
        kind = AttemptOutcome.RETRY
    if kind == AttemptOutcome.FAILED and len(rows) > 1:
        for row in rows:
            _send_progress([row], outcomes, gate)
        return
    for row in rows:
        outcomes[row.pk] = Outcome(kind, answer)


def _lanes(rows: list[OutboxRow], fill: int) -> list[list[OutboxRow]]:
    """Rows (in sequence order) cut into lanes of whole dossiers, each about `fill` rows: a
    dossier's rows stay in one lane, in order; lanes may go in parallel."""
    by_dossier: dict[int, list[OutboxRow]] = defaultdict(list)
    for row in rows:
        by_dossier[row.dossier_id].append(row)
    lanes: list[list[OutboxRow]] = [[]]
    for dossier_rows in by_dossier.values():
        if lanes[-1] and len(lanes[-1]) + len(dossier_rows) > fill:
            lanes.append([])
        lanes[-1].extend(dossier_rows)
    return [lane for lane in lanes if lane]


def _send_lane(rows: list[OutboxRow], outcomes: dict[int, Outcome], gate: Gate, batch_max: int) -> None:
    """Progress records or EMC events of a lane, in order; after a failure the rest of that
    dossier waits (released)."""
    broken: set[int] = set()
    pending = list(rows)
    while pending:
        batch: list[OutboxRow] = []
        rest: list[OutboxRow] = []
        for row in pending:
            if row.dossier_id in broken:
                outcomes[row.pk] = Outcome("released")
                continue
            (batch if len(batch) < batch_max else rest).append(row)
        if not batch:
            break
        if batch[0].target == Target.EMC:
            row = batch[0]
            rest = batch[1:] + rest
            answer = gate.call(
                Receiver.EMC, partial(client.post, client.emc_url(EMC_EVENT), row.payload, keys=[row.idempotency_key])
            )
            if answer is None:
                outcomes[row.pk] = Outcome("released")
            else:
                outcomes[row.pk] = Outcome(_classify(answer), answer)
        else:
            _send_progress(batch, outcomes, gate)
        for row in batch if batch[0].target != Target.EMC else batch[:1]:
            if outcomes[row.pk].kind != AttemptOutcome.DELIVERED:
                broken.add(row.dossier_id)
        pending = rest


def outbox_send(rows: list[OutboxRow], *, gate: Gate | None = None) -> dict[int, Outcome]:
    """Offer claimed rows to their receivers; returns each row's outcome. No transaction is open;
    the requests go SYNC_SEND_CONCURRENCY at a time (threads that touch no database)."""
    gate = gate or Gate()
    outcomes: dict[int, Outcome] = {}
    by_target: dict[str, list[OutboxRow]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.sequence, r.pk)):
        by_target[row.target].append(row)
    sendable: dict[str, list[OutboxRow]] = defaultdict(list)
    for target, target_rows in by_target.items():
        for row in target_rows:
            errors = schema_errors(target, row.payload)
            if errors:
                outcomes[row.pk] = Outcome(AttemptOutcome.INVALID, None, "; ".join(errors)[:5000])
            else:
                sendable[target].append(row)

    jobs: list[Callable[[], None]] = []
    records = sendable[Target.DVCQG_HOSO]
    if records:
        known = set(
            OutboxRow.objects.filter(
                target=Target.DVCQG_HOSO, state=OutboxState.DELIVERED, dossier_id__in={r.dossier_id for r in records}
            ).values_list("dossier_id", flat=True)
        )
        size = int(settings.SYNC_RECORD_BATCH)
        for path, group in ((UPDATE, [r for r in records if r.dossier_id in known]),
                            (ADD, [r for r in records if r.dossier_id not in known])):  # fmt: skip
            for chunk in _batches(group, size):
                jobs.append(partial(_send_records, chunk, path, outcomes, gate))
    for lane in _lanes(sendable[Target.DVCQG_TIENDO], PROGRESS_BATCH_MAX):
        jobs.append(partial(_send_lane, lane, outcomes, gate, PROGRESS_BATCH_MAX))
    emc = sendable[Target.EMC]
    concurrency = max(int(settings.SYNC_SEND_CONCURRENCY), 1)
    for lane in _lanes(emc, max(1, -(-len(emc) // concurrency))):
        jobs.append(partial(_send_lane, lane, outcomes, gate, 1))

    if len(jobs) > 1 and concurrency > 1:
        with ThreadPoolExecutor(min(concurrency, len(jobs)), thread_name_prefix="outbox-send") as pool:
            for future in [pool.submit(job) for job in jobs]:
                future.result()
    else:
        for job in jobs:
            job()
    return outcomes


# --- 3. record --------------------------------------------------------------------------


def outbox_record(token: str, rows: list[OutboxRow], outcomes: dict[int, Outcome]) -> DrainResult:
    """Write each row's new state and one attempt line per offered row.

    Only rows still held with this claim token change (a worker whose lease was taken over
    leaves them to the new holder). Rows sharing an answer (a batch) change in one statement.
    """
    now = timezone.now()
    result = DrainResult(claimed=len(rows))
    attempts: list[DeliveryAttempt] = []
    released: list[int] = []
    shared: dict[tuple[str, str, int | None, str, str], list[int]] = defaultdict(list)
    retries: list[tuple[OutboxRow, int | None, str, str]] = []
    for row in rows:
        outcome = outcomes.get(row.pk, Outcome("released"))
        if outcome.kind == "released":
            released.append(row.pk)
            continue
        answer = outcome.answer
        status = answer.status_code if answer else None
        body = answer.body if answer else ""
        error = outcome.error or (answer.error if answer else "") or ("" if status is None else f"HTTP {status}")
        if outcome.kind == AttemptOutcome.DELIVERED:
            error = outcome.error
        if outcome.kind == AttemptOutcome.RETRY:
            retries.append((row, status, body, error))
        else:
            shared[(outcome.kind, row.target, status, body, error)].append(row.pk)
        attempts.append(
            DeliveryAttempt(
                row_id=row.pk,
                at=now,
                outcome=outcome.kind,
                status_code=status,
                response=body,
                error=error,
                duration_ms=answer.duration_ms if answer else 0,
            )
        )
    mine = OutboxRow.objects.filter(claim_token=token, state=OutboxState.SENDING)
    done = {"lease_expires_at": None, "claim_token": "", "attempts": F("attempts") + 1}
    with transaction.atomic():
        if released:
            result.released = mine.filter(pk__in=released).update(
                state=OutboxState.PENDING, lease_expires_at=None, claim_token=""
            )
        for (kind, target, status, body, error), ids in shared.items():
            state = OutboxState.DELIVERED if kind == AttemptOutcome.DELIVERED else OutboxState.FAILED
            fields: dict[str, Any] = {"delivered_at": now, "retry_streak": 0} if state == OutboxState.DELIVERED else {}
            changed = mine.filter(pk__in=ids).update(
                state=state, last_status_code=status, last_response=body, last_error=error, **fields, **done
            )
            if state == OutboxState.DELIVERED:
                result.delivered += changed
                result.by_target[target] = result.by_target.get(target, 0) + changed
                if target == Target.DVCQG_HOSO:  # the portal holds the dossier: indicator 1.4
                    dossiers_mark_synced(dossier_ids={r.dossier_id for r in rows if r.pk in ids}, at=now)
            else:
                result.failed += changed
        for row, status, body, error in retries:
            # The streak, not the attempts: the breaker resets it when the receiver is back.
            wait = timedelta(seconds=row_backoff_seconds(row.retry_streak + 1))
            result.retried += mine.filter(pk=row.pk).update(
                state=OutboxState.PENDING,
                retry_streak=F("retry_streak") + 1,
                next_attempt_at=now + wait,
                last_status_code=status,
                last_response=body,
                last_error=error,
                **done,
            )
        DeliveryAttempt.objects.bulk_create(attempts)
    return result


def outbox_drain(*, max_rows: int | None = None, now: datetime | None = None) -> DrainResult:
    """Claim, send and record one batch of due rows; safe to run in any number of workers at once.

    Returns what happened (claimed 0: nothing due that may go now). Idempotent at the
    receiver: every record carries its idempotency key, so a row sent twice (a worker killed
    after sending, before recording) is applied once.
    """
    token, rows, superseded = outbox_claim(max_rows=max_rows or int(settings.SYNC_DRAIN_BATCH), now=now)
    if not rows:
        return DrainResult(superseded=superseded)
    # Nothing more goes out once the lease is nearly spent: the rows not offered are released
    # rather than sent by us while another worker may have taken them over.
    lease = claim_lease_seconds(rows)
    gate = Gate(deadline=time.monotonic() + lease - min(float(settings.SYNC_LEASE_MARGIN_SECONDS), lease / 2))
    outcomes = outbox_send(rows, gate=gate)
    result = outbox_record(token, rows, outcomes)
    result.superseded = superseded
    for receiver in Receiver.values:
        breaker.receiver_report(
            receiver, answered=gate.answered[receiver], unanswered=gate.unanswered[receiver], now=now
        )
    if result.failed or result.retried:
        logger.warning(
            "outbox drain: %s delivered, %s retried, %s failed", result.delivered, result.retried, result.failed
        )
    return result


def outbox_due_count(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return OutboxRow.objects.filter(
        Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(state=OutboxState.SENDING, lease_expires_at__lt=now)
    ).count()
