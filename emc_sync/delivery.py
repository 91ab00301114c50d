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
3. sends outside any transaction: dossier records to add (new to the portal) or update,
   in batches; progress records in batches of at most 10; EMC events one by one;
4. records every attempt and moves each row: delivered; back to pending with capped
   exponential backoff and full jitter (no answer, 5xx, 429); failed with the answer kept
   (other 4xx, or our own schema refused the payload). A row whose lease was taken over by
   another worker meanwhile is left to that worker (the claim token no longer matches).
"""

import logging
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from dossiers.services import dossiers_mark_synced

from . import client
from .client import Answer
from .constants import UNDELIVERED, AttemptOutcome, OutboxState, Target
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
    lease = timedelta(seconds=settings.SYNC_LEASE_SECONDS)
    due = Q(state=OutboxState.PENDING, next_attempt_at__lte=now) | Q(
        state=OutboxState.SENDING, lease_expires_at__lt=now
    )
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
                .order_by("id")
                .only(
                    "id", "dossier_id", "event_id", "target", "sequence", "state", "idempotency_key", "payload",
                    "attempts",
                )[: max_rows * 3]
            )  # fmt: skip
            if not window:
                break
            after = window[-1].pk
            candidates += window
            superseded |= _supersede(window)
            # Eligibility over everything read so far: a row whose earlier row is in a previous window waits.
            rows = _in_order([row for row in candidates if row.pk not in superseded])[:max_rows]
            if len(rows) >= max_rows:
                break
        if not candidates:
            return token, [], 0
        if rows:
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


def _post(path: str, rows: list[OutboxRow]) -> Answer:
    return client.post(
        client.national_url(path), [row.payload for row in rows], keys=[row.idempotency_key for row in rows]
    )


def _send_records(rows: list[OutboxRow], path: str, outcomes: dict[int, Outcome]) -> None:
    """Dossier records to add or update: "exists" on add → update; "unknown" on update → add.
    A batch refused as a whole is split, so one bad record does not sink nine good ones."""
    answer = _post(path, rows)
    kind = _classify(answer)
    switch = (path == ADD and answer.error_code == EXISTS) or (path == UPDATE and answer.error_code == UNKNOWN)
    if kind == AttemptOutcome.RETRY or (kind == AttemptOutcome.DELIVERED and not switch):
        for row in rows:
            outcomes[row.pk] = Outcome(kind, answer)
        return
    if len(rows) > 1:
        for row in rows:
            _send_records([row], path, outcomes)
        return
    if switch:
        other = UPDATE if path == ADD else ADD
        second = _post(other, rows)
        outcomes[rows[0].pk] = Outcome(_classify(second), second, f"{path} → {answer.error_code} → {other}")
        return
    outcomes[rows[0].pk] = Outcome(AttemptOutcome.FAILED, answer)


def _send_progress(rows: list[OutboxRow], outcomes: dict[int, Outcome]) -> None:
    answer = _post(PROGRESS, rows)
    kind = _classify(answer)
    if answer.error_code == UNKNOWN:  # the portal does not hold the dossier yet: wait for it
        kind = AttemptOutcome.RETRY
    if kind == AttemptOutcome.FAILED and len(rows) > 1:
        for row in rows:
            _send_progress([row], outcomes)
        return
    for row in rows:
        outcomes[row.pk] = Outcome(kind, answer)


def outbox_send(rows: list[OutboxRow]) -> dict[int, Outcome]:
    """Offer claimed rows to their receivers; returns each row's outcome. No transaction is open."""
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
                _send_records(chunk, path, outcomes)

    # Several rows of one dossier may go in order; after a failure the rest of it waits.
    broken: set[tuple[int, str]] = set()

    def usable(row: OutboxRow) -> bool:
        if (row.dossier_id, row.target) in broken:
            outcomes[row.pk] = Outcome("released")
            return False
        return True

    def note(sent: list[OutboxRow]) -> None:
        for row in sent:
            if outcomes[row.pk].kind != AttemptOutcome.DELIVERED:
                broken.add((row.dossier_id, row.target))

    pending = list(sendable[Target.DVCQG_TIENDO])
    while pending:
        batch: list[OutboxRow] = []
        rest: list[OutboxRow] = []
        for row in pending:
            if not usable(row):
                continue
            (batch if len(batch) < PROGRESS_BATCH_MAX else rest).append(row)
        if not batch:
            break
        _send_progress(batch, outcomes)
        note(batch)
        pending = rest

    for row in sendable[Target.EMC]:
        if not usable(row):
            continue
        answer = client.post(client.emc_url(EMC_EVENT), row.payload, keys=[row.idempotency_key])
        outcomes[row.pk] = Outcome(_classify(answer), answer)
        note([row])
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
            fields: dict[str, Any] = {"delivered_at": now} if state == OutboxState.DELIVERED else {}
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
            wait = timedelta(seconds=backoff_seconds(row.attempts + 1))
            result.retried += mine.filter(pk=row.pk).update(
                state=OutboxState.PENDING,
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
    outcomes = outbox_send(rows)
    result = outbox_record(token, rows, outcomes)
    result.superseded = superseded
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
