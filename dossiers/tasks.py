"""Background work on dossiers: issuing their legal forms as PDFs.

Which forms an event calls for is decided here (`documents_for_event`); the lifecycle
service only has to hand the event over once its transaction has committed
(`issue_documents_on_commit`, a subscriber of `dossiers.events`).
"""

import logging
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.utils import timezone

from accounts.constants import Role
from accounts.models import User
from common.tasks import enqueue_after_commit
from eforms.prefill_sources import RegistryUnavailable
from procedures.models import Agency
from workflows.constants import Action, Status
from workflows.selectors import working_calendar

from .constants import Channel, DocumentKind
from .documents import document_issue
from .drafts import drafts_expire
from .events import DossierChanged
from .models import Dossier, DossierEvent
from .population import population_check
from .selectors import dossiers_due_within_one_working_day
from .services import APOLOGISE

logger = logging.getLogger(__name__)

# The form an officer's action hands to the citizen (or, at the return, completes the file).
FORMS_FOR_ACTION: dict[str, DocumentKind] = {
    Action.RECEIVE: DocumentKind.RECEIPT,
    Action.REQUEST_SUPPLEMENT: DocumentKind.SUPPLEMENT_REQUEST,
    Action.REFUSE: DocumentKind.REFUSAL,
    Action.STOP: DocumentKind.STOP_NOTICE,
    Action.RETURN_RESULT: DocumentKind.CONTROL_SHEET,
}


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, queue="documents")
def document_issue_task(
    self: Task, dossier_id: int, kind: str, event_id: int | None = None, data: dict[str, Any] | None = None
) -> int:
    """Issue form `kind` for a dossier (and event); returns the DossierDocument id.

    Idempotent through `document_issue`: a redelivered or retried task returns the row
    already stored. Storage errors (OSError) retry with exponential backoff and jitter;
    a missing dossier or event, or bad `data`, fails at once (a retry would fail the same way).
    Enqueue it with `transaction.on_commit`, never inside an open transaction.
    """
    dossier = Dossier.objects.select_related("procedure", "agency__parent", "workflow_version", "handler").get(
        pk=dossier_id
    )
    event = dossier.events.select_related("actor").get(pk=event_id) if event_id is not None else None
    return document_issue(dossier=dossier, kind=kind, event=event, data=data).pk


@shared_task(bind=True, acks_late=True, max_retries=8, queue="documents")
def population_check_task(self: Task, dossier_id: int) -> bool:
    """dossiers.population.population_check in the background; retried (30 s, 1 min, ... ≤ 1 h)
    while the population registry cannot answer. Run eagerly (no Redis: in the filing request)
    it tries once: a registry outage must not hold up a filing."""
    try:
        return population_check(dossier_id=dossier_id)
    except RegistryUnavailable as exc:
        if self.request.is_eager:
            logger.warning("population check of dossier %s skipped: %s", dossier_id, exc)
            return False
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 3600)) from exc


def documents_for_event(event: DossierEvent) -> list[tuple[str, dict[str, Any]]]:
    """The forms (kind, data) an event issues: receipt on receiving (and on a walk-in or
    online submission), supplement request, refusal, stop notice, and the
    completed control sheet when the result is returned, the apology letter when an officer
    records one (with its new date). Form 07 (the register, many dossiers) is never automatic.
    """
    if event.from_status is None:
        # Taken in at the desk: received at once. Filed online: the citizen gets the receipt of
        # the electronic filing now (the provisional date); a second one follows the officer's receipt.
        received_or_online = event.to_status == Status.RECEIVED or event.dossier.channel == Channel.ONLINE
        return [(DocumentKind.RECEIPT, {})] if received_or_online else []
    if event.action == APOLOGISE:
        return [(DocumentKind.APOLOGY, {"new_due_at": event.data["new_due_at"]})]
    kind = FORMS_FOR_ACTION.get(event.action)
    return [(kind, {})] if kind is not None else []


