"""The citizen's side: start, draft, review, submit, track, supplement, withdraw, result, rate.

A dossier is started from a procedure's page and lives as a draft on the server (so it can
be resumed on any device) through four steps: the e-form, the documents, the fee, the
check-and-submit page. Every page shows where the citizen is in those steps.
"""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.constants import Role
from accounts.models import User
from accounts.selectors import user_address_text
from common.errors import DomainError, DomainErrors
from eforms.display import form_answers
from eforms.models import FormVersion
from eforms.prefill import PrefillValues, prefill_values
from eforms.wizard import EformWizardView
from procedures.models import Procedure
from workflows import engine

from . import access
from .attachments.selectors import attachment_components, components_replaced
from .citizen_forms import ComplaintForm, RatingForm, StartForm, SubmitForm, SupplementForm, WithdrawForm
from .complaints import complaint_file
from .constants import AttachmentRole, DocumentKind, Status
from .documents.selectors import dossier_documents_list
from .documents.services import PaperNotDue, document_file_name, document_issue
from .downloads import stored_file_response
from .drafts import services as drafts
from .drafts.selectors import draft_get_for_owner, draft_list_open
from .exceptions import DossierNotFound
from .models import Dossier, DossierDraft, Rating
from .payments.selectors import payment_state_for_draft
from .selectors import (
    dossier_due_explanation,
    dossier_get_for_user,
    dossier_list_for_user,
    dossier_timeline,
    officer_titles,
    personal_data_export,
)
from .trail import dossier_access_list

# The four steps of a draft, in order: (url name, label).
DRAFT_STEPS = (
    ("draft_form", gettext_lazy("Tờ khai")),
    ("draft_files", gettext_lazy("Giấy tờ")),
    ("payment_start", gettext_lazy("Lệ phí")),
    ("draft_review", gettext_lazy("Kiểm tra và nộp")),
)
# Citizens may withdraw before a decision (the workflow says when; this only decides the button).
WITHDRAWABLE = frozenset(
    {Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED}
)


@dataclass(frozen=True)
class StepLink:
    number: int
    label: str
    url: str
    current: bool


