"""The dossier lifecycle: the only code that creates dossiers and changes their status or step.

Every change locks the dossier row, asks `workflows` whether the action is allowed at this
step for this role, writes the change and appends an immutable history row, and publishes
one typed event (`dossiers.events`). Each service is a use case (`@use_case`): the event is
dispatched once the outermost use case has finished its writes, in its transaction, so the
subscribers (the national sync's outbox rows among them) see the whole dossier.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from eforms.models import FormVersion
from procedures.constants import ResultDelivery
from procedures.models import Agency, Procedure
from workflows import engine
from workflows.constants import CITIZEN_ACTIONS, TERMINAL_STATUSES, Action, Status
from workflows.exceptions import ActionNotAllowed
from workflows.models import WorkflowVersion
from workflows.selectors import workflow_version_current, working_calendar

from . import access
from .answers import answer_once
from .constants import AttachmentRole, Channel, EventKind, ObligationSettlement, PauseKind, PaymentStatus
from .events import ConsultationAnswered, DossierApologised, change_from_row, publish, use_case
from .exceptions import (
    CommentRequired,
    ConsultationClosed,
    ConsultationInvalid,
    DossierChangedMeanwhile,
    DossierClosedForUpdate,
    DossierNotFound,
    IdempotencyKeyElsewhere,
    ObligationInvalid,
    PaperResultNotConfirmed,
    ProcedureNotOpen,
    ResultFileMissing,
    ResultNotSigned,
)
from .models import Consultation, Dossier, DossierCodeCounter, DossierEvent, DossierPause, FinancialObligation
from .replacements.services import components_replace

# Actions whose reason the citizen must read: refusing, asking for more, sending back, stopping.
# Also the content of a financial obligation, and how it was met (the proof seen, the transaction).
COMMENT_REQUIRED = frozenset(
    {
        Action.REFUSE, Action.REQUEST_SUPPLEMENT, Action.SEND_BACK, Action.STOP,
        Action.REQUEST_PAYMENT, Action.SETTLE_PAYMENT,
    }
)  # fmt: skip
# What a record forwarded again by Cổng DVCQG may change on the dossier (dossier_update_forwarded).
FORWARDED_FACTS = (
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "summary",
    "form_data",
)
# Channels where the dossier is taken in by an officer at the desk: received on submission.
RECEIVED_ON_SUBMIT = frozenset({Channel.DIRECT})


def dossier_code_next(*, agency: Agency, day: dt.date) -> str:
    """`<agency identifier>-<YYMMDD>-<NNNN>`, the sequence per agency per day.

    The sequence is four digits, zero-padded, and grows a digit past 9999 rather than wrap or
    refuse: a province desk taking in more than 9,999 dossiers in a day keeps unique codes of the
    same shape (`…-10000`), and a 14-character agency identifier leaves the code at 27 characters,
    well inside the national portal's 40 (docs/national-sync.md, "Dossier codes").

    One upsert statement takes the next number under the counter row's lock, so two
    submissions at once never get the same number; a number is never handed out twice
    (a rolled-back transaction takes its number back with it, unseen by anyone).
    """
    table = DossierCodeCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, day, last_number) VALUES (%s, %s, 1) "  # noqa: S608 - our table name
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [agency.pk, day],
        )
        (number,) = cursor.fetchone()
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def _due_at(procedure: Procedure, *, start: dt.datetime, channel: str) -> dt.datetime:
    return working_calendar().due_at(
        start,
        time_limit_value=procedure.time_limit_value,
        time_limit_unit=procedure.time_limit_unit,
        same_day_rule=procedure.same_day_rule,
        online_time_limit_value=procedure.online_time_limit_value,
        online=channel in (Channel.ONLINE, Channel.NATIONAL_PORTAL),
    )


def _append_event(
    dossier: Dossier,
    *,
    action: EventKind,
    actor: User | None,
    at: dt.datetime,
    from_status: int | None,
    from_step: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    last_sequence: int | None = None,
) -> DossierEvent:
    """The next history row (`last_sequence`: the caller already read it under the row lock)."""
    if last_sequence is None:
        last_sequence = dossier.events.aggregate(n=Max("sequence"))["n"] or 0
    return DossierEvent.objects.create(
        dossier=dossier,
        sequence=last_sequence + 1,
        action=action,
        actor=actor,
        actor_role=actor.role if actor else "",
        at=at,
        from_status=from_status,
        to_status=dossier.status,
        from_step=from_step,
        to_step=dossier.step_key,
        comment=comment,
        data=data or {},
        idempotency_key=idempotency_key,
    )


@use_case
def dossier_submit(
    *,
    procedure: Procedure,
    agency: Agency,
    channel: Channel,
    applicant_name: str,
    applicant: User | None = None,
    applicant_id_number: str = "",
    applicant_phone: str = "",
    applicant_email: str = "",
    summary: str = "",
    form_data: dict[str, Any] | None = None,
    form_version: FormVersion | None = None,
    actor: User | None = None,
    idempotency_key: str | None = None,
    result_delivery: str = "",
    result_address: str = "",
    national_code: str = "",
    receiving_agency: Agency | None = None,
    submitted_at: dt.datetime | None = None,
    language: str = "",
) -> Dossier:
    """Create a submitted dossier: code, provisional due date, first history row, DossierSubmitted.

    `agency` is the competent agency (cơ quan giải quyết), which must implement the procedure;
    `receiving_agency` the one-stop desk where it is handed in and its result collected (nơi
    tiếp nhận): any active agency of the province (Decree 118/2025, receipt regardless of
    administrative boundary), by default the competent agency itself. The code is numbered by
    the receiving desk. A dossier taken in at a desk other than the competent agency is handed
    over to it in the same use case (`DossierHandedOver`, a second history row).

    A dossier forwarded by Cổng DVCQG (`Channel.NATIONAL_PORTAL`) keeps `national_code`, the
    national portal's MaHoSo, for its whole life: no second, local code is made (DOMAIN.md), and
    `submitted_at`, the national portal's NgayNopHoSo (when the citizen filed there; never later
    than now): the provisional due date counts from it. Others are submitted now.

    Preconditions: the procedure is published, online-capable for online channels,
    implemented by `agency`, with a published workflow. Online, post and national-portal
    dossiers start as status 1 (new) awaiting reception; a dossier taken in at the desk
    (`Channel.DIRECT`, `actor` the officer) is received at once (status 2).
    `language`: the one the applicant filed in (their mails and text messages use it); anything
    not in settings.LANGUAGES, or blank, is Vietnamese.
    A repeated call with the same `idempotency_key` returns the first dossier.
    Called inside a larger use case (draft_submit), the event waits for that one's end.
    """
    if idempotency_key:
        earlier = DossierEvent.objects.filter(idempotency_key=idempotency_key).select_related("dossier").first()
        if earlier is not None:
            return earlier.dossier
    reason = ""
    if not procedure.is_published:
        reason = _("thủ tục chưa được công bố.")
    elif channel == Channel.ONLINE and not procedure.is_online:
        reason = _("thủ tục chỉ cung cấp thông tin, không nhận hồ sơ trực tuyến.")
    elif channel == Channel.DIRECT and procedure.channels and Channel.DIRECT not in procedure.channels:
        # An "online only" service (console step 1: paper no longer accepted at the desk).
        reason = _("thủ tục chỉ nhận hồ sơ trực tuyến, không nhận hồ sơ giấy tại bộ phận một cửa.")
    elif not procedure.implementing_agencies.filter(pk=agency.pk).exists():
        reason = _("%(agency)s không thực hiện thủ tục này.") % {"agency": agency.name}
    elif receiving_agency is not None and not receiving_agency.is_active:
        reason = _("%(agency)s không còn tiếp nhận hồ sơ.") % {"agency": receiving_agency.name}
    version = workflow_version_current(procedure=procedure)
    if not reason and version is None:
        reason = _("chưa có quy trình điện tử được ban hành.")
    if reason:
        raise ProcedureNotOpen(code=procedure.code, reason=reason)
    assert version is not None  # noqa: S101 - narrowed by the check above
    try:
        # A savepoint, so that losing a race on the idempotency key (a double click whose
        # two requests arrive together) leaves the outer transaction usable.
        with transaction.atomic():
            dossier, row = _create_submitted(
                procedure=procedure, agency=agency, channel=channel, version=version, applicant=applicant,
                applicant_name=applicant_name, applicant_id_number=applicant_id_number,
                applicant_phone=applicant_phone, applicant_email=applicant_email, summary=summary,
                form_data=form_data, form_version=form_version, actor=actor, idempotency_key=idempotency_key,
                result_delivery=result_delivery, result_address=result_address, national_code=national_code,
                receiving_agency=receiving_agency or agency, submitted_at=submitted_at,
                language=dossier_language(language),
            )  # fmt: skip
    except IntegrityError:
        earlier = DossierEvent.objects.filter(idempotency_key=idempotency_key).select_related("dossier").first()
        if idempotency_key and earlier is not None:
            return earlier.dossier
        raise
    publish(change_from_row(dossier, row))
    if dossier.status == Status.RECEIVED and dossier.handed_over:
        _hand_over(dossier, actor=actor, at=row.at, last_sequence=row.sequence)
    return dossier


def dossier_language(language: str) -> str:
    """`language` ("en", "en-us") as one of settings.LANGUAGES, else the portal's own (Vietnamese)."""
    code = (language or "").split("-")[0].lower()
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _hand_over(dossier: Dossier, *, actor: User | None, at: dt.datetime, last_sequence: int) -> DossierEvent:
    """The receiving desk hands a dossier it just received to the competent agency (Decree 118/2025).

    Part of the receipt's use case: the dossier moves on from the desk step the way the desk's
    own "forward" would (into the competent agency's queue for the next step), and one history
    row (EventKind.HANDOVER, giver and receiver in its data, for form 06) publishes
    DossierHandedOver. A first step with no "forward" keeps its step: the row records the handover.
    """
    definition = dossier.workflow_version.definition
    from_status, from_step = dossier.status, dossier.step_key
    step = next(s for s in engine.steps_of(definition) if s.key == dossier.step_key)
    if Action.FORWARD in step.actions:
        plan = engine.plan_transition(
            definition, step_key=step.key, status=Status(dossier.status), action=Action.FORWARD, role=step.role
        )
        assert plan.to_status is not None  # noqa: S101 - forward always names its status
        dossier.status, dossier.step_key, dossier.step_role = plan.to_status, plan.to_step, plan.to_role
        fields = ["status", "step_key", "step_role", "updated_at"]
        if plan.finishes:
            dossier.finished_at = at
            fields.append("finished_at")
        dossier.save(update_fields=fields)
    row = _append_event(
        dossier, action=EventKind.HANDOVER, actor=actor, at=at, from_status=from_status, from_step=from_step,
        data={
            "from_agency": dossier.receiving_unit_id, "to_agency": dossier.agency_id,
            "from_agency_name": dossier.receiving_unit.name, "to_agency_name": dossier.agency.name,
        },
        last_sequence=last_sequence,
    )  # fmt: skip
    publish(change_from_row(dossier, row))
    return row


