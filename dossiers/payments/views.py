"""Fee payment through the national payment platform: start, return page, notification, receipt."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from common.errors import DomainError
from dossiers.citizen_views import draft_steps
from dossiers.constants import PaymentStatus
from dossiers.downloads import stored_file_response
from dossiers.drafts.services import draft_fees_set
from dossiers.models import DossierDraft, FinancialObligation, Payment
from dossiers.payments.receipts import payment_receipt_issue
from dossiers.payments.selectors import payment_get_for_user, payment_state_for_draft
from dossiers.payments.services import payment_notify, payment_return, payment_start, payment_start_for_obligation


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _back_url(payment: Payment) -> str:
    """A financial obligation's payment goes back to its dossier; a fee's to its draft."""
    if payment.obligation_id is not None and payment.dossier is not None:
        return reverse("dossiers:my_dossier", args=[payment.dossier.code])
    return _draft_url(payment.draft)


def _draft_url(draft: DossierDraft | None) -> str:
    """Where the citizen goes back to: the draft's review page, else their dossiers, else home."""
    if draft is not None:
        try:
            return reverse("dossiers:draft_review", args=[draft.token])
        except NoReverseMatch:
            pass
    try:
        return reverse("dossiers:my_dossiers")
    except NoReverseMatch:
        return "/"


def _own_draft_or_404(user: User, token: uuid.UUID) -> DossierDraft:
    draft = DossierDraft.objects.select_related("procedure").filter(token=token, owner=user).first()
    if draft is None:
        raise Http404(_("Không tìm thấy hồ sơ đang soạn."))
    return draft


def _remote_addr(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """Step 3 of a draft, the fee. GET: what is due online (discount applied) and the optional
    fees the applicant's case may call for. POST `action=fees`: choose those; otherwise: go
    to the payment platform."""
    user = _user(request)
    draft = _own_draft_or_404(user, token)
    if request.method == "POST":
        if request.POST.get("action") == "fees":
            return _choose_fees(request, draft)
        try:
            _payment, url = payment_start(draft=draft, payer=user)
        except DomainError as exc:
            messages.info(request, str(exc))
            return redirect(_draft_url(draft))
        return HttpResponseRedirect(url)
    state = payment_state_for_draft(draft=draft)
    chosen = set(draft.fees_chosen or ())
    optional = [
        (fee, fee.pk in chosen) for fee in draft.procedure.fees.all() if fee.optional and not fee.quantity_field
    ]
    return render(
        request,
        "dossiers/payments/start.html",
        {
            "draft": draft,
            "state": state,
            "optional_fees": optional,
            # The amount must not change under a payment that was started or made.
            "fees_locked": state.pending is not None or state.paid_payment is not None,
            "back_url": _draft_url(draft),
            "draft_steps": draft_steps(draft, "payment_start"),
        },
    )


def _choose_fees(request: HttpRequest, draft: DossierDraft) -> HttpResponse:
    fee_ids = [int(value) for value in request.POST.getlist("fee") if value.isascii() and value.isdigit()]
    try:
        draft_fees_set(draft=draft, fee_ids=fee_ids)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã cập nhật các khoản phí, lệ phí áp dụng."))
    return redirect("dossiers:payment_start", token=draft.token)


@csrf_exempt  # server to server: the platform's signature is the authentication
@require_POST
def notify(request: HttpRequest) -> JsonResponse:
    verdict = payment_notify(body=request.body, remote_addr=_remote_addr(request))
    return JsonResponse(
        {"error_code": "0" if verdict.accepted else "1", "message": verdict.message}, status=verdict.http_status
    )


# What the citizen reads after coming back from the platform, by the payment's state.
RETURN_TITLES = {
    PaymentStatus.PAID: gettext_lazy("Thanh toán thành công"),
    PaymentStatus.CANCELLED: gettext_lazy("Đã hủy thanh toán"),
    PaymentStatus.FAILED: gettext_lazy("Thanh toán không thành công"),
    PaymentStatus.PENDING: gettext_lazy("Đang chờ xác nhận"),
}


@login_required
@require_GET
def return_page(request: HttpRequest) -> HttpResponse:
    params = {key: request.GET.get(key, "") for key in ("ref", "transaction_id", "status", "sig")}
    outcome = payment_return(params=params, remote_addr=_remote_addr(request))
    user = _user(request)
    if not outcome.valid or outcome.payment is None:
        return render(
            request, "dossiers/payments/return.html", {"invalid": True, "back_url": _draft_url(None)}, status=400
        )
    payment = outcome.payment
    if payment.payer_id != user.pk:
        raise Http404(_("Không tìm thấy giao dịch."))
    titles: dict[str, str] = {str(status): str(title) for status, title in RETURN_TITLES.items()}
    return render(
        request,
        "dossiers/payments/return.html",
        {
            "payment": payment,
            "state": outcome.state,
            "title": titles.get(outcome.state, titles[PaymentStatus.PENDING]),
            "back_url": _back_url(payment),
        },
    )


@login_required
@require_GET
def receipt(request: HttpRequest, ref: str) -> HttpResponseBase:
    """The receipt PDF, to its payer and to officers who may see its dossier; 404 for anyone else."""
    payment = payment_get_for_user(user=_user(request), ref=ref)
    if payment is None or payment.status != PaymentStatus.PAID:
        raise Http404(_("Không tìm thấy biên lai."))
    if not payment.receipt:  # the task has not run yet: render now (idempotent)
        payment = payment_receipt_issue(payment_id=payment.pk)
    return stored_file_response(
        request, payment.receipt, name=f"bien-lai-{payment.ref}.pdf", content_type="application/pdf"
    )


@login_required
@require_POST
def start_obligation(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay a dossier's financial obligation online: off to the payment platform."""
    user = _user(request)
    obligation = FinancialObligation.objects.select_related("dossier").filter(pk=pk, dossier__applicant=user).first()
    if obligation is None:
        raise Http404(_("Không tìm thấy nghĩa vụ tài chính."))
    try:
        _payment, url = payment_start_for_obligation(obligation_id=obligation.pk, payer=user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("dossiers:my_dossier", code=obligation.dossier.code)
    return HttpResponseRedirect(url)


urlpatterns: list[URLPattern] = [
    path("thanh-toan/thong-bao/", notify, name="payment_notify"),
    path("thanh-toan/ket-qua/", return_page, name="payment_return"),
    path("thanh-toan/ho-so-nhap/<uuid:token>/", start, name="payment_start"),
    path("thanh-toan/nghia-vu-tai-chinh/<int:pk>/", start_obligation, name="payment_start_obligation"),
    path("thanh-toan/<str:ref>/bien-lai/", receipt, name="payment_receipt"),
]
