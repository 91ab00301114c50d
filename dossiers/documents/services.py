"""The legal forms of a dossier (Circular 03/2025/TT-VPCP, forms 01–07), rendered to PDF.

Each form is a Django template `templates/documents/form_<kind>.html` on a shared base,
turned into an A4 PDF by WeasyPrint through `rendering.pdf_from_html` (which fetches nothing
from the network; the heading, the dates' wording and the QR code come from `rendering` too).
Forms are legal documents in Vietnamese whatever the reader's language, so they are rendered
with Vietnamese active and their wording is not marked for translation.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation

from dossiers.constants import Channel, DocumentKind, EventKind
from dossiers.models import Dossier, DossierDocument, DossierEvent, DossierPause
from dossiers.selectors import dossier_public_token
from procedures.constants import TimeLimitUnit
from procedures.models import Agency
from workflows import engine
from workflows.calendar import WorkingCalendar
from workflows.constants import ENDING_ACTIONS
from workflows.selectors import working_calendar

from .rendering import heading, long_datetime, pdf_from_html, portal_url, qr_data_uri

REGISTER_FORM_NUMBER = "07"
# Forms whose substance is a reason given to the citizen: the event's comment (or data["reason"]).
_REASON_FORMS = frozenset({DocumentKind.SUPPLEMENT_REQUEST, DocumentKind.REFUSAL, DocumentKind.STOP_NOTICE})


def status_url(dossier: Dossier) -> str:
    """The public status page printed (and QR-encoded) on every form of the dossier."""
    token = dossier_public_token(code=dossier.code)
    return portal_url(f"/tra-cuu/{quote(dossier.code)}/?k={token}")


def document_html(
    *, dossier: Dossier, kind: str, event: DossierEvent | None = None, data: dict[str, Any] | None = None
) -> str:
    """The HTML of form `kind` (01–06) for a dossier; `document_render` prints it."""
    form = DocumentKind(kind)
    if event is not None and event.dossier_id != dossier.pk:
        raise ValueError(f"sự kiện {event.pk} không thuộc hồ sơ {dossier.code}")
    data = data or {}
    issued_at = event.at if event is not None else timezone.now()
    url = status_url(dossier)
    # The receipt is the receiving desk's paper (Decree 118/2025: any desk of the province);
    # every other form is the competent agency's.
    issuer = dossier.receiving_unit if form == DocumentKind.RECEIPT else dossier.agency
    context: dict[str, Any] = {
        **heading(issuer, form_number=form.value, title=str(form.label), issued_at=issued_at),
        "dossier": dossier,
        "procedure": dossier.procedure,
        "event": event,
        "officer": event.actor if event is not None else dossier.handler,
        "status_url": url,
        "lookup_url": url.split("/tra-cuu/")[0] + "/tra-cuu/",
        "qr": qr_data_uri(url),
        "received_at": long_datetime(dossier.received_at or dossier.submitted_at),
        "due_at": long_datetime(dossier.due_at),
    }
    if form in _REASON_FORMS or form == DocumentKind.APOLOGY:
        context["reason"] = str(data.get("reason") or (event.comment if event is not None else "")).strip()
        if not context["reason"]:
            raise ValueError(f"mẫu số {form.value} cần lý do (ý kiến của sự kiện hoặc data['reason'])")
    if form == DocumentKind.RECEIPT:
        context |= _receipt_context(dossier, event)
    elif form == DocumentKind.SUPPLEMENT_REQUEST:
        context["pause"] = _pause_at(dossier, issued_at)
    elif form == DocumentKind.APOLOGY:
        context["new_due_at"] = long_datetime(_parse_moment(data.get("new_due_at")))
    elif form == DocumentKind.STOP_NOTICE:
        context["stopped_at"] = long_datetime(issued_at)
    elif form == DocumentKind.CONTROL_SHEET:
        context |= _control_context(dossier)
    with translation.override("vi"):
        return render_to_string(f"documents/form_{form.value}.html", context)


def document_render(
    *, dossier: Dossier, kind: str, event: DossierEvent | None = None, data: dict[str, Any] | None = None
) -> bytes:
    """Form `kind` (01–06) of a dossier as PDF bytes. Pure: writes nothing."""
    return pdf_from_html(document_html(dossier=dossier, kind=kind, event=event, data=data))


def document_issue(
    *, dossier: Dossier, kind: str, event: DossierEvent | None = None, data: dict[str, Any] | None = None
) -> DossierDocument:
    """Issue form `kind` for a dossier (and the event that calls for it): render, store, record.

    Idempotent: the form for (dossier, kind, event) is issued once; a later call returns the
    stored row and file, even when two workers render at the same moment (the loser of the
    unique constraint deletes its file and returns the winner's row). Only the insert runs in
    a transaction: call this outside one (from a task) so no lock is held while rendering.
    Raises ValueError for an unknown kind, an event of another dossier, a missing reason or
    apology date. Side effects: one PDF file in the default storage, one DossierDocument row.
    """
    form = DocumentKind(kind)
    existing = _issued(dossier, form, event)
    if existing is not None:
        return existing
    pdf = document_render(dossier=dossier, kind=form, event=event, data=data)
    document = DossierDocument(
        dossier=dossier, kind=form, event=event, sha256=hashlib.sha256(pdf).hexdigest(), data=data or {}
    )
    document.file.save(f"{dossier.code}-mau-{form.value}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)  # our copy only: storage gave it a name of its own
        winner = _issued(dossier, form, event)
        if winner is None:  # another constraint failed: not a race
            raise
        return winner
    return document


def _issued(dossier: Dossier, kind: str, event: DossierEvent | None) -> DossierDocument | None:
    return DossierDocument.objects.filter(dossier=dossier, kind=kind, event=event).first()


# Form 07: the tracking register of an agency, across many dossiers.


def register_dossiers(*, agency: Agency, date_from: dt.date, date_to: dt.date) -> QuerySet[Dossier]:
    """Dossiers an agency took in (received, or submitted when never received) on local dates in the range."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return (
        Dossier.objects.filter(agency=agency)
        .alias(taken_at=Coalesce("received_at", "submitted_at"))
        .filter(taken_at__gte=start, taken_at__lt=end)
        .select_related("procedure")
        .order_by("taken_at", "code")
    )