def _create_submitted(
    *,
    procedure: Procedure,
    agency: Agency,
    channel: Channel,
    version: WorkflowVersion,
    applicant: User | None,
    applicant_name: str,
    applicant_id_number: str,
    applicant_phone: str,
    applicant_email: str,
    summary: str,
    form_data: dict[str, Any] | None,
    form_version: FormVersion | None,
    actor: User | None,
    idempotency_key: str | None,
    result_delivery: str,
    result_address: str,
    national_code: str,
    receiving_agency: Agency,
    language: str,
    submitted_at: dt.datetime | None = None,
) -> tuple[Dossier, DossierEvent]:
    now = timezone.now()
    filed = min(submitted_at, now) if submitted_at is not None else now
    received = channel in RECEIVED_ON_SUBMIT
    dossier = Dossier.objects.create(
        code=national_code or dossier_code_next(agency=receiving_agency, day=timezone.localdate(now)),
        procedure=procedure,
        agency=agency,
        receiving_agency=receiving_agency,
        channel=channel,
        applicant=applicant,
        applicant_name=applicant_name,
        applicant_id_number=applicant_id_number,
        applicant_phone=applicant_phone,
        applicant_email=applicant_email,
        summary=summary[:1000],
        form_data=form_data or {},
        form_version=form_version,
        result_delivery=result_delivery,
        result_address=result_address[:500],
        workflow_version=version,
        step_key=engine.first_step(version.definition).key,
        step_role=engine.first_step(version.definition).role,
        status=Status.RECEIVED if received else Status.NEW,
        handler=actor if received else None,
        submitted_at=filed,
        received_at=now if received else None,
        due_at=_due_at(procedure, start=filed, channel=channel),
        language=language,
    )
    # Resolution 66.7/2025: components replaced by national data are read now, before the event.
    components_replace(dossier=dossier)
    row = _append_event(
        dossier, action=EventKind.SUBMIT, actor=actor or applicant, at=now, from_status=None, from_step="",
        idempotency_key=idempotency_key, last_sequence=0,
    )  # fmt: skip
    return dossier, row


