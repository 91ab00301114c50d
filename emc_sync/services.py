"""Writes of the national sync: outbox rows (in the dossier's transaction), resend, requeue.

`outbox_record_change` runs inside the transaction that changed the dossier
(emc_sync/subscriptions.py), once the use case is complete, so the rows it writes are final
and commit or roll back with the change; `outbox_record_payment` does the same for a fee
paid after its dossier was submitted; `delivery_kick` asks for one delivery task after
that transaction commits (one per commit, however many rows it wrote). If that task is lost
(broker down, worker killed), the beat sweeper finds the rows anyway: the database, not the
broker, is the record of what is owed.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from accounts.models import User
from common.audit import CHANGE, audit_log
from common.tasks import publish_now
from dossiers.events import ComponentsReplaced, DossierChange, PaymentPaid
from dossiers.models import Dossier, DossierEvent

from . import mapping
from .constants import OutboxState, Target
from .exceptions import NothingToResend, SyncNotAllowed
from .models import OutboxRow

logger = logging.getLogger(__name__)


def outbox_key(*, target: str, dossier: Dossier, sequence: int, suffix: str = "") -> str:
    """`<target>:<dossier code>:<event sequence>`: the receiver applies each key once."""
    key = f"{target}:{dossier.code}:{sequence}"
    return f"{key}:{suffix}" if suffix else key


def outbox_record_change(change: DossierChange) -> None:
    """In the dossier's transaction: one row per target for the change, its payload final.

    Writes the dossier record (every change), the progress record (every change) and, for
    the events EMC hears of, the EMC event, built from the dossier as the use case left it
    (files and payments attached). Idempotent per event: a key already written is not
    written twice.
    """
    if not settings.SYNC_ENABLED:
        return
    dossier, event = change.dossier, change.record
    _fresh_lists(dossier)
    rows = [
        _record_row(dossier, event=event, sequence=event.sequence),
        OutboxRow(
            target=Target.DVCQG_TIENDO,
            dossier=dossier,
            event=event,
            sequence=event.sequence,
            idempotency_key=outbox_key(target=Target.DVCQG_TIENDO, dossier=dossier, sequence=event.sequence),
            payload=mapping.progress_record(dossier, event),
        ),
    ]
    emc = mapping.emc_event(dossier, event)
    if emc is not None:
        rows.append(
            OutboxRow(
                target=Target.EMC,
                dossier=dossier,
                event=event,
                sequence=event.sequence,
                idempotency_key=outbox_key(target=Target.EMC, dossier=dossier, sequence=event.sequence),
                payload=emc,
            )
        )
    OutboxRow.objects.bulk_create(rows, ignore_conflicts=True)
    # The caller keeps using this dossier object (the view, a test): no stale lists left on it.
    dossier.__dict__.get("_prefetched_objects_cache", {}).clear()


def outbox_record_payment(paid: PaymentPaid) -> None:
    """In the payment's transaction: a fresh dossier record when a fee of a submitted dossier is paid.

    A payment confirmed after its draft was submitted joins the dossier without a line in the
    dossier's history, so no DossierChange tells the national portal; this record (the
    dossier's whole state, as for a change: the fee now paid online) does. A fee paid while
    the dossier was still a draft has no dossier yet (`dossier_id` None): the submission's own
    record carries it (the submission attaches paid payments before its event), so nothing is
    written here. Idempotent per payment (key suffix `p<payment id>`); it takes the sequence of
    the dossier's latest event, so it goes after that event's record and supersedes it unsent.
    """
    if not settings.SYNC_ENABLED or paid.dossier_id is None:
        return
    dossier = Dossier.objects.select_related("procedure__sector", "agency", "receiving_agency", "applicant").get(
        pk=paid.dossier_id
    )
    last = dossier.events.order_by("-sequence").first()
    _fresh_lists(dossier)
    row = _record_row(dossier, event=last, sequence=last.sequence if last else 0, suffix=f"p{paid.payment_id}")
    OutboxRow.objects.bulk_create([row], ignore_conflicts=True)


def outbox_record_replacements(replaced: ComponentsReplaced) -> None:
    """In the re-read's transaction: a fresh dossier record when components replaced by national
    data were read after filing (their database had not answered then), so that the national
    portal hears of them (TaiLieuNop.MaKetQuaThayThe, DSKetNoiCSDL). No history line, no progress
    record, no EMC event: the dossier did not move. Idempotent per re-read (key suffix
    `c<first row id>-<count>`); it takes the sequence of the dossier's latest event, like a fee paid later."""
    if not settings.SYNC_ENABLED:
        return
    dossier = Dossier.objects.select_related("procedure__sector", "agency", "receiving_agency", "applicant").get(
        pk=replaced.dossier_id
    )
    last = dossier.events.order_by("-sequence").first()
    _fresh_lists(dossier)
    suffix = f"c{min(replaced.replacement_ids)}-{len(replaced.replacement_ids)}"
    row = _record_row(dossier, event=last, sequence=last.sequence if last else 0, suffix=suffix)
    OutboxRow.objects.bulk_create([row], ignore_conflicts=True)


