"""The papers of a dossier (Circular 03/2025/TT-VPCP, forms 01–07), rendered to PDF/A.

What a paper says is data: the template version in force on the day it is issued
(`templates.form_template_in_force`: catalogue/*.toml and published FormTemplate rows), its
body and closing rendered inside `templates/documents/base.html` (Decree 30/2020 layout) and
printed by WeasyPrint through `rendering.pdf_from_html` (fetches nothing from the network; the
heading, the dates' wording and the QR code come from `rendering` too). This module decides
the facts printed: who issues, who signs, which papers were filed, who handed the dossier to
whom. Papers are legal documents in Vietnamese whatever the reader's language, so they are
rendered with Vietnamese active and their wording is not marked for translation.

Rules a paper obeys here: form 01 only at a valid receipt by an officer (an online filing
not yet received gets the submission acknowledgement, kind "xn"), listing the papers filed
by then; form 06 one row per handover; form 07 only dossiers received in the period.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.constants import Role
from accounts.models import AgencyMembership, User
from dossiers.constants import AttachmentRole, Channel, DocumentKind, EventKind, FormKind
from dossiers.models import Attachment, Dossier, DossierDocument, DossierEvent, DossierPause, FormTemplate
from dossiers.selectors import dossier_public_token
from procedures.constants import ResultDelivery, TimeLimitUnit
from procedures.models import Agency
from workflows import engine
from workflows.calendar import WorkingCalendar
from workflows.constants import Status
from workflows.selectors import working_calendar

from . import issuer
from .rendering import heading, long_date, long_datetime, pdf_from_html, portal_url, qr_data_uri
from .templates import compiled, form_template_in_force

# Papers whose substance is a reason given to the citizen: the event's comment (or data["reason"]).
_REASON_FORMS = frozenset(
    {DocumentKind.SUPPLEMENT_REQUEST, DocumentKind.REFUSAL, DocumentKind.STOP_NOTICE, DocumentKind.APOLOGY}
)
_ONLINE = (Channel.ONLINE, Channel.NATIONAL_PORTAL)


class PaperNotDue(ValueError):
    """The paper asked for does not exist for this dossier (yet): form 01 before a valid receipt,
    an acknowledgement for a dossier not filed online."""


def status_url(dossier: Dossier) -> str:
    """The public status page printed (and QR-encoded) on every form of the dossier."""
    token = dossier_public_token(code=dossier.code)
    return portal_url(f"/tra-cuu/{quote(dossier.code)}/?k={token}")


def document_file_name(dossier: Dossier, kind: str) -> str:
    """ "<code>-mau-01.pdf" for a numbered form, "<code>-xac-nhan-nop.pdf" for the acknowledgement."""
    suffix = "xac-nhan-nop" if kind == DocumentKind.SUBMISSION_ACK else f"mau-{kind}"
    return f"{dossier.code}-{suffix}.pdf"


def document_html(
    *, dossier: Dossier, kind: str, event: DossierEvent | None = None, data: dict[str, Any] | None = None
) -> str:
    """The HTML of paper `kind` (xn, 01–06) for a dossier, its first copy (liên)."""
    return document_copies_html(dossier=dossier, kind=kind, event=event, data=data)[0]


def document_copies_html(
    *, dossier: Dossier, kind: str, event: DossierEvent | None = None, data: dict[str, Any] | None = None
) -> list[str]:
    """The HTML of paper `kind` (xn, 01–06) for a dossier, one per copy; `document_render` prints them.

    Raises PaperNotDue for form 01 before a receipt by an officer and for an acknowledgement of a
    dossier not filed online; ValueError for an event of another dossier, a missing reason or
    apology date; FormTemplateMissing when no template is in force on the day.
    """
    form = DocumentKind(kind)
    if event is not None and event.dossier_id != dossier.pk:
        raise ValueError(f"sự kiện {event.pk} không thuộc hồ sơ {dossier.code}")
    data = data or {}
    if form == DocumentKind.RECEIPT:
        event = _receipt_event(dossier, event)
    elif form == DocumentKind.SUBMISSION_ACK:
        event = _submission_event(dossier)
    issued_at = event.at if event is not None else timezone.now()
    template = form_template_in_force(kind=form, on=timezone.localtime(issued_at).date())
    url = status_url(dossier)
    officer = event.actor if event is not None and event.actor is not None else dossier.handler
    # The receipt and the acknowledgement are the receiving desk's papers (Decree 118/2025: any
    # desk of the province); every other form is the competent agency's.
    issuer = dossier.receiving_unit if form in (DocumentKind.RECEIPT, DocumentKind.SUBMISSION_ACK) else dossier.agency
    context: dict[str, Any] = {
        **_heading(issuer, template, issued_at),
        "dossier": dossier,
        "procedure": dossier.procedure,
        "event": event,
        "officer_name": _person(officer) if _is_officer(officer) else "",
        "status_url": url,
        "lookup_url": url.split("/tra-cuu/")[0] + "/tra-cuu/",
        "qr": qr_data_uri(url),
        "submitted_at": long_datetime(dossier.submitted_at),
        "received_at": long_datetime(dossier.received_at),
        "received_on": long_date(timezone.localtime(dossier.received_at).date()) if dossier.received_at else "",
        "due_at": long_datetime(dossier.due_at),
    }
    if form in _REASON_FORMS:
        context["reason"] = str(data.get("reason") or (event.comment if event is not None else "")).strip()
        if not context["reason"]:
            raise ValueError(f"mẫu số {form.value} cần lý do (ý kiến của sự kiện hoặc data['reason'])")
    if form in (DocumentKind.RECEIPT, DocumentKind.SUBMISSION_ACK):
        papers = filed_papers(dossier=dossier, until=issued_at)
        context |= {
            "papers": papers,
            "files_total": sum(p.files for p in papers),
            "result_place": _result_place(dossier, context["agency_name"]),
        }
    if form == DocumentKind.RECEIPT:
        context["time_limit"] = _time_limit(dossier)
    elif form == DocumentKind.SUPPLEMENT_REQUEST:
        context["pause"] = _pause_at(dossier, issued_at)
    elif form == DocumentKind.APOLOGY:
        context["new_due_at"] = long_datetime(_parse_moment(data.get("new_due_at")))
    elif form == DocumentKind.STOP_NOTICE:
        context["stopped_at"] = long_datetime(issued_at)
    elif form == DocumentKind.CONTROL_SHEET:
        context |= _control_context(dossier)
    signatures = signature_blocks(template, agency=dossier.agency, dossier=dossier, officer=officer)
    return render_paper(template, context, signatures=signatures)


def render_paper(template: FormTemplate, context: dict[str, Any], *, signatures: list[dict[str, Any]]) -> list[str]:
    """A paper's HTML, one per copy mark (liên; one unmarked copy when it has none): the template
    version's body and closing inside the shared layout."""
    context = {
        **context,
        "legal_basis": template.legal_basis,
        "landscape": template.landscape,
        "body": compiled(template.body),
        "closing": compiled(template.closing),
        "signatures": signatures,
        "recipients": list(template.recipients),
    }
    with translation.override("vi"):
        return [
            render_to_string("documents/base.html", context | {"copy_mark": mark})
            for mark in (list(template.copies) or [""])
        ]


