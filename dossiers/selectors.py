"""Reads of dossiers, always scoped to the user who asks."""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.models import AgencyMembership, User
from procedures.models import Agency, Procedure
from procedures.selectors import agency_descendant_ids
from workflows.calendar import DueStep, WorkingCalendar
from workflows.constants import TERMINAL_STATUSES, Status
from workflows.exceptions import CalendarYearUnknown
from workflows.selectors import working_calendar

from . import access
from .constants import RUNNING, Channel, DocumentKind
from .exceptions import CompetentAgencyRequired, DossierNotFound
from .models import (
    Attachment,
    ComponentReplacement,
    Consultation,
    Dossier,
    DossierDraft,
    DossierEvent,
    Rating,
    StoredDocument,
)


def dossier_list_for_user(*, user: User) -> QuerySet[Dossier]:
    """Dossiers listed for the user (access.dossiers_listed_filter: those they may act on, and an
    officer's desk's handed-over ones): the queues and lists."""
    return Dossier.objects.select_related("procedure", "agency").filter(access.dossiers_listed_filter(user))


def dossier_get_for_user(*, user: User, code: str) -> Dossier:
    """One dossier the user may read (access.dossiers_visible_filter: also a consulted agency's);
    DossierNotFound (a 404) also when it exists outside that. One query."""
    related = ("procedure", "agency", "workflow_version", "form_version", "handler")
    try:
        return Dossier.objects.select_related(*related).filter(access.dossiers_visible_filter(user)).get(code=code)
    except Dossier.DoesNotExist:
        raise DossierNotFound() from None


def competent_agency_default(*, procedure: Procedure, desk: Agency) -> Agency:
    """The competent agency when the desk did not name one: the desk's own agency (or one below
    it) when it implements the procedure, else the procedure's only implementing agency.
    CompetentAgencyRequired when several agencies could be meant."""
    agencies = list(procedure.implementing_agencies.filter(is_active=True).order_by("code"))
    below = agency_descendant_ids(agency_ids=[desk.pk])
    own = [agency for agency in agencies if agency.pk in below]
    if own:
        return next((a for a in own if a.pk == desk.pk), own[0])
    if len(agencies) == 1:
        return agencies[0]
    raise CompetentAgencyRequired(code=procedure.code)


def dossier_replacements(*, dossier: Dossier) -> list[ComponentReplacement]:
    """The components read from a database at filing (Resolution 66.7/2025), with the database.
    One query."""
    return list(dossier.replacements.select_related("database").order_by("component_id"))