def _replayed(*, dossier_id: int, actor: User, idempotency_key: str) -> Dossier | None:
    """The dossier, when this key was already applied to it (a double click, a retried request).

    The key must belong to this dossier (IdempotencyKeyElsewhere otherwise) and the actor must
    still be allowed to act on it: a replay tells nothing that the first request did not.
    """
    applied_to = DossierEvent.objects.filter(idempotency_key=idempotency_key).values_list("dossier_id", flat=True)
    dossier_of_key = applied_to.first()
    if dossier_of_key is None:
        return None
    if dossier_of_key != dossier_id:
        raise IdempotencyKeyElsewhere()
    dossier = Dossier.objects.select_related("procedure").get(pk=dossier_id)
    access.require_act_on_dossier(actor, dossier)
    return dossier


@use_case
def dossier_act(
    *,
    dossier_id: int,
    actor: User,
    action: Action,
    comment: str = "",
    to_step: str | None = None,
    expected_sequence: int | None = None,
    idempotency_key: str | None = None,
    data: dict[str, Any] | None = None,
) -> Dossier:
    """Apply one action to a dossier: the only writer of status and step after submission.

    Locks the row; a replay with the same `idempotency_key` is a no-op returning the
    dossier; `expected_sequence` (the last event the actor saw) turns a race between two
    officers into DossierChangedMeanwhile for the later one, with nothing changed.
    Raises DossierNotFound outside the actor's scope, ActionNotAllowed when the workflow
    forbids the action, CommentRequired when a reason is missing.
    Side effects: status/step/timestamps, pauses and due date, one history row, one typed
    event (DossierReceived, SupplementAnswered, ResultReturned or DossierActed).
    """
    if idempotency_key and (replayed := _replayed(dossier_id=dossier_id, actor=actor, idempotency_key=idempotency_key)):
        return replayed
    return _act(
        dossier_id=dossier_id, actor=actor, role=actor.role, action=action, comment=comment, to_step=to_step,
        expected_sequence=expected_sequence, idempotency_key=idempotency_key, data=data,
    )  # fmt: skip