def issue_documents_on_commit(change: DossierChanged) -> None:
    """`dossiers.events` subscriber: once the change commits, enqueue the forms its event calls for.

    With eager tasks (no Redis) the PDF is rendered right after the commit, and a failure
    there is logged instead of turning the officer's saved action into an error. Without the
    broker the form is issued on demand when someone opens it (the download views do).
    """
    for kind, data in documents_for_event(change.event):
        enqueue_after_commit(document_issue_task, change.dossier.pk, kind, change.event.pk, data)


# Fee payments (dossiers.payments). Imported inside the tasks: payments enqueues the receipt
# task from here, and a file-level import both ways would be a cycle.


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, queue="documents")
def payment_receipt_task(self: Task, payment_id: int) -> str:
    """Render and store the electronic receipt of a paid payment; returns the file's name.

    Idempotent through `payment_receipt_issue` (a stored receipt is returned as it is).
    Storage errors retry with backoff; an unpaid payment fails at once (ValueError).
    Enqueued by `payment_confirm` with `transaction.on_commit`.
    """
    from .payments import payment_receipt_issue

    return payment_receipt_issue(payment_id=payment_id).receipt.name or ""


@shared_task(acks_late=True, queue="default")
def payments_check_pending() -> dict[str, int]:
    """Scheduled (CELERY_BEAT_SCHEDULE): ask the platform about payments left pending.

    Takes payments pending longer than PAYMENT_PENDING_CHECK_AFTER_MINUTES and younger than
    two days, oldest first, a batch at a time; each is checked and applied on its own
    (`payment_check_with_platform` → `payment_confirm`), so one failure stops nothing and a
    second run applies nothing twice. Returns counts by resulting status.
    """
    from .payments import payment_check_with_platform, payments_pending_to_check

    counts: dict[str, int] = {}
    for payment_id in payments_pending_to_check():
        try:
            status = payment_check_with_platform(payment_id=payment_id).status
        except Exception:  # one bad payment must not stop the batch; it is tried again next run
            logger.exception("pending payment %s could not be checked", payment_id)
            status = "error"
        counts[status] = counts.get(status, 0) + 1
    return counts


@shared_task(acks_late=True, queue="default")
def apology_reminders_task() -> dict[str, int]:
    """Each morning: tell every agency's reception officers and leaders which running dossiers
    fall due within one working day with no apology letter (form 04) yet, so they can issue
    it before the deadline (DOMAIN.md: one working day before, in practice).

    Idempotent per day: a redelivered task finds the day's key taken and sends nothing.
    Returns {agency code: dossiers listed}.
    """
    today = timezone.localdate()
    if not working_calendar().is_working_day(today):
        return {}
    if not cache.add(f"dossiers:apology-reminders:{today.isoformat()}", 1, timeout=36 * 3600):
        return {}
    by_agency: dict[Agency, list[Dossier]] = {}
    for dossier in dossiers_due_within_one_working_day():
        by_agency.setdefault(dossier.agency, []).append(dossier)
    sent = {}
    for agency, due in by_agency.items():
        recipients = list(
            User.objects.filter(
                memberships__agency=agency, role__in=(Role.RECEPTION_OFFICER, Role.LEADER), is_active=True
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not recipients:
            continue
        lines = [
            f"- {d.code} ({d.procedure.name}): hẹn trả {timezone.localtime(d.due_at):%H:%M %d/%m/%Y}"  # type: ignore[arg-type]
            for d in due
        ]
        body = "\n".join(
            [
                f"Các hồ sơ của {agency.name} đến hạn trong vòng một ngày làm việc, chưa có phiếu xin lỗi (mẫu 04):",
                "",
                *lines,
                "",
                "Nếu hồ sơ không kịp trả đúng hẹn, vui lòng lập phiếu xin lỗi và hẹn lại ngày trả kết quả.",
                f"{settings.PORTAL_BASE_URL.rstrip('/')}/can-bo/ho-so/?hang=sap-den-han",
            ]
        )
        send_mail(
            f"{len(due)} hồ sơ sắp đến hạn cần xem xét xin lỗi",
            body,
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
        sent[agency.code] = len(due)
    return sent


@shared_task(acks_late=True, queue="default")
def drafts_expire_task() -> int:
    """Nightly: delete drafts never submitted and untouched for DRAFT_RETENTION_DAYS (see drafts_expire)."""
    return drafts_expire()