def register_html(*, agency: Agency, date_from: dt.date, date_to: dt.date) -> str:
    context = {
        **heading(agency, form_number=REGISTER_FORM_NUMBER, title="Sổ theo dõi hồ sơ", issued_at=timezone.now()),
        "date_from": date_from,
        "date_to": date_to,
        "dossiers": register_dossiers(agency=agency, date_from=date_from, date_to=date_to),
    }
    with translation.override("vi"):
        return render_to_string("documents/form_07.html", context)


def register_render(*, agency: Agency, date_from: dt.date, date_to: dt.date) -> bytes:
    """Form 07, the tracking register (sổ theo dõi hồ sơ) of `agency` for a date range, as PDF bytes."""
    return pdf_from_html(register_html(agency=agency, date_from=date_from, date_to=date_to))


def _parse_moment(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"ngày hẹn trả mới không hợp lệ: {value!r} (ISO 8601)") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _number(value: Decimal) -> str:
    """5.0 → "5", 0.5 → "0,5": Vietnamese decimal comma."""
    return f"{value.normalize():f}".replace(".", ",")


def _receipt_context(dossier: Dossier, event: DossierEvent | None) -> dict[str, Any]:
    procedure = dossier.procedure
    if procedure.same_day_rule:
        limit = "trong ngày (tiếp nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo)"
    else:
        value = procedure.time_limit_value
        if dossier.channel in (Channel.ONLINE, Channel.NATIONAL_PORTAL) and procedure.online_time_limit_value:
            value = min(value, procedure.online_time_limit_value)
        unit = TimeLimitUnit(procedure.time_limit_unit).label
        limit = f"{_number(value)} {unit}"
    return {
        "components": list(procedure.components.all()),
        "time_limit": limit,
        "received_at": long_datetime(dossier.received_at or (event.at if event is not None else None)),
    }


def _pause_at(dossier: Dossier, moment: dt.datetime) -> DossierPause | None:
    """The pause a supplement request opened: the latest one started by `moment`."""
    return dossier.pauses.filter(started_at__lte=moment).order_by("-started_at").first()


# Form 06: the processing control sheet.