@use_case
def dossier_act_forwarded(
    *, dossier_id: int, action: Action, idempotency_key: str, comment: str = "", data: dict[str, Any] | None = None
) -> Dossier:
    """The applicant's own action taken on Cổng DVCQG and forwarded by its feed (withdrawing,
    providing a supplement) on a dossier the national portal forwarded to us.

    The same transition as `dossier_act` for the applicant (workflow rules, pauses, due date,
    one history row with no local actor, one typed event), with the national sync as the
    caller: such a dossier has no local account to act. A replay of `idempotency_key` is a
    no-op. Raises DossierNotFound for a dossier not forwarded by the national portal,
    ActionNotAllowed for an officer's action or one the status forbids.
    """
    if action not in CITIZEN_ACTIONS:
        raise ActionNotAllowed(_("Cổng DVCQG chỉ chuyển thao tác của người nộp hồ sơ (rút, bổ sung)."))
    applied_to = DossierEvent.objects.filter(idempotency_key=idempotency_key).values_list("dossier_id", flat=True)
    if (dossier_of_key := applied_to.first()) is not None:
        if dossier_of_key != dossier_id:
            raise IdempotencyKeyElsewhere()
        return Dossier.objects.get(pk=dossier_id)
    return _act(
        dossier_id=dossier_id, actor=None, role=Role.CITIZEN, action=action, comment=comment, to_step=None,
        expected_sequence=None, idempotency_key=idempotency_key, data={**(data or {}), "via": "dvcqg"},
    )  # fmt: skip