def document_render(
    *, dossier: Dossier, kind: str, event: DossierEvent | None = None, data: dict[str, Any] | None = None
) -> bytes:
    """Paper `kind` (xn, 01–06) of a dossier as PDF/A-3b bytes, every copy. Pure: writes nothing."""
    return pdf_from_html(*document_copies_html(dossier=dossier, kind=kind, event=event, data=data))


def _heading(agency: Agency, template: FormTemplate, issued_at: dt.datetime) -> dict[str, Any]:
    return heading(
        agency,
        form_number=template.form_number,
        title=template.title,
        issued_at=issued_at,
        reference=template.reference,
    ) | {"template_label": template.label}


# Who the papers name: the receiving officer, the filer, the head of the agency.


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return str(user.full_name or user.username)


def _is_officer(user: User | None) -> bool:
    return user is not None and user.role != Role.CITIZEN


def _position(user: User, agency: Agency) -> str:
    membership = AgencyMembership.objects.filter(user=user, agency=agency).first()
    return membership.position if membership is not None else ""


def _head_of(agency: Agency) -> User | None:
    """The agency's leader (the first leader member): who signs its letters."""
    membership = (
        AgencyMembership.objects.filter(agency=agency, user__role=Role.LEADER, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership is not None else None


def signature_blocks(
    template: FormTemplate, *, agency: Agency, dossier: Dossier | None, officer: User | None
) -> list[dict[str, Any]]:
    """The template's signers, resolved: title lines, note, name and position of each.

    `applicant` with at_desk_only signs only a paper given at the desk (the filer stood there);
    `officer` is whoever took the action; `head` the agency's leader, titled after Decree 30.
    """
    blocks = []
    for block in template.signatures:
        signer = block["signer"]
        if block.get("at_desk_only") and (dossier is None or dossier.channel != Channel.DIRECT):
            continue
        title_lines = [str(block["title"])] if block.get("title") else []
        name = position = ""
        if signer == "officer" and _is_officer(officer):
            assert officer is not None  # noqa: S101 - checked by _is_officer
            name, position = _person(officer), _position(officer, agency)
        elif signer == "applicant" and dossier is not None:
            name = dossier.applicant_name
        elif signer == "head":
            title_lines = title_lines or issuer.head_title_lines(agency.name)
            head = officer if officer is not None and officer.role == Role.LEADER else _head_of(agency)
            if head is not None:
                name = _person(head)
        blocks.append({"title_lines": title_lines, "note": block.get("note", ""), "name": name, "position": position})
    return blocks


# Form 01 and the acknowledgement: the receipt, the filing, the papers filed.


def _receipt_event(dossier: Dossier, event: DossierEvent | None) -> DossierEvent:
    """The event of the dossier's valid receipt: taken in at the desk, or received by an officer."""
    if dossier.received_at is None:
        raise PaperNotDue(f"hồ sơ {dossier.code} chưa được tiếp nhận: chưa có Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    receipts = dossier.events.filter(
        action__in=(EventKind.SUBMIT, EventKind.RECEIVE), to_status=Status.RECEIVED
    ).select_related("actor")
    if event is None or not receipts.filter(pk=event.pk).exists():
        event = receipts.order_by("-sequence").first()
    if event is None or not _is_officer(event.actor):
        raise PaperNotDue(f"hồ sơ {dossier.code} chưa được cán bộ tiếp nhận")
    return event


def _submission_event(dossier: Dossier) -> DossierEvent:
    if dossier.channel not in _ONLINE:
        raise PaperNotDue(f"hồ sơ {dossier.code} không nộp trực tuyến: không có giấy xác nhận nộp trực tuyến")
    event = dossier.events.filter(action=EventKind.SUBMIT).select_related("actor").order_by("sequence").first()
    if event is None:
        raise PaperNotDue(f"hồ sơ {dossier.code} chưa có sự kiện nộp")
    return event


@dataclass(frozen=True)
class Paper:
    """One paper filed with the dossier: its name, the copies the procedure asks for it, the files sent."""

    name: str
    originals: int
    copies: int
    files: int
    note: str = ""


def filed_papers(*, dossier: Dossier, until: dt.datetime | None = None) -> list[Paper]:
    """The papers actually filed (with the dossier or in a supplement) by `until`, one line per
    dossier component (in the procedure's order) and one per file of no component; the e-form
    declaration first when the dossier was filed with one. Not the procedure's catalogue."""
    files = Attachment.objects.filter(
        dossier=dossier, role__in=(AttachmentRole.FILED, AttachmentRole.SUPPLEMENT)
    ).select_related("component")
    if until is not None:
        files = files.filter(created_at__lte=until)
    papers: list[Paper] = []
    if dossier.form_version_id is not None and dossier.form_data:
        papers.append(Paper(name="Tờ khai điện tử (điền trên Cổng Dịch vụ công)", originals=1, copies=0, files=0))
    by_component: dict[int, list[Attachment]] = {}
    loose: list[Attachment] = []
    for attachment in files:
        if attachment.component_id is None:
            loose.append(attachment)
        else:
            by_component.setdefault(attachment.component_id, []).append(attachment)
    grouped = sorted(by_component.values(), key=lambda group: (_order(group[0]), group[0].component_id or 0))
    for group in grouped:
        component = group[0].component
        assert component is not None  # noqa: S101 - grouped by component
        papers.append(
            Paper(
                name=component.name,
                originals=component.original_copies,
                copies=component.copies,
                files=len(group),
                note=_sources(group),
            )
        )
    for attachment in loose:
        papers.append(
            Paper(name=f"Giấy tờ khác: {attachment.name}", originals=0, copies=1, files=1, note=_sources([attachment]))
        )
    return papers


def _order(attachment: Attachment) -> int:
    return attachment.component.order if attachment.component is not None else 0


def _sources(files: Iterable[Attachment]) -> str:
    notes = []
    files = list(files)
    if any(f.from_national_store for f in files):
        notes.append("lấy từ kho dữ liệu quốc gia")
    if any(f.reused_from_id is not None for f in files):
        notes.append("lấy từ kho dữ liệu của công dân")
    if any(f.role == AttachmentRole.SUPPLEMENT for f in files):
        notes.append("nộp bổ sung")
    return ", ".join(notes)


def _time_limit(dossier: Dossier) -> str:
    procedure = dossier.procedure
    if procedure.same_day_rule:
        return "trong ngày (tiếp nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo)"
    value = procedure.time_limit_value
    if dossier.channel in _ONLINE and procedure.online_time_limit_value:
        value = min(value, procedure.online_time_limit_value)
    return f"{_number(value)} {TimeLimitUnit(procedure.time_limit_unit).label}"


def _result_place(dossier: Dossier, agency_name: str) -> str:
    if dossier.result_delivery == ResultDelivery.ELECTRONIC:
        return "bản điện tử trên Cổng Dịch vụ công (mục Hồ sơ của tôi)"
    if dossier.result_delivery == ResultDelivery.POST:
        return f"qua dịch vụ bưu chính công ích, gửi đến {dossier.result_address}"
    if dossier.result_delivery == ResultDelivery.DESK:
        return f"tại Bộ phận Một cửa của {agency_name}"
    return f"tại Bộ phận Một cửa của {agency_name}, hoặc trên Cổng Dịch vụ công khi hồ sơ có kết quả điện tử"


def document_issue(
    *, dossier: Dossier, kind: str, event: DossierEvent | None = None, data: dict[str, Any] | None = None
) -> DossierDocument:
    """Issue paper `kind` for a dossier (and the event that calls for it): render, store, record.

    Form 01 is recorded against the receipt's event and the acknowledgement against the filing,
    whichever event the caller names. Idempotent: the paper for (dossier, kind, event) is issued
    once; a later call returns the stored row and file, even when two workers render at the same
    moment (the loser of the unique constraint deletes its file and returns the winner's row).
    Only the insert runs in a transaction: call this outside one (from a task) so no lock is held
    while rendering. Raises what `document_html` raises (PaperNotDue for form 01 before a valid
    receipt). Side effects: one PDF file in the default storage, one DossierDocument row.
    """
    form = DocumentKind(kind)
    if form == DocumentKind.RECEIPT:
        event = _receipt_event(dossier, event)
    elif form == DocumentKind.SUBMISSION_ACK:
        event = _submission_event(dossier)
    existing = _issued(dossier, form, event)
    if existing is not None:
        return existing
    issued_on = timezone.localtime(event.at if event is not None else timezone.now()).date()
    label = form_template_in_force(kind=form, on=issued_on).label
    pdf = document_render(dossier=dossier, kind=form, event=event, data=data)
    document = DossierDocument(
        dossier=dossier,
        kind=form,
        event=event,
        sha256=hashlib.sha256(pdf).hexdigest(),
        data=data or {},
        template_version=label,
    )
    document.file.save(document_file_name(dossier, form), ContentFile(pdf), save=False)
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


@dataclass(frozen=True)
class RegisterRow:
    dossier: Dossier
    papers: int
    competent_agency: str
    forwarded_at: dt.datetime | None
    note: str


def register_dossiers(*, agency: Agency, date_from: dt.date, date_to: dt.date) -> QuerySet[Dossier]:
    """Dossiers the agency received (a valid receipt) on local dates in the range, in receipt order;
    a filing never received is not in the register. Annotated with `papers` (papers filed) and
    `forwarded_at` (first handed on from reception)."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    filed = Q(attachments__role__in=(AttachmentRole.FILED, AttachmentRole.SUPPLEMENT))
    forwarded = DossierEvent.objects.filter(dossier=OuterRef("pk"), action=EventKind.FORWARD).order_by("sequence")
    return (
        Dossier.objects.filter(agency=agency, received_at__gte=start, received_at__lt=end)
        .annotate(
            component_papers=Count("attachments__component", filter=filed, distinct=True),
            loose_papers=Count("attachments", filter=filed & Q(attachments__component__isnull=True), distinct=True),
            forwarded_at=Subquery(forwarded.values("at")[:1]),
        )
        .select_related("procedure")
        .order_by("received_at", "code")
    )


_REGISTER_NOTES = {
    Status.REFUSED: "Từ chối tiếp nhận",
    Status.WITHDRAWN: "Công dân rút hồ sơ",
    Status.STOPPED: "Dừng giải quyết",
    Status.SUPPLEMENT_REQUESTED: "Chờ bổ sung hồ sơ",
}


def register_rows(*, agency: Agency, date_from: dt.date, date_to: dt.date) -> list[RegisterRow]:
    competent = issuer.full_name(agency.name)
    return [
        RegisterRow(
            dossier=dossier,
            papers=dossier.component_papers + dossier.loose_papers + (1 if dossier.form_version_id else 0),  # type: ignore[attr-defined]
            competent_agency=competent,
            forwarded_at=dossier.forwarded_at,  # type: ignore[attr-defined]
            note=_REGISTER_NOTES.get(Status(dossier.status), ""),
        )
        for dossier in register_dossiers(agency=agency, date_from=date_from, date_to=date_to)
    ]


def register_html(*, agency: Agency, date_from: dt.date, date_to: dt.date) -> list[str]:
    issued_at = timezone.now()
    template = form_template_in_force(kind=FormKind.REGISTER, on=timezone.localdate(issued_at))
    context = {
        **_heading(agency, template, issued_at),
        "subtitle": f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}",
        "date_from": date_from,
        "date_to": date_to,
        "rows": register_rows(agency=agency, date_from=date_from, date_to=date_to),
    }
    return render_paper(
        template, context, signatures=signature_blocks(template, agency=agency, dossier=None, officer=None)
    )


def register_render(*, agency: Agency, date_from: dt.date, date_to: dt.date) -> bytes:
    """Form 07, the tracking register (sổ theo dõi hồ sơ) of `agency` for a date range, as PDF/A bytes."""
    return pdf_from_html(*register_html(agency=agency, date_from=date_from, date_to=date_to))


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


def _pause_at(dossier: Dossier, moment: dt.datetime) -> DossierPause | None:
    """The pause a supplement request opened: the latest one started by `moment`."""
    return dossier.pauses.filter(started_at__lte=moment).order_by("-started_at").first()


# Form 06: the processing control sheet, one row per handover.


@dataclass(frozen=True)
class Handover:
    """One handover of the dossier: who gave it (at which step) to whom, when, and whether the
    giver's step kept its share of the time limit."""

    number: int
    giver: str
    giver_unit: str
    receiver: str
    receiver_unit: str
    handed_at: dt.datetime
    verdict: str  # "Đúng hạn" / "Quá hạn" when the step's time could be judged, else ""
    used: str  # working hours used at the step / hours allowed by its share
    note: str


def _control_context(dossier: Dossier) -> dict[str, Any]:
    rows = handover_rows(dossier=dossier, calendar=working_calendar())
    overall = ""
    if dossier.finished_at is not None and dossier.due_at is not None:
        overall = "Đúng hạn" if dossier.finished_at <= dossier.due_at else "Quá hạn"
    return {"handovers": rows, "overall": overall}


def handover_rows(*, dossier: Dossier, calendar: WorkingCalendar) -> list[Handover]:
    """Every handover of the dossier, in order: a move from one step to another (the receiver is
    whoever acted first at the new step, "" while nobody has), and the return of the result to the
    applicant. A step's allowance is its `share` (percent) of the working time between receipt and
    the first due date; the time used runs from when the dossier reached the step (the clock starts
    at receipt) to the handover, less the working time paused for supplements meanwhile.
    """
    steps = {step.key: step for step in engine.steps_of(dossier.workflow_version.definition)}
    pauses = list(dossier.pauses.all())
    total = _time_limit_span(dossier, pauses, calendar)
    events = list(dossier.events.select_related("actor").order_by("sequence"))
    rows: list[Handover] = []
    reached_at: dt.datetime | None = None
    for index, event in enumerate(events):
        if event.action == EventKind.HANDOVER:
            # Received at one desk for another agency (Decree 118/2025): the desk hands it over.
            taker = next((e.actor for e in events[index + 1 :] if _is_officer(e.actor)), None)
            rows.append(
                Handover(
                    number=len(rows) + 1,
                    giver=_person(event.actor) if event.actor is not None else "Hệ thống",
                    giver_unit=str(event.data.get("from_agency_name", "")),
                    receiver=_person(taker) if taker is not None else "(chưa nhận)",
                    receiver_unit=str(event.data.get("to_agency_name", "")),
                    handed_at=event.at,
                    verdict="",
                    used="",
                    note=event.comment or event.action_label,
                )
            )
            continue
        moves = bool(event.from_step and event.to_step) and event.from_step != event.to_step
        returns = event.action == EventKind.RETURN_RESULT
        if (moves or returns) and event.from_status is not None:
            step = steps.get(event.from_step)
            verdict = used_text = ""
            clock_from = _later(reached_at, dossier.received_at)
            if step is not None and total is not None and clock_from is not None:
                allowed = total * step.share / 100
                used = calendar.working_time_between(clock_from, event.at) - _paused(
                    calendar, pauses, clock_from, event.at
                )
                verdict = "Đúng hạn" if used <= allowed else "Quá hạn"
                used_text = f"{_hours(used)}/{_hours(allowed)} giờ làm việc"
            if returns:
                receiver, receiver_unit = dossier.applicant_name, "Người nộp hồ sơ"
            else:
                target = steps.get(event.to_step)
                taker = next(
                    (e.actor for e in events[index + 1 :] if e.from_step == event.to_step and _is_officer(e.actor)),
                    None,
                )
                receiver = _person(taker) if taker is not None else "(chưa nhận)"
                receiver_unit = target.name if target is not None else event.to_step
            rows.append(
                Handover(
                    number=len(rows) + 1,
                    giver=_person(event.actor) if event.actor is not None else "Hệ thống",
                    giver_unit=step.name if step is not None else event.from_step,
                    receiver=receiver,
                    receiver_unit=receiver_unit,
                    handed_at=event.at,
                    verdict=verdict,
                    used=used_text,
                    note=event.comment or event.action_label,
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