def dossier_timeline(*, dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor").order_by("sequence")


class QueueTab(StrEnum):
    TO_RECEIVE = "cho-tiep-nhan"
    MY_STEP = "buoc-cua-toi"
    NEAR_DUE = "sap-den-han"
    OVERDUE = "qua-han"
    ALL = "tat-ca"


QUEUE_LABELS = {
    QueueTab.TO_RECEIVE: _("Chờ tiếp nhận"),
    QueueTab.MY_STEP: _("Đang ở bước của tôi"),
    QueueTab.NEAR_DUE: _("Sắp đến hạn"),
    QueueTab.OVERDUE: _("Quá hạn"),
    QueueTab.ALL: _("Tất cả"),
}


@dataclass(frozen=True)
class QueueFilters:
    text: str = ""  # dossier code or applicant's id number
    procedure: str = ""
    status: int | None = None
    channel: str = ""


@dataclass(frozen=True)
class QueuePage:
    items: list[Dossier]
    next_cursor: str | None


def _cursor(dossier: Dossier) -> str:
    assert dossier.due_at is not None  # noqa: S101 - every dossier gets a due date on submission
    return f"{dossier.due_at.isoformat()}|{dossier.pk}"


def dossier_queue(
    *,
    user: User,
    tab: QueueTab,
    filters: QueueFilters | None = None,
    after: str | None = None,
    size: int = 20,
    calendar: WorkingCalendar | None = None,
) -> QueuePage:
    """One page of an officer's queue, soonest due first, with keyset pagination.

    `after` is the cursor of the last row of the previous page, so every page costs the
    same however deep (no OFFSET, no COUNT over the whole queue).
    """
    now = timezone.now()
    qs = dossier_list_for_user(user=user).select_related("handler")
    if tab == QueueTab.TO_RECEIVE:
        # Waiting at the desk step: queued at the desk it is to be handed in at.
        qs = qs.filter(
            access.dossiers_at_my_step_filter(user) if user.role == access.DESK_ROLE else Q(), status=Status.NEW
        )
    elif tab == QueueTab.MY_STEP:
        qs = qs.filter(access.dossiers_at_my_step_filter(user), status__in=(*RUNNING, Status.PROCESSED))
    elif tab == QueueTab.NEAR_DUE:
        try:
            soon = (calendar or working_calendar()).add_working_days(now, 1)
        except CalendarYearUnknown:
            # The next working day is in a year nobody has confirmed: the page's calendar warning
            # says so; the tab stays empty rather than guess which dossiers are near.
            return QueuePage(items=[], next_cursor=None)
        qs = qs.filter(status__in=RUNNING, due_at__gte=now, due_at__lte=soon)
    elif tab == QueueTab.OVERDUE:
        qs = qs.filter(status__in=RUNNING, due_at__lt=now)
    if filters is not None:
        if filters.text:
            qs = qs.filter(Q(code=filters.text) | Q(applicant_id_number=filters.text))
        if filters.procedure:
            qs = qs.filter(procedure__code=filters.procedure)
        if filters.status is not None:
            qs = qs.filter(status=filters.status)
        if filters.channel:
            qs = qs.filter(channel=filters.channel)
    if after:
        due_text, _sep, pk_text = after.partition("|")
        try:
            due, pk = dt.datetime.fromisoformat(due_text), int(pk_text)
        except ValueError:
            due, pk = None, None
        if due is not None and timezone.is_naive(due):
            due = due.replace(tzinfo=dt.UTC)  # cursors are written in UTC; one cut short still is
        if due is not None:
            # The plain lower bound lets the index scan start at the cursor; the OR breaks ties.
            qs = qs.filter(due_at__gte=due).filter(Q(due_at__gt=due) | Q(due_at=due, pk__gt=pk))
    rows = list(qs.order_by("due_at", "pk")[: size + 1])
    return QueuePage(items=rows[:size], next_cursor=_cursor(rows[size - 1]) if len(rows) > size else None)


@dataclass(frozen=True)
class Remaining:
    """Working time left before the due date, for the colour band and its words."""

    band: str  # "overdue" | "due-soon" | "on-track" | "paused" | "done" | "unknown" (calendar year unknown)
    text: str


def dossier_remaining(
    *, dossier: Dossier, calendar: WorkingCalendar | None = None, now: dt.datetime | None = None
) -> Remaining:
    """Pass `calendar` when listing many dossiers: fetching it costs a query."""
    now = now or timezone.now()
    if dossier.status in TERMINAL_STATUSES or dossier.status == Status.PROCESSED:
        return Remaining("done", str(_("Đã xử lý xong")))
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        return Remaining("paused", str(_("Tạm dừng, chờ bổ sung")))
    if dossier.due_at is None:
        return Remaining("on-track", "")
    calendar = calendar or working_calendar()
    try:
        if dossier.due_at < now:
            late = calendar.working_time_between(dossier.due_at, now)
            return Remaining("overdue", str(_("Quá hạn %(time)s") % {"time": _working_text(late, calendar)}))
        left = calendar.working_time_between(now, dossier.due_at)
    except CalendarYearUnknown as error:
        return Remaining("unknown", str(error))
    band = "due-soon" if left <= calendar.office_hours.day_length else "on-track"
    return Remaining(band, str(_("Còn %(time)s") % {"time": _working_text(left, calendar)}))


def _working_text(span: dt.timedelta, calendar: WorkingCalendar) -> str:
    hours = round(span.total_seconds() / 3600 * 2) / 2  # to the half hour
    days, rest = divmod(hours, calendar.office_hours.day_length.total_seconds() / 3600)
    rest_text = f"{rest:g}".replace(".", ",")
    if days >= 1 and rest:
        return str(_("%(days)d ngày %(hours)s giờ làm việc") % {"days": days, "hours": rest_text})
    if days >= 1:
        return str(_("%(days)d ngày làm việc") % {"days": days})
    return str(_("%(hours)s giờ làm việc") % {"hours": rest_text})


def dossier_get_public(*, code: str) -> Dossier:
    """A dossier for the public status page (the QR code on every printed form points there)."""
    try:
        return Dossier.objects.select_related("procedure", "agency", "workflow_version").get(code=code.strip())
    except Dossier.DoesNotExist:
        raise DossierNotFound() from None


def dossier_public_token(*, code: str) -> str:
    """The key printed in a dossier's QR code: whoever holds the paper may see its status
    without typing the id digits. An HMAC of the code under SECRET_KEY; it cannot be guessed."""
    return salted_hmac("dossiers.public-status", code.strip().upper()).hexdigest()[:20]


def dossier_get_public_checked(*, code: str, id_last4: str = "", token: str = "") -> Dossier:
    """The dossier for the public lookup, if the caller proves knowledge of it: the QR key,
    or the last 4 digits of the applicant's id number. DossierNotFound otherwise, the same
    whether the code exists or not (the page must not confirm that a code exists)."""
    code = code.strip().upper()
    try:
        dossier = dossier_get_public(code=code)
    except DossierNotFound:
        dossier = None
    if token:
        proven = constant_time_compare(token, dossier_public_token(code=code))
    else:
        digits = dossier.applicant_id_number[-4:] if dossier is not None else ""
        proven = len(id_last4) == 4 and len(digits) == 4 and constant_time_compare(id_last4, digits)
    if dossier is None or not proven:
        raise DossierNotFound()
    return dossier


def mask_name(name: str) -> str:
    """ "Nguyễn Văn An" -> "N***** V** A*": enough to recognise one's own dossier, not to identify."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def dossiers_due_within_one_working_day(
    now: dt.datetime | None = None, *, agency: Agency | None = None
) -> QuerySet[Dossier]:
    """Running dossiers (status 1, 2, 4, 6) due between now and one working day from now,
    with no apology letter (form 04) yet: the officer's list for issuing form 04 in time.
    """
    now = now or timezone.now()
    soon = working_calendar().add_working_days(now, 1)
    qs = (
        Dossier.objects.filter(status__in=RUNNING, due_at__gte=now, due_at__lte=soon)
        .exclude(documents__kind=DocumentKind.APOLOGY)
        .select_related("procedure", "agency")
        .order_by("due_at", "pk")
    )
    return qs if agency is None else qs.filter(agency=agency)


def officer_titles(*, dossier: Dossier, user_ids: set[int]) -> dict[int, str]:
    """The title (chức danh) each officer holds in the dossier's agency, for the citizen's timeline."""
    memberships = AgencyMembership.objects.filter(user_id__in=user_ids, agency_id=dossier.agency_id)
    return dict(memberships.values_list("user_id", "position"))


def consultation_list_for_user(*, user: User, open_only: bool = True) -> QuerySet[Consultation]:
    """Requests for an opinion the officer may answer (access.consultations_answerable_filter),
    soonest due first."""
    qs = Consultation.objects.select_related("dossier__procedure", "dossier__agency", "agency", "requested_by")
    if open_only:
        qs = qs.filter(answered_at__isnull=True)
    return qs.filter(access.consultations_answerable_filter(user))


def consultation_get_for_user(*, user: User, pk: int) -> Consultation:
    try:
        return consultation_list_for_user(user=user, open_only=False).get(pk=pk)
    except Consultation.DoesNotExist:
        raise DossierNotFound() from None


PROFILE_FIELDS = (
    "username", "full_name", "citizen_id", "date_of_birth", "gender", "phone", "email", "address",
    "province_code", "ward_code", "vneid_verified_at", "vneid_level", "date_joined", "last_login",
)  # fmt: skip


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the portal holds about one person (Decree 13/2023, the data subject's right
    to a copy): profile, drafts, dossiers with their history, files (names and fingerprints,
    not contents), payments, ratings, complaints, which officers looked at them (dossiers/trail.py),
    the document store and the messages sent. Only rows
    linked to this user; a constant number of queries."""
    dossiers = list(
        Dossier.objects.filter(applicant=user)
        .select_related("procedure", "agency")
        .prefetch_related(
            "events", "attachments", "payments", "notifications", "complaints", "accesses__officer", "accesses__agency"
        )
        .order_by("submitted_at")
    )
    ratings = {r.dossier_id: r for r in Rating.objects.filter(dossier__applicant=user)}

    def when(value: Any) -> Any:
        return value.isoformat() if hasattr(value, "isoformat") else value

    def file_entry(a: Any) -> dict[str, Any]:
        return {
            "name": a.name,
            "size": a.size,
            "sha256": a.sha256,
            "content_type": a.content_type,
            "at": when(a.created_at),
        }

    return {
        "profile": {field: when(getattr(user, field)) for field in PROFILE_FIELDS},
        "drafts": [
            {"procedure": d.procedure.code, "answers": d.form_data, "created_at": when(d.created_at),
             "updated_at": when(d.updated_at), "files": [file_entry(a) for a in d.attachments.all()]}
            for d in DossierDraft.objects.filter(owner=user, dossier__isnull=True)
            .select_related("procedure").prefetch_related("attachments")
        ],
        "dossiers": [
            {
                "code": d.code, "procedure": d.procedure.code, "agency": d.agency.name, "channel": d.channel,
                "status": d.status, "applicant_name": d.applicant_name, "applicant_id_number": d.applicant_id_number,
                "applicant_phone": d.applicant_phone, "applicant_email": d.applicant_email, "answers": d.form_data,
                "result_delivery": d.result_delivery, "result_address": d.result_address,
                "submitted_at": when(d.submitted_at), "due_at": when(d.due_at), "returned_at": when(d.returned_at),
                "history": [
                    {"action": e.action, "at": when(e.at), "status": e.to_status, "comment": e.comment}
                    for e in d.events.all()
                ],
                "files": [file_entry(a) for a in d.attachments.all()],
                "payments": [
                    {"ref": p.ref, "amount": p.amount, "status": p.status, "paid_at": when(p.paid_at)}
                    for p in d.payments.all()
                ],
                "messages": [{"channel": n.channel, "to": n.recipient, "at": when(n.sent_at)} for n in d.notifications.all()],
                "rating": {"score": ratings[d.pk].score, "comment": ratings[d.pk].comment} if d.pk in ratings else None,
                "complaints": [
                    {"content": c.content, "at": when(c.created_at), "answer": c.answer, "answered_at": when(c.answered_at)}
                    for c in d.complaints.all()
                ],
                # Who processed the person's data (Law 91/2025): every officer's look, oldest first.
                "accessed_by": [
                    {"at": when(a.at), "officer": a.officer.full_name or a.officer.username, "role": a.role,
                     "position": a.position, "agency": a.agency.name if a.agency else "", "what": a.kind,
                     "name": a.name}
                    for a in sorted(d.accesses.all(), key=lambda a: (a.at, a.pk))
                ],
            }
            for d in dossiers
        ],
        "document_store": [
            {"name": s.name, "title": s.title, "kind": s.kind, "size": s.size, "sha256": s.sha256, "at": when(s.created_at)}
            for s in StoredDocument.objects.filter(owner=user)
        ],
    }  # fmt: skip


def attachment_count_by_component(*, component_ids: list[int]) -> dict[int, int]:
    """How many files (on dossiers or drafts) point to each of these dossier components; one query.

    A component with files cannot be deleted (Attachment.component is PROTECT): the province
    admin console asks before dropping one from a procedure.
    """
    rows = (
        Attachment.objects.filter(component_id__in=component_ids)
        .values("component_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["component_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class DueDateExplained:
    """How a dossier's due date was computed, and whether that still gives the date it carries."""

    steps: tuple[DueStep, ...]
    computed: dt.datetime
    matches: bool
    note: str


def dossier_due_explanation(*, dossier: Dossier, calendar: WorkingCalendar | None = None) -> DueDateExplained | None:
    """The due date of a received dossier explained rule by rule, from the calendar engine's own trace.

    Recomputed from the receipt, the procedure's limits and the pauses since receipt, with the
    calendar that set due dates. When the result differs from the stored due date (the calendar
    or the procedure's limit changed after the appointment was given), `matches` is False and
    `note` says so: the stored date is the one promised. None before receipt; one query (pauses).
    """
    if dossier.received_at is None or dossier.due_at is None:
        return None
    calendar = calendar or working_calendar()
    procedure = dossier.procedure
    pauses = [
        (pause.started_at, pause.ended_at)
        for pause in sorted(dossier.pauses.all(), key=lambda p: (p.started_at, p.pk))
        if pause.started_at >= dossier.received_at
    ]
    try:
        explained = calendar.explain_due(
            dossier.received_at,
            time_limit_value=procedure.time_limit_value,
            time_limit_unit=procedure.time_limit_unit,
            same_day_rule=procedure.same_day_rule,
            online_time_limit_value=procedure.online_time_limit_value,
            online=dossier.channel in (Channel.ONLINE, Channel.NATIONAL_PORTAL),
            pauses=pauses,
        )
    except CalendarYearUnknown as error:
        return DueDateExplained(steps=(), computed=dossier.due_at, matches=False, note=str(error))
    matches = explained.due_at == dossier.due_at
    note = (
        ""
        if matches
        else str(
            _(
                "Ngày hẹn trả ghi trên hồ sơ (%(stored)s) khác kết quả tính lại (%(computed)s): lịch làm việc hoặc "
                "thời hạn của thủ tục đã thay đổi sau khi hẹn. Ngày hẹn đã ghi trên hồ sơ là ngày có giá trị."
            )
            % {
                "stored": timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y"),
                "computed": timezone.localtime(explained.due_at).strftime("%H:%M %d/%m/%Y"),
            }
        )
    )
    return DueDateExplained(steps=explained.steps, computed=explained.due_at, matches=matches, note=note)