def _act(
    *,
    dossier_id: int,
    actor: User | None,
    role: str,
    action: Action,
    comment: str,
    to_step: str | None,
    expected_sequence: int | None,
    idempotency_key: str | None,
    data: dict[str, Any] | None,
) -> Dossier:
    """The transition itself (callers: dossier_act, an actor in scope; dossier_act_forwarded,
    no actor: the applicant on the national portal)."""
    try:
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            # What the subscribers read (the national record names the sector, agency, applicant).
            .select_related("procedure__sector", "workflow_version", "agency", "receiving_agency", "applicant")
            .get(pk=dossier_id)
        )
    except Dossier.DoesNotExist:
        raise DossierNotFound() from None
    if actor is not None:
        access.require_act_on_dossier(actor, dossier)
    elif dossier.channel != Channel.NATIONAL_PORTAL:
        raise DossierNotFound()
    last = dossier.events.order_by("-sequence").select_related("actor").first()
    # Checked again under the lock: a double click's second request waited here for the first,
    # whose event is now the last one. (Anything stranger is stopped by the key's unique index.)
    if idempotency_key and last is not None and last.idempotency_key == idempotency_key:
        return dossier
    if expected_sequence is not None and last is not None and last.sequence != expected_sequence:
        raise DossierChangedMeanwhile(
            actor=str(last.actor or _("hệ thống")),
            time=timezone.localtime(last.at).strftime("%H:%M %d/%m/%Y"),
            action=str(last.action_label).lower(),
        )
    if action in COMMENT_REQUIRED and not comment.strip():
        raise CommentRequired(action=str(action.label).lower())
    plan = engine.plan_transition(
        dossier.workflow_version.definition,
        step_key=dossier.step_key,
        status=Status(dossier.status),
        action=action,
        role=role,
        to_step=to_step,
    )
    if action == Action.RETURN_RESULT:
        _require_result_ready(dossier, data or {})
    now = timezone.now()
    if action == Action.REQUEST_PAYMENT:
        data = {**(data or {}), **_obligation_terms(data or {})}
    elif action == Action.SETTLE_PAYMENT:
        data = {**(data or {}), **_obligation_settle(dossier, actor=actor, at=now, note=comment.strip())}
    from_status, from_step = dossier.status, dossier.step_key
    changed = {"status", "step_key", "step_role", "updated_at"}
    if plan.stops_clock:
        DossierPause.objects.create(
            dossier=dossier, kind=PauseKind.PAYMENT, started_at=now, resume_status=Status.PROCESSING,
            due_before=dossier.due_at, reason=comment.strip(),
        )  # fmt: skip
    if plan.resumes_clock and (pause := dossier.pauses.select_for_update().filter(ended_at__isnull=True).first()):
        pause.ended_at = now
        if dossier.due_at is not None:
            dossier.due_at = working_calendar().shift_for_pause(dossier.due_at, pause.started_at, now)
            changed.add("due_at")
        pause.due_after = dossier.due_at
        pause.save(update_fields=["ended_at", "due_after"])
    if plan.opens_pause:
        DossierPause.objects.create(
            dossier=dossier, kind=PauseKind.SUPPLEMENT, started_at=now, resume_status=dossier.status,
            due_before=dossier.due_at, reason=comment,
        )  # fmt: skip
        dossier.supplement_count += 1
        changed.add("supplement_count")
    to_status = plan.to_status
    if plan.closes_pause:
        pause = dossier.pauses.select_for_update().get(ended_at__isnull=True)
        pause.ended_at = now
        if dossier.due_at is not None:
            dossier.due_at = working_calendar().shift_for_pause(dossier.due_at, pause.started_at, now)
            changed.add("due_at")
        pause.due_after = dossier.due_at
        pause.save(update_fields=["ended_at", "due_after"])
        to_status = Status(pause.resume_status)
    if action == Action.RECEIVE:
        dossier.received_at = now
        dossier.due_at = _due_at(dossier.procedure, start=now, channel=dossier.channel)
        changed |= {"received_at", "due_at"}
    if plan.finishes:
        dossier.finished_at = now
        changed.add("finished_at")
    if action == Action.RETURN_RESULT:
        dossier.returned_at = now
        changed.add("returned_at")
    if plan.ends:
        dossier.closed_at = now
        changed.add("closed_at")
    if actor is not None and role != Role.CITIZEN:
        dossier.handler = actor
        changed.add("handler")
    assert to_status is not None  # noqa: S101 - only a pause's end resumes, and it set one
    dossier.status = to_status
    dossier.step_key = plan.to_step
    dossier.step_role = plan.to_role
    dossier.save(update_fields=sorted(changed))
    row = _append_event(
        dossier, action=EventKind(action.value), actor=actor, at=now, from_status=from_status, from_step=from_step,
        comment=comment.strip(), data=data, idempotency_key=idempotency_key,
        last_sequence=last.sequence if last is not None else 0,
    )  # fmt: skip
    if action == Action.REQUEST_PAYMENT:
        assert actor is not None  # noqa: S101 - an officer's action: the engine refuses it to anyone else
        FinancialObligation.objects.create(
            dossier=dossier, requested_event=row, description=comment.strip(), amount=row.data["amount"],
            pay_at=row.data["pay_at"], online=row.data["online"], requested_by=actor, requested_at=now,
        )  # fmt: skip
    publish(change_from_row(dossier, row))
    if action == Action.RECEIVE and dossier.handed_over:
        _hand_over(dossier, actor=actor, at=now, last_sequence=row.sequence)
    return dossier