def _citizen(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran first
    if user.role != Role.CITIZEN:
        raise PermissionDenied(_("Trang này dành cho công dân, doanh nghiệp nộp hồ sơ."))
    return user


def _draft_or_404(user: User, token: str) -> DossierDraft:
    try:
        return draft_get_for_owner(owner=user, token=token)
    except DossierNotFound:
        raise Http404(_("Không tìm thấy hồ sơ đang soạn.")) from None


def _dossier_or_404(user: User, code: str) -> Dossier:
    try:
        return dossier_get_for_user(user=user, code=code)
    except DossierNotFound:
        raise Http404(_("Không tìm thấy hồ sơ.")) from None


def draft_steps(draft: DossierDraft, current: str) -> list[StepLink]:
    return [
        StepLink(n, str(label), reverse(f"dossiers:{name}", args=[draft.token]), name == current)
        for n, (name, label) in enumerate(DRAFT_STEPS, start=1)
    ]


def _submitted(draft: DossierDraft) -> HttpResponse | None:
    """A submitted draft's pages lead to its dossier (a back button after submitting)."""
    if draft.dossier_id is not None:
        return redirect("dossiers:my_dossier", code=draft.dossier.code)  # type: ignore[union-attr]
    return None


# --- start -------------------------------------------------------------------------------------


def citizen_filing_open(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """In back-office mode (CITIZEN_FILING_ENABLED off) filing starts on Cổng DVCQG: the pages
    that start or continue a draft answer with where to file instead (dossiers already filed here
    stay reachable in "Hồ sơ của tôi")."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.CITIZEN_FILING_ENABLED:
            return view(request, *args, **kwargs)
        code = kwargs.get("code", "")
        link = settings.NATIONAL_PORTAL_PROCEDURE_URL.format(code=code) if code else ""
        return render(
            request, "dossiers/citizen/file_on_national_portal.html", {"link": link, "code": code}, status=410
        )

    return checked


@citizen_filing_open
@login_required
def start(request: HttpRequest, code: str) -> HttpResponse:
    """Nộp hồ sơ trực tuyến: what the procedure needs, the receiving agency, then a new draft."""
    user = _citizen(request)
    procedure = get_object_or_404(Procedure.objects.select_related("sector"), code=code, is_published=True)
    agencies = procedure.implementing_agencies.order_by("name")
    form = StartForm(request.POST or None, agencies=agencies)
    if not procedure.is_online:
        return render(request, "dossiers/citizen/start.html", {"procedure": procedure, "form": None}, status=404)
    if request.method == "POST" and form.is_valid():
        try:
            draft = drafts.draft_start(
                owner=user,
                procedure=procedure,
                agency=form.cleaned_data["agency"],
                receiving_agency=form.cleaned_data["receiving_agency"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("dossiers:draft_form", token=draft.token)
    context = {
        "procedure": procedure,
        "form": form,
        "components": procedure.components.all(),
        "fees": procedure.fees.all(),
        "open_drafts": draft_list_open(owner=user, procedure=procedure)[:5],
    }
    return render(request, "dossiers/citizen/start.html", context)


# --- step 1: the e-form --------------------------------------------------------------------------


class DraftFormWizard(EformWizardView):
    """The procedure's e-form for one draft: every accepted step is saved to the draft."""

    submit_label = gettext_lazy("Lưu tờ khai, tiếp tục")
    draft: DossierDraft = None  # type: ignore[assignment]  # given to as_view()

    def get_version(self) -> FormVersion:
        assert self.draft.form_version is not None  # noqa: S101 - the view checked
        return self.draft.form_version

    def get_context_data(self, form: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        context["draft_steps"] = draft_steps(self.draft, "draft_form")
        context["page_header_template"] = "dossiers/citizen/_draft_steps.html"
        return context

    def on_step(self, step_key: str, answers: dict[str, Any]) -> None:
        self.draft = drafts.draft_answers_save(draft=self.draft, answers=answers, step=step_key)

    def on_complete(self, values: dict[str, Any]) -> HttpResponse:
        drafts.draft_answers_save(draft=self.draft, answers=values, step="")
        return redirect("dossiers:draft_files", token=self.draft.token)


def _profile_prefill(user: User) -> dict[str, Any]:
    """Who the citizen is, for the form's applicant fields (provide once): the account's profile."""
    values = {
        drafts.APPLICANT_FIELDS["name"]: user.full_name,
        drafts.APPLICANT_FIELDS["id_number"]: user.citizen_id,
        drafts.APPLICANT_FIELDS["phone"]: user.phone,
        drafts.APPLICANT_FIELDS["email"]: user.email,
    }
    return {key: value for key, value in values.items() if value}


@citizen_filing_open
@login_required
def draft_form(request: HttpRequest, token: str) -> HttpResponse:
    user = _citizen(request)
    draft = _draft_or_404(user, token)
    if (done := _submitted(draft)) is not None:
        return done
    if draft.form_version is None:  # a procedure without an e-form: documents only
        return redirect("dossiers:draft_files", token=draft.token)
    # The form's declared sources ("prefill": profile.x / dan_cu.x, eforms.prefill) over the
    # applicant fields from the profile; what was saved on any device over both (a value the
    # population registry confirms stays the registry's and is shown read-only).
    declared = prefill_values(version=draft.form_version, user=user)
    sources = PrefillValues({**_profile_prefill(user), **declared}, origins=declared.origins, locked=declared.locked)
    prefill = sources.overlay(draft.form_data)
    view = DraftFormWizard.as_view(draft=draft, prefill=prefill, storage_key=str(draft.token))
    response: HttpResponse = view(request)
    return response


# --- step 2: documents ----------------------------------------------------------------------------


@citizen_filing_open
@login_required
def draft_files(request: HttpRequest, token: str) -> HttpResponse:
    user = _citizen(request)
    draft = _draft_or_404(user, token)
    if (done := _submitted(draft)) is not None:
        return done
    context = {
        "draft": draft,
        "components": attachment_components(user=user, draft=draft),
        "replaced": components_replaced(procedure_id=draft.procedure_id),
        "next_url": request.path,
        "draft_steps": draft_steps(draft, "draft_files"),
    }
    return render(request, "dossiers/citizen/draft_files.html", context)


# --- step 4: check and submit ---------------------------------------------------------------------


@citizen_filing_open
@login_required
def draft_review(request: HttpRequest, token: str) -> HttpResponse:
    user = _citizen(request)
    draft = _draft_or_404(user, token)
    if (done := _submitted(draft)) is not None:
        return done
    form = SubmitForm(
        request.POST if request.method == "POST" else None,
        ways=draft.procedure.result_delivery_ways(),
        address=user_address_text(user=user),
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            dossier = drafts.draft_submit(
                draft=draft,
                declaration=form.cleaned_data["declaration"],
                result_delivery=form.cleaned_data["result_delivery"],
                result_address=form.cleaned_data["result_address"],
                language=translation.get_language() or "",
            )
        except DomainErrors as exc:
            errors = [str(exc.message), *exc.errors]
        except DomainError as exc:
            errors = [str(exc)]
        else:
            return redirect("dossiers:my_dossier_submitted", code=dossier.code)
    elif form.errors:
        errors = [str(_("Vui lòng kiểm tra lại:")), *(str(e) for errs in form.errors.values() for e in errs)]
    answers = form_answers(draft.form_version.schema, draft.form_data) if draft.form_version else []
    files = draft.attachments.select_related("component", "reused_from").order_by("component__order", "created_at")
    context = {
        "draft": draft,
        "form": form,
        "errors": errors,
        "answers": answers,
        "files": files,
        "payment": payment_state_for_draft(draft=draft),
        "problems": drafts.draft_problems(draft=draft),
        "draft_steps": draft_steps(draft, "draft_review"),
    }
    return render(request, "dossiers/citizen/draft_review.html", context, status=400 if errors else 200)


@citizen_filing_open
@login_required
@require_POST
def draft_delete(request: HttpRequest, token: str) -> HttpResponse:
    user = _citizen(request)
    draft = _draft_or_404(user, token)
    try:
        drafts.draft_delete(draft=draft)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã xóa hồ sơ đang soạn."))
    return redirect("dossiers:my_dossiers")


# --- after submission -------------------------------------------------------------------------------


@login_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    """Hồ sơ của tôi: drafts to resume, then submitted dossiers, newest first."""
    user = _citizen(request)
    open_drafts = draft_list_open(owner=user).select_related("procedure")[:50]
    dossiers = dossier_list_for_user(user=user).select_related("handler").order_by("-submitted_at")[:100]
    return render(request, "dossiers/citizen/my_dossiers.html", {"drafts": open_drafts, "dossiers": dossiers})


@login_required
def my_dossier_submitted(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation page: the code, the receipt, what happens next."""
    user = _citizen(request)
    dossier = _dossier_or_404(user, code)
    return render(request, "dossiers/citizen/submitted.html", {"dossier": dossier})


@login_required
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    user = _citizen(request)
    dossier = _dossier_or_404(user, code)
    request_event = drafts.supplement_request_open(dossier=dossier)
    steps = {s.key: s.name for s in engine.steps_of(dossier.workflow_version.definition)}
    # (with each result's digital signature: only a signed result is said to equal paper)
    attachments = list(
        dossier.attachments.select_related("component", "reused_from", "signature").order_by("created_at")
    )
    events = list(dossier_timeline(dossier=dossier))
    titles = officer_titles(
        dossier=dossier, user_ids={e.actor_id for e in events if e.actor_id and e.actor_role != Role.CITIZEN}
    )
    complaints = list(dossier.complaints.order_by("created_at"))
    context = {
        "dossier": dossier,
        "step_name": steps.get(dossier.step_key, ""),
        "events": [(event, titles.get(event.actor_id or 0, "")) for event in events],
        "handler_title": titles.get(dossier.handler_id or 0, ""),
        "step_names": steps,
        "documents": [
            d for d in dossier_documents_list(dossier=dossier) if access.may_download_document(user, dossier, d.kind)
        ],
        "filed": [a for a in attachments if a.role == AttachmentRole.FILED],
        "results": [a for a in attachments if a.role == AttachmentRole.RESULT],
        "payments": dossier.payments.order_by("-created_at"),
        # Status 6: what to pay, how much and where (and a button when it may be paid online).
        "obligation": dossier.obligations.filter(settled_at__isnull=True).first(),
        "answers": form_answers(dossier.form_version.schema, dossier.form_data) if dossier.form_version else [],
        "supplement_request": request_event,
        "supplement_boxes": attachment_components(user=user, dossier=dossier, supplement_event=request_event)
        if request_event
        else [],
        "supplement_form": SupplementForm(initial={"idempotency_key": uuid.uuid4().hex}),
        "withdraw_form": WithdrawForm(initial={"idempotency_key": uuid.uuid4().hex})
        if dossier.status in WITHDRAWABLE
        else None,
        "due_explanation": dossier_due_explanation(dossier=dossier),
        "rating": Rating.objects.filter(dossier=dossier).first(),
        "rating_form": RatingForm() if dossier.status == Status.RETURNED else None,
        "complaints": complaints,
        "accesses": dossier_access_list(dossier=dossier),
        # One complaint waits for its answer at a time (dossiers.complaints).
        "complaint_form": None if any(c.answered_at is None for c in complaints) else ComplaintForm(),
    }
    return render(request, "dossiers/citizen/my_dossier.html", context)


@dataclass(frozen=True)
class CitizenAction:
    """One of the citizen's actions on their dossier: its form, its service, what to say."""

    form_class: type[forms.Form]
    invalid: str | Promise  # the form did not validate
    done: str | Promise
    run: Callable[[Dossier, User, dict[str, Any]], object]


CITIZEN_ACTIONS: dict[str, CitizenAction] = {
    "supplement": CitizenAction(
        SupplementForm,
        gettext_lazy("Yêu cầu không hợp lệ, vui lòng tải lại trang và thử lại."),
        gettext_lazy("Đã gửi giấy tờ bổ sung. Hồ sơ tiếp tục được giải quyết."),
        lambda dossier, user, data: drafts.dossier_supplement_provide(
            dossier=dossier, citizen=user, note=data["note"], idempotency_key=data["idempotency_key"]
        ),
    ),
    "withdraw": CitizenAction(
        WithdrawForm,
        gettext_lazy("Vui lòng nhập lý do rút hồ sơ."),
        gettext_lazy("Đã rút hồ sơ. Cơ quan tiếp nhận sẽ không tiếp tục giải quyết."),
        lambda dossier, user, data: drafts.dossier_withdraw(
            dossier=dossier, citizen=user, reason=data["reason"], idempotency_key=data["idempotency_key"]
        ),
    ),
    "rate": CitizenAction(
        RatingForm,
        gettext_lazy("Vui lòng chọn mức độ hài lòng từ 1 đến 5."),
        gettext_lazy("Cảm ơn bạn đã đánh giá. Ý kiến của bạn giúp cơ quan phục vụ tốt hơn."),
        lambda dossier, user, data: drafts.dossier_rate(
            dossier=dossier, citizen=user, score=data["score"], comment=data["comment"]
        ),
    ),
    "complain": CitizenAction(
        ComplaintForm,
        gettext_lazy("Vui lòng nhập nội dung phản ánh, kiến nghị (tối đa 2.000 ký tự)."),
        gettext_lazy("Đã gửi phản ánh, kiến nghị. Cơ quan giải quyết sẽ trả lời trên trang này và qua thư điện tử."),
        lambda dossier, user, data: complaint_file(dossier=dossier, citizen=user, content=data["content"]),
    ),
}


def _citizen_action(name: str) -> Callable[[HttpRequest, str], HttpResponse]:
    """A view for one citizen action: validate, call the service, say what happened, back to the dossier."""
    action = CITIZEN_ACTIONS[name]

    @login_required
    @require_POST
    def view(request: HttpRequest, code: str) -> HttpResponse:
        user = _citizen(request)
        dossier = _dossier_or_404(user, code)
        form = action.form_class(request.POST)
        if not form.is_valid():
            messages.error(request, str(action.invalid))
        else:
            try:
                action.run(dossier, user, form.cleaned_data)
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, str(action.done))
        return redirect("dossiers:my_dossier", code=code)

    view.__name__ = view.__qualname__ = f"my_dossier_{name}"
    return view


my_dossier_supplement = _citizen_action("supplement")
my_dossier_withdraw = _citizen_action("withdraw")
my_dossier_rate = _citizen_action("rate")
my_dossier_complain = _citizen_action("complain")


@login_required
def my_dossier_document(request: HttpRequest, code: str, kind: str) -> HttpResponseBase:
    """A paper issued for the citizen's dossier (xn acknowledgement, 01 receipt, 02, 03, 04, 05), the newest.

    The acknowledgement of an online filing, and form 01 once the dossier is received, are
    issued on the spot if their background task has not run yet: the citizen is looking at the
    confirmation page. Issuing is idempotent. Form 01 before a receipt does not exist (404).
    """
    user = _citizen(request)
    dossier = _dossier_or_404(user, code)
    if kind not in DocumentKind.values or not access.may_download_document(user, dossier, kind):
        raise Http404(_("Không có mẫu này."))
    document = dossier.documents.filter(kind=kind).order_by("-created_at").first()
    if document is None and kind in (DocumentKind.RECEIPT, DocumentKind.SUBMISSION_ACK):
        try:
            document = document_issue(dossier=dossier, kind=kind)
        except PaperNotDue:
            document = None
    if document is None:
        raise Http404(_("Chưa có văn bản này cho hồ sơ."))
    return stored_file_response(
        request, document.file, name=document_file_name(dossier, kind), content_type="application/pdf"
    )


@login_required
def personal_data(request: HttpRequest) -> HttpResponse:
    """Tải dữ liệu cá nhân: everything held about the signed-in person, as one JSON file."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran first
    data = personal_data_export(user=user)
    body = json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{timezone.localdate():%Y%m%d}.json"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("tai-khoan/du-lieu-ca-nhan/", personal_data, name="personal_data"),
    path("thu-tuc/<str:code>/nop-ho-so/", start, name="start"),
    path("ho-so-cua-toi/", my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/dang-soan/<uuid:token>/to-khai/", draft_form, name="draft_form"),
    path("ho-so-cua-toi/dang-soan/<uuid:token>/giay-to/", draft_files, name="draft_files"),
    path("ho-so-cua-toi/dang-soan/<uuid:token>/kiem-tra/", draft_review, name="draft_review"),
    path("ho-so-cua-toi/dang-soan/<uuid:token>/xoa/", draft_delete, name="draft_delete"),
    path("ho-so-cua-toi/<str:code>/", my_dossier, name="my_dossier"),
    path("ho-so-cua-toi/<str:code>/da-nop/", my_dossier_submitted, name="my_dossier_submitted"),
    path("ho-so-cua-toi/<str:code>/bo-sung/", my_dossier_supplement, name="my_dossier_supplement"),
    path("ho-so-cua-toi/<str:code>/rut/", my_dossier_withdraw, name="my_dossier_withdraw"),
    path("ho-so-cua-toi/<str:code>/danh-gia/", my_dossier_rate, name="my_dossier_rate"),
    path("ho-so-cua-toi/<str:code>/phan-anh/", my_dossier_complain, name="my_dossier_complain"),
    path("ho-so-cua-toi/<str:code>/van-ban/<str:kind>/", my_dossier_document, name="my_dossier_document"),
]