@dataclass(frozen=True)
class ControlRow:
    """One line of the control sheet: who did what at which step, and whether the step kept its time."""

    number: int
    step: str
    action: str
    actor: str
    received_at: dt.datetime | None  # when the dossier reached this step
    handed_at: dt.datetime  # when this action was taken
    verdict: str  # "Đúng hạn" / "Quá hạn" for an action that ends the step, else ""
    used: str  # working hours used at the step / hours allowed by its share, when judged
    comment: str
    # A handover between agencies (the receiving desk to the competent agency): giver, receiver.
    handed_from: str = ""
    handed_to: str = ""


def _control_context(dossier: Dossier) -> dict[str, Any]:
    calendar = working_calendar()
    rows = control_rows(dossier=dossier, calendar=calendar)
    overall = ""
    if dossier.finished_at is not None and dossier.due_at is not None:
        overall = "Đúng hạn" if dossier.finished_at <= dossier.due_at else "Quá hạn"
    return {"rows": rows, "overall": overall}


def control_rows(*, dossier: Dossier, calendar: WorkingCalendar) -> list[ControlRow]:
    """Every event of the dossier, judged against its step's share of the time limit.

    A step's allowance is its `share` (percent) of the working time between receipt and the
    first due date (before any supplement shifted it). The time used at a step runs from
    when the dossier reached it (the clock starts at receipt) to the action that moves it on
    or ends processing, less the working time paused for supplements meanwhile.
    """
    steps = {step.key: step for step in engine.steps_of(dossier.workflow_version.definition)}
    pauses = list(dossier.pauses.all())
    total = _time_limit_span(dossier, pauses, calendar)
    rows: list[ControlRow] = []
    reached_at: dt.datetime | None = None
    for number, event in enumerate(dossier.events.select_related("actor").order_by("sequence"), start=1):
        step = steps.get(event.from_step or event.to_step)
        leaves = bool(event.from_step) and (event.from_step != event.to_step or event.action in ENDING_ACTIONS)
        clock_from = _later(reached_at, dossier.received_at)
        verdict = used_text = ""
        if leaves and step is not None and total is not None and clock_from is not None:
            allowed = total * step.share / 100
            used = calendar.working_time_between(clock_from, event.at) - _paused(calendar, pauses, clock_from, event.at)
            verdict = "Đúng hạn" if used <= allowed else "Quá hạn"
            used_text = f"{_hours(used)}/{_hours(allowed)} giờ"
        rows.append(
            ControlRow(
                number=number,
                step=step.name if step is not None else event.from_step,
                action="Nộp hồ sơ" if event.from_status is None else event.action_label,
                actor=str(event.actor) if event.actor is not None else "Hệ thống",
                received_at=reached_at,
                handed_at=event.at,
                verdict=verdict,
                used=used_text,
                comment=event.comment,
                handed_from=str(event.data.get("from_agency_name", "")) if event.action == EventKind.HANDOVER else "",
                handed_to=str(event.data.get("to_agency_name", "")) if event.action == EventKind.HANDOVER else "",
            )
        )
        if reached_at is None or event.from_step != event.to_step:
            reached_at = event.at
    return rows


def _time_limit_span(dossier: Dossier, pauses: list[DossierPause], calendar: WorkingCalendar) -> dt.timedelta | None:
    if dossier.received_at is None or dossier.due_at is None:
        return None
    received_at = dossier.received_at
    shifted = [p for p in pauses if p.started_at >= received_at and p.due_before is not None]
    first_due = shifted[0].due_before if shifted else dossier.due_at
    assert first_due is not None  # noqa: S101 - filtered above
    return calendar.working_time_between(received_at, first_due)


def _paused(
    calendar: WorkingCalendar, pauses: list[DossierPause], start: dt.datetime, end: dt.datetime
) -> dt.timedelta:
    total = dt.timedelta(0)
    for pause in pauses:
        total += calendar.working_time_between(max(pause.started_at, start), min(pause.ended_at or end, end))
    return total


def _later(first: dt.datetime | None, second: dt.datetime | None) -> dt.datetime | None:
    if first is None or second is None:
        return None
    return max(first, second)


def _hours(span: dt.timedelta) -> str:
    return f"{span.total_seconds() / 3600:.1f}".replace(".", ",")