def _require_result_ready(dossier: Dossier, data: dict[str, Any]) -> None:
    """A result goes back to the citizen only signed (every result file carries its digital
    signature), or, when the result is on paper (collected at the desk, sent by post), once the
    officer confirms the paper result is ready (`paper_result_ready`). An electronic result with
    no file: the citizen would read "Đã trả kết quả" and have nothing to download."""
    signatures = list(dossier.attachments.filter(role=AttachmentRole.RESULT).values_list("signature__id", flat=True))
    electronic = dossier.result_delivery == ResultDelivery.ELECTRONIC
    if electronic and not signatures:
        raise ResultFileMissing()
    if signatures and all(s is not None for s in signatures):
        return
    if not electronic and data.get("paper_result_ready"):
        return
    raise ResultNotSigned() if electronic else PaperResultNotConfirmed()


def _obligation_terms(data: dict[str, Any]) -> dict[str, Any]:
    """What a request for a financial obligation must say besides its content (the comment):
    the amount in đồng, where to pay, whether it may be paid online. ObligationInvalid otherwise."""
    try:
        amount = int(data.get("amount", 0))
    except (TypeError, ValueError):
        amount = 0
    pay_at = str(data.get("pay_at", "")).strip()
    if amount <= 0:
        raise ObligationInvalid(_("Vui lòng nhập số tiền phải nộp (đồng), lớn hơn 0."))
    if not pay_at:
        raise ObligationInvalid(_("Vui lòng nhập nơi nộp (cơ quan thuế, kho bạc, ngân hàng)."))
    return {"amount": amount, "pay_at": pay_at[:500], "online": bool(data.get("online"))}


