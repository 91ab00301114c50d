"""Officer workspace: queues, the dossier page, actions."""

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from accounts.constants import Role
from accounts.models import User
from accounts.security import client_ip
from common.errors import DomainError
from eforms.display import form_answers
from procedures.selectors import procedure_list
from workflows import engine
from workflows.constants import Action, Status
from workflows.selectors import calendar_unconfirmed_warning, working_calendar

from . import access
from .attachments.selectors import attachment_list_for_dossier
from .citizen_forms import PublicLookupForm
from .complaints import complaint_answer, complaint_get_for_user, complaints_open_for_user
from .constants import AccessKind, Channel, DocumentKind, EventKind
from .documents.selectors import dossier_documents_list
from .documents.services import PaperNotDue, document_file_name, document_issue
from .downloads import stored_file_response
from .exceptions import DossierNotFound
from .forms import (
    ActionForm,
    ApologyForm,
    ComplaintAnswerForm,
    ConsultationAnswerForm,
    ConsultForm,
    IntakeForm,
    ObligationForm,
    QueueFilterForm,
)
from .models import Dossier, DossierSigning
from .payments.selectors import PLATFORM_CHANNEL, payment_list_paid_for_dossier
from .selectors import (
    QUEUE_LABELS,
    QueueFilters,
    QueueTab,
    competent_agency_default,
    consultation_get_for_user,
    consultation_list_for_user,
    dossier_due_explanation,
    dossier_get_for_user,
    dossier_get_public_checked,
    dossier_queue,
    dossier_remaining,
    dossier_replacements,
    dossier_timeline,
)
from .services import consultation_answer, dossier_act, dossier_apologise, dossier_consult, dossier_submit
from .signing.services import dossier_signing_retry
from .trail import dossier_access_list, dossier_access_record

# Most dossiers a bulk receive handles at once (one page of the queue and some).
BULK_LIMIT = 50


def _officer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran first
    if not user.is_officer:
        raise PermissionDenied(_("Trang này chỉ dành cho cán bộ, công chức xử lý hồ sơ."))
    return user