def _fresh_lists(dossier: Dossier) -> None:
    """Load the lists the mapping reads (more than once: the record and the EMC event) once each.
    Fresh, not from an earlier cache: the use case may have attached files or payments since."""
    getattr(dossier, "_prefetched_objects_cache", {}).clear()
    prefetch_related_objects([dossier], "attachments", "payments", "pauses", "procedure__fees")


def _record_row(dossier: Dossier, *, event: DossierEvent | None, sequence: int, suffix: str = "") -> OutboxRow:
    """The national portal's dossier record of the dossier as it stands now."""
    return OutboxRow(
        target=Target.DVCQG_HOSO,
        dossier=dossier,
        event=event,
        sequence=sequence,
        idempotency_key=outbox_key(target=Target.DVCQG_HOSO, dossier=dossier, sequence=sequence, suffix=suffix),
        payload=mapping.dossier_record(dossier),
    )


def delivery_kick(change: DossierChange) -> None:
    """After the commit of a change (once per transaction): one delivery task, failing fast.

    With the broker down the rows are in the database and the beat sweeper finds them."""
    if settings.SYNC_ENABLED and settings.SYNC_DELIVERY_ENABLED:
        _kick_delivery()


def delivery_kick_for_payment(paid: PaymentPaid) -> None:
    """After the commit of a fee paid on a submitted dossier (once per transaction): as delivery_kick.

    A draft's payment wrote no row: no task. A handler of its own rather than delivery_kick
    for both: the registry hands a once-per-transaction handler only the transaction's last
    event, and a draft's payment must not stand in for a dossier change committed with it."""
    if paid.dossier_id is not None and settings.SYNC_ENABLED and settings.SYNC_DELIVERY_ENABLED:
        _kick_delivery()


def delivery_kick_for_replacements(replaced: ComponentsReplaced) -> None:
    """After the commit of a re-read that found replaced components: as delivery_kick."""
    if settings.SYNC_ENABLED and settings.SYNC_DELIVERY_ENABLED:
        _kick_delivery()


def _kick_delivery() -> None:
    # Imported here: tasks imports delivery, which imports this module.
    from .tasks import outbox_deliver_task

    # Fail fast (common.tasks.publish_now): with the broker down the commit has happened, the
    # rows are in the database, and the sweeper will find them; the user must not wait.
    publish_now(outbox_deliver_task)


def delivery_request_after_commit() -> None:
    """Ask for one delivery task when the current transaction commits (once per transaction).

    A failure to enqueue (broker down) is logged, never raised: the rows wait for the sweeper.
    """
    if not settings.SYNC_DELIVERY_ENABLED:
        return
    connection = transaction.get_connection()
    if any(func is _kick_delivery for _savepoints, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_kick_delivery, robust=True)


def _require_sync_admin(actor: User) -> None:
    if not (actor.is_superuser or actor.is_province_admin):
        raise SyncNotAllowed()


@transaction.atomic
def outbox_resend(*, actor: User, row_ids: list[int]) -> int:
    """Put failed rows back in the queue, due now; returns how many.

    For province admins and superusers (SyncNotAllowed otherwise, nothing changed). Only
    rows in state failed are touched (NothingToResend when none is); each resend is written
    to the audit trail with the remote answer it had. Delivery is asked for after commit.
    """
    _require_sync_admin(actor)
    rows = list(OutboxRow.objects.select_for_update().filter(pk__in=row_ids, state=OutboxState.FAILED))
    if not rows:
        raise NothingToResend()
    OutboxRow.objects.filter(pk__in=[row.pk for row in rows]).update(
        state=OutboxState.PENDING, next_attempt_at=timezone.now(), lease_expires_at=None, claim_token=""
    )
    for row in rows:
        audit_log(
            actor=actor,
            obj=row,
            action_flag=CHANGE,
            message=f"Gửi lại {row.idempotency_key} (lần gửi trước: {row.last_status_code or '-'} {row.last_error[:200]})",
        )
    delivery_request_after_commit()
    return len(rows)


@transaction.atomic
def outbox_requeue_dossier(*, dossier: Dossier, reason: str) -> OutboxRow:
    """Queue a fresh dossier record (current state) for a dossier the portal does not hold.

    Used by reconciliation: the record gets a new key (suffix `r<timestamp>`), because the
    portal may have accepted the old key and lost the record since. Older unsent records of
    the dossier (pending or failed) are superseded by it.
    """
    last = dossier.events.order_by("-sequence").first()
    sequence = last.sequence if last else 0
    suffix = f"r{timezone.now():%Y%m%d%H%M%S%f}"
    # The new record carries the whole state: older unsent ones (waiting, or refused and holding
    # the dossier back) are superseded; a refused one keeps its answer for the admins.
    OutboxRow.objects.filter(
        target=Target.DVCQG_HOSO, dossier=dossier, state__in=(OutboxState.PENDING, OutboxState.FAILED)
    ).update(state=OutboxState.SUPERSEDED, last_error=reason)
    row = OutboxRow.objects.create(
        target=Target.DVCQG_HOSO,
        dossier=dossier,
        event=last,
        sequence=sequence,
        idempotency_key=outbox_key(target=Target.DVCQG_HOSO, dossier=dossier, sequence=sequence, suffix=suffix),
        payload=mapping.dossier_record(dossier),
        last_error=reason,
    )
    delivery_request_after_commit()
    return row