def _obligation_settle(dossier: Dossier, *, actor: User | None, at: dt.datetime, note: str) -> dict[str, Any]:
    """Close the dossier's open financial obligation (row locked). The applicant settles only by
    a payment the platform confirmed; an officer by confirming proof of a payment made elsewhere."""
    obligation = dossier.obligations.select_for_update().filter(settled_at__isnull=True).first()
    if obligation is None:
        raise ActionNotAllowed(_("Hồ sơ không có nghĩa vụ tài chính đang chờ thực hiện."))
    if actor is None or actor.role == Role.CITIZEN:
        if not obligation.payments.filter(status=PaymentStatus.PAID).exists():
            raise ActionNotAllowed(_("Chưa nhận được khoản thanh toán trực tuyến cho nghĩa vụ tài chính."))
        how = ObligationSettlement.ONLINE
    else:
        how = ObligationSettlement.OFFICER
    obligation.settled_at, obligation.settled_by, obligation.settled_how = at, actor, how
    obligation.settled_note = note
    obligation.save(update_fields=["settled_at", "settled_by", "settled_how", "settled_note"])
    return {"obligation": obligation.pk, "settled_how": str(how)}


@use_case
def dossier_update_forwarded(*, dossier_id: int, changes: dict[str, Any]) -> Dossier:
    """Cổng DVCQG forwarded a changed record of a dossier it forwarded before: the applicant's
    facts it holds change here too (`changes`: any of FORWARDED_FACTS, new values), under the
    same code, with one history row (NATIONAL_UPDATE, the fields named) and its typed event.

    No status change. Only for a dossier forwarded by the national portal that has not ended
    (DossierNotFound, DossierClosedForUpdate otherwise). Nothing to change: a no-op, no row.
    """
    unknown = set(changes) - set(FORWARDED_FACTS)
    if unknown:
        raise ValueError(f"not a forwarded fact: {sorted(unknown)}")  # a programming error
    try:
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure__sector", "workflow_version", "agency", "applicant")
            .get(pk=dossier_id, channel=Channel.NATIONAL_PORTAL)
        )
    except Dossier.DoesNotExist:
        raise DossierNotFound() from None
    values = {**changes}
    if "summary" in values:
        values["summary"] = str(values["summary"])[:1000]
    changed = sorted(name for name, value in values.items() if getattr(dossier, name) != value)
    if not changed:
        return dossier
    if dossier.status in TERMINAL_STATUSES:
        raise DossierClosedForUpdate()
    for name in changed:
        setattr(dossier, name, values[name])
    dossier.save(update_fields=[*changed, "updated_at"])
    row = _append_event(
        dossier, action=EventKind.NATIONAL_UPDATE, actor=None, at=timezone.now(), from_status=dossier.status,
        from_step=dossier.step_key, data={"fields": changed},
    )  # fmt: skip
    publish(change_from_row(dossier, row))
    return dossier


@use_case
def dossier_apologise(*, dossier_id: int, actor: User, new_due_at: dt.datetime, reason: str) -> DossierEvent:
    """Record an apology with a new return date (DossierApologised: form 04 follows from it).

    The legal due date does not move: the national scoring still measures lateness against
    it; the new date is the one promised to the citizen. Only for running dossiers, by an
    officer in scope, with a reason and a date later than the current due date.
    """
    try:
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
    except Dossier.DoesNotExist:
        raise DossierNotFound() from None
    access.require_act_on_dossier(actor, dossier)
    if actor.role == Role.CITIZEN or dossier.status not in (Status.NEW, Status.RECEIVED, Status.PROCESSING):
        raise ActionNotAllowed(_("Chỉ cán bộ xử lý được xin lỗi và hẹn lại ngày trả cho hồ sơ đang giải quyết."))
    if not reason.strip():
        raise CommentRequired(action=str(_("xin lỗi, hẹn lại ngày trả")))
    if dossier.due_at is not None and new_due_at <= dossier.due_at:
        raise ActionNotAllowed(_("Ngày hẹn mới phải sau ngày hẹn trả hiện tại."))
    row = _append_event(
        dossier, action=EventKind.APOLOGISE, actor=actor, at=timezone.now(), from_status=dossier.status,
        from_step=dossier.step_key, comment=reason.strip(), data={"new_due_at": new_due_at.isoformat()},
    )  # fmt: skip
    event = change_from_row(dossier, row)
    assert isinstance(event, DossierApologised)
    publish(event)
    return row