def _dossier_or_404(user: User, code: str) -> Dossier:
    """The dossier if the user may see it; a 404 whether it is missing or out of scope."""
    try:
        return dossier_get_for_user(user=user, code=code)
    except DossierNotFound:
        raise Http404(_("Không tìm thấy hồ sơ.")) from None


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    try:
        tab = QueueTab(request.GET.get("hang", QueueTab.MY_STEP))
    except ValueError:
        tab = QueueTab.MY_STEP
    form = QueueFilterForm(request.GET or None)
    filters = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = QueueFilters(
            text=data["q"].strip(), procedure=data["thu_tuc"].strip(), status=data["trang_thai"], channel=data["kenh"]
        )
    calendar = working_calendar()
    page = dossier_queue(user=user, tab=tab, filters=filters, after=request.GET.get("sau"), calendar=calendar)
    rows = [(dossier, dossier_remaining(dossier=dossier, calendar=calendar)) for dossier in page.items]
    params = request.GET.copy()
    params.pop("sau", None)
    return render(
        request,
        "dossiers/queue.html",
        {
            "tab": tab,
            "tabs": list(QUEUE_LABELS.items()),
            "form": form,
            "rows": rows,
            "next_cursor": page.next_cursor,
            "params": params.urlencode(),
            "calendar_warning": calendar_unconfirmed_warning(calendar=calendar),
        },
    )


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _officer(request)
    dossier = _dossier_or_404(user, code)
    dossier_access_record(user=user, dossier=dossier, kind=AccessKind.DOSSIER)
    timeline = list(dossier_timeline(dossier=dossier))
    actions = [
        Action(a)
        for a in engine.allowed_actions(
            dossier.workflow_version.definition,
            step_key=dossier.step_key,
            status=Status(dossier.status),
            role=user.role,
        )
    ]
    steps = engine.steps_of(dossier.workflow_version.definition)
    own = access.may_act_on_dossier(user, dossier)
    if not own:  # a consulted agency, or the desk it was handed in at, reads it; never acts on it now
        actions = []
    consultations = list(dossier.consultations.select_related("agency", "answered_by").order_by("requested_at"))
    complaints = list(dossier.complaints.select_related("answered_by").order_by("created_at"))
    sequence = timeline[-1].sequence if timeline else 0
    calendar = working_calendar()
    return render(
        request,
        "dossiers/detail.html",
        {
            "own": own,
            "received_here": not own and access.may_read_as_received(user, dossier),
            # Read only when the history has one (the timeline is loaded anyway): no query on most pages.
            "obligations": list(dossier.obligations.select_related("settled_by").order_by("requested_at"))
            if any(e.action == EventKind.REQUEST_PAYMENT for e in timeline)
            else [],
            "obligation_form": ObligationForm(
                initial={"expected_sequence": sequence, "idempotency_key": uuid.uuid4().hex, "online": True}
            )
            if Action.REQUEST_PAYMENT in actions
            else None,
            # Read only once the history has a signing step (the timeline is loaded anyway).
            **_signing_context(dossier, timeline, own=own),
            "complaints": complaints,
            "complaint_answer_form": ComplaintAnswerForm() if own else None,
            "consultations": consultations,
            "my_open_consultations": [
                c for c in consultations if c.answered_at is None and access.may_answer_consultation(user, c)
            ],
            "answer_form": ConsultationAnswerForm(),
            "consult_form": ConsultForm(
                exclude_agency_id=dossier.agency_id,
                initial={"expected_sequence": sequence, "idempotency_key": uuid.uuid4().hex},
            )
            if Action.CONSULT in actions
            else None,
            "dossier": dossier,
            "files": list(attachment_list_for_dossier(user=user, dossier=dossier)),
            "replacements": dossier_replacements(dossier=dossier),
            "payments": payment_list_paid_for_dossier(user=user, dossier=dossier),
            "payment_channel": PLATFORM_CHANNEL,
            "accesses": dossier_access_list(dossier=dossier),
            "timeline": timeline,
            "steps": steps,
            "current_step": next((s for s in steps if s.key == dossier.step_key), None),
            "actions": [a for a in actions if a not in (Action.CONSULT, Action.REQUEST_PAYMENT)],
            "remaining": dossier_remaining(dossier=dossier, calendar=calendar),
            "due_explanation": dossier_due_explanation(dossier=dossier, calendar=calendar),
            "documents": dossier_documents_list(dossier=dossier),
            "answers": form_answers(dossier.form_version.schema, dossier.form_data) if dossier.form_version else None,
            "apology_form": ApologyForm()
            if dossier.status in (Status.NEW, Status.RECEIVED, Status.PROCESSING)
            else None,
            "form": ActionForm(
                initial={
                    "expected_sequence": timeline[-1].sequence if timeline else 0,
                    "idempotency_key": uuid.uuid4().hex,
                }
            ),
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, code: str) -> HttpResponse:
    user = _officer(request)
    dossier = _dossier_or_404(user, code)
    form = ActionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["action"] not in Action.values:
        messages.error(request, _("Yêu cầu không hợp lệ. Vui lòng tải lại trang và thử lại."))
        return redirect("dossiers:detail", code=code)
    data = form.cleaned_data
    action = Action(data["action"])
    try:
        dossier_act(
            dossier_id=dossier.pk,
            actor=user,
            action=action,
            comment=data["comment"],
            expected_sequence=data["expected_sequence"],
            idempotency_key=data["idempotency_key"],
            data={"paper_result_ready": True}
            if action == Action.RETURN_RESULT and data["paper_result_ready"]
            else None,
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": action.label})
    return redirect("dossiers:detail", code=code)


def _signing_context(dossier: Dossier, timeline: list[Any], *, own: bool) -> dict[str, Any]:
    if not any(e.action in (EventKind.APPROVE, EventKind.NUMBER_DISPATCH) for e in timeline):
        return {"signing": None, "signatures": [], "may_sign_again": False}
    signing = DossierSigning.objects.filter(dossier=dossier).first()
    signatures = list(dossier.signatures.order_by("signed_at", "pk"))
    return {
        "signing": signing,
        "signatures": signatures,
        "may_sign_again": own and signing is not None and dossier.returned_at is None,
    }


@login_required
@require_POST
def sign_again(request: HttpRequest, code: str) -> HttpResponse:
    """ "Ký số lại": the signing task once more (a token plugged back, a certificate renewed, a
    result uploaded after the leader signed)."""
    user = _officer(request)
    dossier = _dossier_or_404(user, code)
    try:
        dossier_signing_retry(dossier_id=dossier.pk, actor=user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        # (how it went shows in the page's signing section: signed, or the reason it could not be)
        messages.success(request, _("Đã yêu cầu ký số lại kết quả và các văn bản của hồ sơ."))
    return redirect("dossiers:detail", code=code)


@login_required
@require_POST
def request_payment(request: HttpRequest, code: str) -> HttpResponse:
    """Status 6: the officer asks the applicant to meet a financial obligation (land levy, taxes)."""
    user = _officer(request)
    dossier = _dossier_or_404(user, code)
    form = ObligationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("dossiers:detail", code=code)
    data = form.cleaned_data
    try:
        dossier_act(
            dossier_id=dossier.pk,
            actor=user,
            action=Action.REQUEST_PAYMENT,
            comment=data["description"],
            expected_sequence=data["expected_sequence"],
            idempotency_key=data["idempotency_key"],
            data={"amount": data["amount"], "pay_at": data["pay_at"], "online": data["online"]},
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": Action.REQUEST_PAYMENT.label})
    return redirect("dossiers:detail", code=code)


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """Walk-in intake: the reception officer enters a citizen's dossier at the desk; it is received at once."""
    user = _officer(request)
    if user.role != Role.RECEPTION_OFFICER:
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận tại bộ phận một cửa được nhập hồ sơ trực tiếp."))
    agency = user.memberships.select_related("agency").first()
    if agency is None:
        raise PermissionDenied(_("Tài khoản chưa được gán cơ quan công tác."))
    # Any procedure on the province's list, for any competent agency (Decree 118/2025).
    procedures = procedure_list(published_only=True).exclude(online_level="information").order_by("name")
    form = IntakeForm(request.POST or None, procedures=procedures, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            competent = data["agency"] or competent_agency_default(procedure=data["procedure"], desk=agency.agency)
            dossier = dossier_submit(
                procedure=data["procedure"],
                agency=competent,
                receiving_agency=agency.agency,
                channel=Channel.DIRECT,
                applicant_name=data["applicant_name"],
                applicant_id_number=data["applicant_id_number"],
                applicant_phone=data["applicant_phone"],
                applicant_email=data["applicant_email"],
                summary=data["summary"],
                actor=user,
                idempotency_key=data["idempotency_key"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
            return redirect("dossiers:detail", code=dossier.code)
    return render(request, "dossiers/intake.html", {"form": form})


# Tra cứu hồ sơ: attempts per client address; wrong answers per dossier code *and guesser*
# (address and browser), so nobody can lock the owner out of their own code on purpose; and a
# high daily ceiling of wrong answers per code, so a guesser spread over many addresses still
# meets a limit (4 digits: 10,000 answers; LOOKUP_FAILURES_PER_CODE_DAY allows 200 a day).


def public_status(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Tra cứu hồ sơ: the status and dates of a dossier, never personal data.

    The caller proves knowledge of the dossier: the key in the QR code of its printed forms
    (`?k=`), or its code with the last 4 digits of the applicant's id number (POST). Wrong
    answers look the same whether the code exists or not, and are rate-limited (429).
    """
    form = PublicLookupForm(request.POST or None, initial={"ma": code or ""})
    token = request.GET.get("k", "")
    dossier, status, limited = None, 200, False
    if code and token or form.is_bound:
        limited = is_ratelimited(
            request,
            group="dossiers.lookup",
            key="ip",
            rate=settings.LOOKUP_RATE_PER_ADDRESS,
            method=ALL,
            increment=True,
        )
    wait = settings.LOOKUP_RATE_PER_ADDRESS
    if limited:
        status = 429
    elif code and token:
        try:
            dossier = dossier_get_public_checked(code=code, token=token)
        except DossierNotFound:
            status = 404
    elif form.is_bound and form.is_valid():
        wanted = form.cleaned_data["ma"]
        blocked_by = _lookup_blocked(request, wanted, increment=False)
        if blocked_by:
            limited, status, wait = True, 429, blocked_by
        else:
            try:
                dossier = dossier_get_public_checked(code=wanted, id_last4=form.cleaned_data["so_cuoi"])
            except DossierNotFound:
                _lookup_blocked(request, wanted, increment=True)
                status = 404
    elif form.is_bound:
        status = 400
    events = list(dossier.events.order_by("sequence")) if dossier else []
    steps = {s.key: s.name for s in engine.steps_of(dossier.workflow_version.definition)} if dossier else {}
    context = {
        "form": form,
        "dossier": dossier,
        "events": events,
        "step_names": steps,
        "limited": limited,
        "wait_minutes": _window_minutes(wait),
    }
    return render(request, "dossiers/public_status.html", context, status=status)


def _guesser(request: HttpRequest) -> str:
    """Who is asking: the client address and a digest of the browser's User-Agent."""
    browser = hashlib.sha256(request.headers.get("User-Agent", "").encode()).hexdigest()[:16]
    return f"{client_ip(request)}:{browser}"


def _window_minutes(rate: str) -> int:
    """How long a "N/period" limit lasts, in minutes: "5/15m" → 15, "30/h" → 60, "200/d" → 1440."""
    period = rate.partition("/")[2] or "m"
    count = int(period[:-1] or 1)
    return max(1, count * {"s": 0, "m": 1, "h": 60, "d": 1440}.get(period[-1], 1))


def _lookup_blocked(request: HttpRequest, code: str, *, increment: bool) -> str:
    """The rate that is used up for this code ("" when neither is): the guesser's or the day's."""
    by_guesser = is_ratelimited(
        request,
        group="dossiers.lookup-code",
        key=lambda _group, request: f"{code}:{_guesser(request)}",
        rate=settings.LOOKUP_FAILURES_PER_CODE,
        method=ALL,
        increment=increment,
    )
    by_code = is_ratelimited(
        request,
        group="dossiers.lookup-code-day",
        key=lambda _group, _request: code,
        rate=settings.LOOKUP_FAILURES_PER_CODE_DAY,
        method=ALL,
        increment=increment,
    )
    if by_guesser:
        return settings.LOOKUP_FAILURES_PER_CODE
    return settings.LOOKUP_FAILURES_PER_CODE_DAY if by_code else ""


@login_required
@require_POST
def bulk_receive(request: HttpRequest) -> HttpResponse:
    """Receive several new dossiers at once; each is its own transaction, failures are listed."""
    user = _officer(request)
    codes = request.POST.getlist("codes")[:BULK_LIMIT]
    received, failed = [], []
    for code in codes:
        try:
            dossier = dossier_get_for_user(user=user, code=code)
            dossier_act(dossier_id=dossier.pk, actor=user, action=Action.RECEIVE)
        except DomainError as exc:
            failed.append(f"{code}: {exc}")
        else:
            received.append(code)
    if received:
        messages.success(request, _("Đã tiếp nhận %(n)s hồ sơ.") % {"n": len(received)})
    for line in failed:
        messages.error(request, line)
    if not codes:
        messages.error(request, _("Chưa chọn hồ sơ nào."))
    return redirect(f"{reverse('dossiers:queue')}?hang={QueueTab.TO_RECEIVE}")


@login_required
def document_download(request: HttpRequest, code: str, kind: str) -> HttpResponseBase:
    """The newest form `kind` issued for a dossier, to officers who may see it.

    The receipt (01) is issued on the spot if its background task has not run yet: at the
    desk the citizen is waiting for it. Issuing is idempotent, so this never duplicates it.
    """
    user = _officer(request)
    dossier = _dossier_or_404(user, code)
    if kind not in DocumentKind.values or not access.may_download_document(user, dossier, kind):
        raise Http404(_("Không có mẫu này."))
    document = dossier.documents.filter(kind=kind).order_by("-created_at").first()
    if document is None and kind in (DocumentKind.RECEIPT, DocumentKind.SUBMISSION_ACK):
        try:
            document = document_issue(dossier=dossier, kind=kind)
        except PaperNotDue:  # form 01 before a valid receipt, an acknowledgement of a desk filing
            document = None
    if document is None:
        raise Http404(_("Chưa có văn bản này cho hồ sơ."))
    with translation.override("vi"):  # the trail keeps the form's official title
        name = f"{DocumentKind(kind).label} (mẫu {kind})"
    dossier_access_record(user=user, dossier=dossier, kind=AccessKind.DOCUMENT, name=name)
    return stored_file_response(
        request, document.file, name=document_file_name(dossier, kind), content_type="application/pdf"
    )


@login_required
@require_POST
def apologise(request: HttpRequest, code: str) -> HttpResponse:
    user = _officer(request)
    dossier = _dossier_or_404(user, code)
    form = ApologyForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}" if field in form.fields else str(error))
        return redirect("dossiers:detail", code=code)
    try:
        dossier_apologise(
            dossier_id=dossier.pk,
            actor=user,
            new_due_at=form.cleaned_data["new_due_at"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã ghi nhận thư xin lỗi và ngày hẹn mới; phiếu mẫu 04 đang được tạo."))
    return redirect("dossiers:detail", code=code)


@login_required
@require_POST
def consult(request: HttpRequest, code: str) -> HttpResponse:
    """Lấy ý kiến: ask other agencies while the dossier goes on."""
    user = _officer(request)
    dossier = _dossier_or_404(user, code)
    form = ConsultForm(request.POST, exclude_agency_id=dossier.agency_id)
    if not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, _("Chưa lấy ý kiến được: %(problems)s") % {"problems": problems})
        return redirect("dossiers:detail", code=code)
    data = form.cleaned_data
    try:
        asked = dossier_consult(
            dossier_id=dossier.pk, actor=user, agencies=list(data["agencies"]), question=data["question"],
            expected_sequence=data["expected_sequence"], idempotency_key=data["idempotency_key"],
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        names = ", ".join(c.agency.name for c in asked)
        messages.success(request, _("Đã gửi lấy ý kiến: %(names)s.") % {"names": names})
    return redirect("dossiers:detail", code=code)


@login_required
def consultations(request: HttpRequest) -> HttpResponse:
    """Lấy ý kiến: requests addressed to the officer's agencies, soonest due first."""
    user = _officer(request)
    rows = consultation_list_for_user(user=user)[:100]
    return render(request, "dossiers/consultations.html", {"consultations": rows})


@login_required
@require_POST
def consultation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    try:
        consultation = consultation_get_for_user(user=user, pk=pk)
    except DossierNotFound:
        raise Http404(_("Không tìm thấy yêu cầu lấy ý kiến.")) from None
    form = ConsultationAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vui lòng nhập ý kiến trả lời."))
    else:
        try:
            consultation_answer(consultation_id=consultation.pk, actor=user, answer=form.cleaned_data["answer"])
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã gửi ý kiến trả lời."))
    return redirect("dossiers:detail", code=consultation.dossier.code)


@login_required
def complaints(request: HttpRequest) -> HttpResponse:
    """Phản ánh, kiến nghị: unanswered complaints about the officer's agencies' dossiers, oldest first."""
    user = _officer(request)
    rows = complaints_open_for_user(user=user)[:100]
    return render(request, "dossiers/complaints.html", {"complaints": rows})


@login_required
@require_POST
def complaint_reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = _officer(request)
    try:
        complaint = complaint_get_for_user(user=user, pk=pk)
    except DossierNotFound:
        raise Http404(_("Không tìm thấy phản ánh.")) from None
    form = ComplaintAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vui lòng nhập nội dung trả lời (tối đa 4.000 ký tự)."))
    else:
        try:
            complaint_answer(complaint_id=complaint.pk, actor=user, answer=form.cleaned_data["answer"])
        except DossierNotFound:
            raise Http404(_("Không tìm thấy phản ánh.")) from None
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã gửi trả lời phản ánh. Người nộp hồ sơ nhận được qua thư điện tử."))
    return redirect("dossiers:detail", code=complaint.dossier.code)