@use_case
def dossier_consult(
    *,
    dossier_id: int,
    actor: User,
    agencies: list[Agency],
    question: str,
    expected_sequence: int | None = None,
    idempotency_key: str | None = None,
) -> list[Consultation]:
    """Lấy ý kiến: ask other agencies for their opinion while the dossier goes on (in parallel).

    The workflow decides who may consult and at which step (the CONSULT action through
    dossier_act: one event naming the agencies); each agency gets one open Consultation, due
    in CONSULTATION_WORKING_DAYS working days. A replay (same key) creates nothing new.
    Raises ConsultationInvalid without agencies or question, or when asking the dossier's own agency.
    """
    if not question.strip():
        raise CommentRequired(action=str(Action.CONSULT.label).lower())
    try:
        dossier = Dossier.objects.get(pk=dossier_id)
    except Dossier.DoesNotExist:
        raise DossierNotFound() from None
    access.require_act_on_dossier(actor, dossier)
    wanted = [agency for agency in dict.fromkeys(agencies) if agency.pk != dossier.agency_id]
    if not wanted:
        raise ConsultationInvalid(_("Vui lòng chọn ít nhất một cơ quan khác cơ quan đang giải quyết hồ sơ."))
    dossier = dossier_act(
        dossier_id=dossier_id, actor=actor, action=Action.CONSULT, comment=question,
        expected_sequence=expected_sequence, idempotency_key=idempotency_key,
        data={"agencies": [agency.code for agency in wanted]},
    )  # fmt: skip
    now = timezone.now()
    due = working_calendar().add_working_days(now, settings.CONSULTATION_WORKING_DAYS)
    consultations = []
    for agency in wanted:
        consultation, _created = Consultation.objects.get_or_create(
            dossier=dossier, agency=agency, answered_at__isnull=True,
            defaults={"question": question.strip(), "requested_by": actor, "requested_at": now, "due_at": due},
        )  # fmt: skip
        consultations.append(consultation)
    return consultations


@use_case
def consultation_answer(*, consultation_id: int, actor: User, answer: str) -> Consultation:
    """The consulted agency answers, once; the answer joins the dossier's timeline (no status change).

    Only officers whose scope covers the consulted agency; ConsultationClosed when already answered.
    """
    try:
        consultation = Consultation.objects.select_for_update().select_related("agency").get(pk=consultation_id)
    except Consultation.DoesNotExist:
        raise DossierNotFound() from None
    if not access.may_answer_consultation(actor, consultation):
        raise DossierNotFound()
    now = answer_once(
        consultation,
        text=answer.strip(),
        actor=actor,
        closed=ConsultationClosed(),
        empty=CommentRequired(action=str(_("trả lời lấy ý kiến"))),
    )
    dossier = Dossier.objects.select_for_update().get(pk=consultation.dossier_id)
    row = _append_event(
        dossier, action=EventKind.CONSULTATION_ANSWER, actor=actor, at=now, from_status=dossier.status,
        from_step=dossier.step_key, comment=answer.strip(),
        data={"agency": consultation.agency.code, "consultation": consultation.pk},
    )  # fmt: skip
    event = change_from_row(dossier, row)
    assert isinstance(event, ConsultationAnswered)
    publish(event)
    return consultation


def dossiers_mark_synced(*, dossier_ids: set[int], at: dt.datetime) -> int:
    """The national portal holds these dossiers now (it accepted a record of each): kept once,
    the first time, for indicator 1.4. Not a status change; idempotent. Returns how many were new."""
    if not dossier_ids:
        return 0
    return Dossier.objects.filter(pk__in=sorted(dossier_ids), national_synced_at__isnull=True).update(
        national_synced_at=at
    )
