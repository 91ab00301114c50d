"""Fee payment through the national payment platform (docs/stand-in-portal.md, "Payment platform").

The flow: `payment_start` records a pending Payment and gives the signed address the
citizen's browser is sent to; the platform then tells us the outcome twice, server to
server (`payment_notify`) and through the browser (`payment_return`). Neither is believed
before its signature is checked, and a "paid" is applied only when the amount is ours. A
return that says "paid" before the notification arrived is confirmed by asking the platform
itself (`payment_check_with_platform`), as is every payment left pending too long
(`payments_check_pending`, a scheduled task). All three roads end in `payment_confirm`,
which applies an outcome once under a row lock; a replay changes nothing.

Every message from the platform, whatever its verdict, is kept as a PaymentNotification
(the log an admin reads when a citizen says "I paid"). A refused message must stay logged,
so the log row is written outside the transaction that would apply it.

Once paid, the electronic receipt (biên lai điện tử) is rendered to PDF by a Celery task
enqueued after commit and stored once in `Payment.receipt`.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.errors import DomainError
from dossiers.constants import PaymentStatus
from dossiers.documents.rendering import heading, long_datetime, pdf_from_html, portal_url, qr_data_uri
from dossiers.events import PaymentPaid, publish, use_case
from dossiers.models import Dossier, DossierDraft, Payment, PaymentNotification
from dossiers.selectors import dossier_list_for_user
from procedures.models import Procedure

logger = logging.getLogger(__name__)

DEFAULT_PAYMENT_MERCHANT = "dvctt"
DEFAULT_PAYMENT_SECRET = "payment-secret"  # noqa: S105 - the stand-in's published default
DEFAULT_PENDING_CHECK_AFTER_MINUTES = 15
# Older pending payments are left alone by the scheduled check (the platform forgets them too).
PENDING_CHECK_MAX_AGE = dt.timedelta(days=2)
PENDING_CHECK_BATCH = 200
QUERY_TIMEOUT_SECONDS = 10
# The platform's date format (paid_at, ts): yyyyMMddHHmmss in Vietnam's time, like the national portal.
PLATFORM_TIME_FORMAT = "%Y%m%d%H%M%S"
INFO_MAX_LENGTH = 200


class Channel:
    """How a message of the platform reached us (PaymentNotification.channel)."""

    NOTIFY = "notify"
    RETURN = "return"
    QUERY = "query"


# Errors.


class NoFeeDue(DomainError):
    """Raised by payment_start when the procedure charges nothing online: there is nothing to pay."""

    code = "no_fee_due"
    message = _("Thủ tục này không thu phí, lệ phí khi nộp hồ sơ trực tuyến; không cần thanh toán.")


class PaymentNotAllowed(DomainError):
    code = "payment_not_allowed"
    message = _("Không thể thanh toán cho hồ sơ này: %(reason)s")


class OnlinePaymentOff(DomainError):
    """The province has not opened online payment for this procedure (console step 1)."""

    code = "online_payment_off"
    message = _("Thủ tục này chưa thanh toán trực tuyến: bạn nộp phí, lệ phí tại bộ phận một cửa khi nhận kết quả.")


class AlreadyPaid(DomainError):
    code = "already_paid"
    message = _("Phí, lệ phí của hồ sơ này đã được thanh toán.")
    http_status = 409


# Fees.


@dataclass(frozen=True)
class FeeLine:
    """One fee as charged: the catalogue amount, the online discount, what is due."""

    name: str
    amount: int
    discount_percent: int
    due: int

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "amount": self.amount, "discount_percent": self.discount_percent, "due": self.due}


def payment_fees_for(*, procedure: Procedure, online: bool = True, chosen: Collection[int] = ()) -> list[FeeLine]:
    """The fee lines charged, in catalogue order, with the online discount applied when `online`.

    Fees that always apply, plus the optional ones (late registration, extra copies) whose
    ids are in `chosen`: the applicant's case, as picked on the draft (`fees_chosen`).
    """
    return [
        FeeLine(
            name=fee.name,
            amount=fee.amount,
            discount_percent=fee.online_discount_percent if online else 0,
            due=fee.online_amount if online else fee.amount,
        )
        for fee in procedure.fees.all()
        if not fee.optional or fee.pk in chosen
    ]


def draft_fee_lines(draft: DossierDraft) -> list[FeeLine]:
    """What paying online costs for this draft: its procedure's fees as its applicant's case calls for."""
    return payment_fees_for(procedure=draft.procedure, online=True, chosen=frozenset(draft.fees_chosen or ()))


def fee_total(lines: list[FeeLine]) -> int:
    return sum(line.due for line in lines)


# Signatures.


def _merchant() -> str:
    return str(getattr(settings, "PAYMENT_MERCHANT", DEFAULT_PAYMENT_MERCHANT))


def _secret() -> str:
    return str(getattr(settings, "PAYMENT_SECRET", DEFAULT_PAYMENT_SECRET))


def payment_sign(*values: object, secret: str | None = None) -> str:
    """Hex HMAC-SHA256 of the values joined by `|`, as the platform signs (UTF-8)."""
    message = "|".join(str(value) for value in values)
    key = (secret if secret is not None else _secret()).encode("utf-8")
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def payment_signature_valid(signature: object, *values: object, secret: str | None = None) -> bool:
    """Constant-time check of a received signature (any type: it comes from outside)."""
    if not isinstance(signature, str) or not signature:
        return False
    expected = payment_sign(*values, secret=secret)
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().lower().encode("utf-8"))


def _platform_url(endpoint: str) -> str:
    return f"{str(settings.PAYMENT_URL).rstrip('/')}/{endpoint}"


def platform_time(moment: dt.datetime) -> str:
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime(PLATFORM_TIME_FORMAT)


def parse_platform_time(text: object) -> dt.datetime | None:
    """`yyyyMMddHHmmss` (Vietnam's time) to an aware datetime; None when absent or malformed."""
    if not isinstance(text, str) or len(text) != len("20261123090000"):
        return None
    try:
        naive = dt.datetime.strptime(text, PLATFORM_TIME_FORMAT)  # noqa: DTZ007 - made aware below
    except ValueError:
        return None
    return timezone.make_aware(naive, timezone.get_default_timezone())


# Starting a payment.


def _new_ref() -> str:
    """Our order reference: readable date, then 12 random hex digits (unique constraint backs it)."""
    return f"DVC{timezone.localtime():%y%m%d}{secrets.token_hex(6).upper()}"


def payment_redirect_url(*, payment: Payment, info: str = "", base_url: str | None = None) -> str:
    """The signed address of the platform's payment page for `payment` (a new `ts` each call)."""
    merchant = _merchant()
    return_url = portal_url(reverse("dossiers:payment_return"), base_url)
    notify_url = portal_url(reverse("dossiers:payment_notify"), base_url)
    ts = platform_time(timezone.now())
    sig = payment_sign(merchant, payment.ref, payment.amount, return_url, notify_url, ts)
    query = urlencode(
        {
            "merchant": merchant,
            "ref": payment.ref,
            "amount": payment.amount,
            "info": info[:INFO_MAX_LENGTH],
            "return_url": return_url,
            "notify_url": notify_url,
            "ts": ts,
            "sig": sig,
        }
    )
    return f"{_platform_url('thanh-toan')}?{query}"


@transaction.atomic
def payment_start(*, draft: DossierDraft, payer: User, base_url: str | None = None) -> tuple[Payment, str]:
    """Start (or resume) paying a draft's fees online; returns the payment and the platform address.

    Preconditions: `payer` owns the draft, the draft is not submitted yet, nothing is paid
    for it yet. The amount is the sum of the fees that apply (always-due ones and the
    optional ones chosen on the draft) after the online discount.
    Raises NoFeeDue when that sum is 0 (nothing to pay: the caller goes on without
    payment), OnlinePaymentOff when the procedure takes its fees at the desk only,
    PaymentNotAllowed, AlreadyPaid.
    Idempotent: the draft row is locked, and a pending payment of the same draft and amount
    is reused (same ref), so a double click gives one payment. Side effects: at most one
    Payment row. `base_url` is the portal's public address the platform calls back
    (default: settings.PORTAL_BASE_URL).
    """
    locked = DossierDraft.objects.select_for_update().select_related("procedure").get(pk=draft.pk)
    if locked.owner_id != payer.pk:
        raise PaymentNotAllowed(reason=_("chỉ người soạn hồ sơ mới thanh toán được."))
    if locked.dossier_id is not None:
        raise PaymentNotAllowed(reason=_("hồ sơ đã được nộp."))
    if not locked.procedure.online_payment:
        raise OnlinePaymentOff()
    lines = draft_fee_lines(locked)
    amount = fee_total(lines)
    if amount == 0:
        raise NoFeeDue()
    payments = Payment.objects.filter(draft=locked)
    if payments.filter(status=PaymentStatus.PAID, amount__gte=amount).exists():
        raise AlreadyPaid()
    payment = payments.filter(status=PaymentStatus.PENDING, amount=amount).order_by("-created_at").first()
    if payment is None:
        payment = Payment.objects.create(
            ref=_new_ref(),
            draft=locked,
            payer=payer,
            amount=amount,
            items=[line.as_json() for line in lines],
        )
    procedure = locked.procedure
    info = f"Nộp phí, lệ phí thủ tục {procedure.code}: {procedure.name}"
    return payment, payment_redirect_url(payment=payment, info=info, base_url=base_url)


# Applying an outcome.


@dataclass(frozen=True)
class Verdict:
    """What we made of one message of the platform; `http_status` is our answer to a notification."""

    accepted: bool
    message: str
    payment: Payment | None = None
    changed: bool = False
    http_status: int = 200


def _log(*, channel: str, body: Mapping[str, Any], verdict: Verdict, remote_addr: str | None) -> PaymentNotification:
    return PaymentNotification.objects.create(
        payment=verdict.payment,
        channel=channel,
        body=dict(body),
        accepted=verdict.accepted,
        verdict=verdict.message[:255],
        remote_addr=remote_addr or None,
    )


@use_case
def payment_confirm(
    *, payment_id: int, status: str, transaction_id: str = "", paid_at: dt.datetime | None = None
) -> tuple[Payment, bool]:
    """Apply the platform's verified word on a payment; returns (payment, whether it changed).

    Preconditions: the caller verified the message (signature, merchant, amount). Locks the
    payment row. PENDING (or CANCELLED/FAILED, since money taken after a cancel is still
    money taken) → PAID with `transaction_id` and `paid_at`; PENDING → CANCELLED. A paid
    payment never changes again: a replay of its notification, a late cancel, another
    transaction id are all no-ops (the last is logged as a warning). Side effects on a new
    PAID: the payment joins the draft's dossier if it was already submitted; PaymentPaid is
    published (the receipt is issued after commit).
    """
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status == PaymentStatus.PAID:
        if status == PaymentStatus.PAID and transaction_id and transaction_id != payment.transaction_id:
            logger.warning(
                "payment %s already paid by %s, platform says %s", payment.ref, payment.transaction_id, transaction_id
            )
        return payment, False
    if status == PaymentStatus.PAID:
        payment.status = PaymentStatus.PAID
        payment.transaction_id = transaction_id
        payment.paid_at = paid_at or timezone.now()
        fields = ["status", "transaction_id", "paid_at"]
        if payment.dossier_id is None and payment.draft_id is not None:
            dossier_id = DossierDraft.objects.filter(pk=payment.draft_id).values_list("dossier_id", flat=True).first()
            if dossier_id is not None:
                payment.dossier_id = dossier_id
                fields.append("dossier")
        payment.save(update_fields=fields)
        publish(
            PaymentPaid(
                at=payment.paid_at, payment_id=payment.pk, amount=payment.amount,
                draft_id=payment.draft_id, dossier_id=payment.dossier_id,
            )
        )  # fmt: skip
        return payment, True
    if status in (PaymentStatus.CANCELLED, PaymentStatus.FAILED) and payment.status == PaymentStatus.PENDING:
        payment.status = status
        payment.save(update_fields=["status"])
        return payment, True
    return payment, False


def _refused(message: str, payment: Payment | None = None, http_status: int = 400) -> Verdict:
    return Verdict(accepted=False, message=message, payment=payment, http_status=http_status)


def _amount_text(value: object) -> str | None:
    """The amount exactly as the platform wrote it (for the signature), if it is a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return value
    return None


def _apply(*, payment: Payment, status: str, transaction_id: str, amount: int | None, paid_at: object) -> Verdict:
    """The checks every verified message goes through, then payment_confirm."""
    if status == PaymentStatus.PAID:
        if amount != payment.amount:
            return _refused(f"Số tiền {amount} khác số tiền phải nộp {payment.amount}: từ chối.", payment)
        if not transaction_id:
            return _refused("Thiếu mã giao dịch thanh toán: từ chối.", payment)
    elif status not in (PaymentStatus.CANCELLED, "pending", "unknown"):
        return _refused(f"Trạng thái không hợp lệ: {status!r}.", payment)
    if status not in (PaymentStatus.PAID, PaymentStatus.CANCELLED):
        return Verdict(accepted=True, message=f"Cổng thanh toán báo: {status}.", payment=payment)
    before = payment.status
    payment, changed = payment_confirm(
        payment_id=payment.pk, status=status, transaction_id=transaction_id, paid_at=parse_platform_time(paid_at)
    )
    if changed:
        message = f"Đã ghi nhận: {before} → {payment.status}."
    elif (
        payment.status == PaymentStatus.PAID
        and status == PaymentStatus.PAID
        and transaction_id != payment.transaction_id
    ):
        return _refused(
            f"Thanh toán đã ghi nhận với mã giao dịch {payment.transaction_id}, không nhận mã {transaction_id}.",
            payment,
            http_status=409,
        )
    else:
        message = f"Không thay đổi (đã ở trạng thái {payment.status})."
    return Verdict(accepted=True, message=message, payment=payment, changed=changed)


def payment_notify(*, body: bytes, remote_addr: str | None = None) -> Verdict:
    """The platform's server-to-server notification: verify, apply once, log whatever happens.

    Checks, in order: JSON object, merchant, signature over
    merchant|ref|transaction_id|amount|status|paid_at, known ref, status, amount equal to
    ours (for "paid"). A refusal changes nothing but its log row and answers 400 (409 for a
    second, different transaction on a paid payment). A replay is accepted and changes
    nothing. Not one transaction on purpose: the log row of a refusal must be kept; an
    accepted message is applied and logged in one transaction.
    """
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raw = body[:2000].decode("utf-8", errors="replace")
        verdict = _refused("Nội dung không phải JSON hợp lệ.")
        _log(channel=Channel.NOTIFY, body={"raw": raw}, verdict=verdict, remote_addr=remote_addr)
        return verdict
    if not isinstance(data, dict):
        verdict = _refused("Nội dung phải là một đối tượng JSON.")
        _log(channel=Channel.NOTIFY, body={"raw": data}, verdict=verdict, remote_addr=remote_addr)
        return verdict
    with transaction.atomic():
        verdict = _verify_notification(data)
        if verdict.accepted:
            _log(channel=Channel.NOTIFY, body=data, verdict=verdict, remote_addr=remote_addr)
            return verdict
    # Refused: nothing was applied. The log row is written on its own, outside, so that it stays.
    _log(channel=Channel.NOTIFY, body=data, verdict=verdict, remote_addr=remote_addr)
    return verdict


def _field(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _verify_notification(data: Mapping[str, Any]) -> Verdict:
    ref, status, transaction_id = _field(data, "ref"), _field(data, "status"), _field(data, "transaction_id")
    amount_text = _amount_text(data.get("amount"))
    if _field(data, "merchant") != _merchant():
        return _refused("Sai mã đơn vị nhận tiền (merchant).")
    if amount_text is None:
        return _refused("Số tiền không hợp lệ.")
    signed = (_merchant(), ref, transaction_id, amount_text, status, _field(data, "paid_at"))
    if not payment_signature_valid(data.get("sig"), *signed):
        payment = Payment.objects.filter(ref=ref).first() if ref else None
        return _refused("Chữ ký không hợp lệ: từ chối.", payment)
    payment = Payment.objects.filter(ref=ref).first() if ref else None
    if payment is None:
        return _refused(f"Không có giao dịch mã {ref!r}.")
    return _apply(
        payment=payment,
        status=status,
        transaction_id=transaction_id,
        amount=int(amount_text),
        paid_at=data.get("paid_at"),
    )


@dataclass(frozen=True)
class ReturnOutcome:
    """What the return page shows: the payment (None when the link is bad) and its state."""

    payment: Payment | None
    valid: bool
    state: str  # a PaymentStatus value, or "invalid"


def payment_return(*, params: Mapping[str, str], remote_addr: str | None = None) -> ReturnOutcome:
    """The browser came back from the platform: verify the link, then settle with the platform.

    The return's signature (ref|transaction_id|status) is checked, and logged. The browser's
    word alone never marks a payment paid or cancelled: a verified return on a payment that
    is still pending makes us ask the platform (`payment_check_with_platform`), which
    applies what the platform says. Returns the payment's state after that.
    """
    ref, transaction_id, status = params.get("ref", ""), params.get("transaction_id", ""), params.get("status", "")
    body = {key: params.get(key, "") for key in ("ref", "transaction_id", "status", "sig")}
    payment = Payment.objects.filter(ref=ref).first() if ref else None
    if not payment_signature_valid(params.get("sig"), ref, transaction_id, status):
        verdict = _refused("Chữ ký không hợp lệ.", payment)
        _log(channel=Channel.RETURN, body=body, verdict=verdict, remote_addr=remote_addr)
        return ReturnOutcome(payment=None, valid=False, state="invalid")
    if payment is None:
        _log(
            channel=Channel.RETURN,
            body=body,
            verdict=_refused(f"Không có giao dịch mã {ref!r}."),
            remote_addr=remote_addr,
        )
        return ReturnOutcome(payment=None, valid=False, state="invalid")
    _log(
        channel=Channel.RETURN,
        body=body,
        verdict=Verdict(accepted=True, message=f"Trình duyệt trở về với trạng thái {status!r}.", payment=payment),
        remote_addr=remote_addr,
    )
    if payment.status == PaymentStatus.PENDING:
        payment = payment_check_with_platform(payment_id=payment.pk)
    return ReturnOutcome(payment=payment, valid=True, state=payment.status)


def payment_query_url(*, payment: Payment) -> str:
    merchant = _merchant()
    ts = platform_time(timezone.now())
    query = urlencode(
        {"merchant": merchant, "ref": payment.ref, "ts": ts, "sig": payment_sign(merchant, payment.ref, ts)}
    )
    return f"{_platform_url('tra-cuu')}?{query}"


def payment_check_with_platform(*, payment_id: int) -> Payment:
    """Ask the platform (`tra-cuu`) about one payment and apply its answer; log the answer.

    Idempotent (payment_confirm applies once). Network errors, non-200 answers and
    answers about another ref or amount change nothing but the log and `checked_at`.
    Returns the payment as it stands afterwards.
    """
    payment = Payment.objects.get(pk=payment_id)
    url = payment_query_url(payment=payment)
    now = timezone.now()
    try:
        response = requests.get(url, timeout=QUERY_TIMEOUT_SECONDS)
        data: Any = response.json() if response.status_code == 200 else None
        problem = "" if response.status_code == 200 else f"Cổng thanh toán trả lời HTTP {response.status_code}."
    except (requests.RequestException, ValueError) as exc:
        data, problem = None, f"Không tra cứu được cổng thanh toán: {type(exc).__name__}."
    Payment.objects.filter(pk=payment.pk).update(checked_at=now)
    if not problem and not isinstance(data, dict):
        problem = "Câu trả lời tra cứu không phải đối tượng JSON."
    if problem:
        _log(channel=Channel.QUERY, body={"url": url}, verdict=_refused(problem, payment), remote_addr=None)
        payment.refresh_from_db()
        return payment
    assert isinstance(data, dict)  # noqa: S101 - checked above
    with transaction.atomic():
        verdict = _verify_query_answer(payment, data)
        if verdict.accepted:
            _log(channel=Channel.QUERY, body=data, verdict=verdict, remote_addr=None)
    if not verdict.accepted:
        _log(channel=Channel.QUERY, body=data, verdict=verdict, remote_addr=None)
    payment.refresh_from_db()
    return payment


def _verify_query_answer(payment: Payment, data: Mapping[str, Any]) -> Verdict:
    if _field(data, "ref") != payment.ref:
        return _refused("Câu trả lời tra cứu nói về giao dịch khác.", payment)
    status = _field(data, "status")
    amount_text = _amount_text(data.get("amount"))
    amount = int(amount_text) if amount_text is not None else None
    return _apply(
        payment=payment,
        status=status,
        transaction_id=_field(data, "transaction_id"),
        amount=amount,
        paid_at=data.get("paid_at"),
    )


def payments_pending_to_check(*, now: dt.datetime | None = None) -> list[int]:
    """Ids of payments pending longer than PAYMENT_PENDING_CHECK_AFTER_MINUTES and younger than 2 days,
    not asked about within that many minutes, oldest first, at most one batch."""
    now = now or timezone.now()
    after = dt.timedelta(
        minutes=int(getattr(settings, "PAYMENT_PENDING_CHECK_AFTER_MINUTES", DEFAULT_PENDING_CHECK_AFTER_MINUTES))
    )
    return list(
        Payment.objects.filter(
            status=PaymentStatus.PENDING, created_at__lte=now - after, created_at__gt=now - PENDING_CHECK_MAX_AGE
        )
        # Asked lately and still pending: wait as long again before asking the platform once more.
        .filter(Q(checked_at__isnull=True) | Q(checked_at__lte=now - after))
        .order_by("created_at")
        .values_list("pk", flat=True)[:PENDING_CHECK_BATCH]
    )


# Draft and dossier.


@dataclass(frozen=True)
class PaymentState:
    """What the review page needs: the fee lines and amount due, whether it is paid, a pending payment."""

    lines: list[FeeLine]
    amount_due: int
    paid: bool
    paid_payment: Payment | None
    pending: Payment | None


def payment_state_for_draft(*, draft: DossierDraft) -> PaymentState:
    """Selector: the draft's fees (as chosen, online discount applied) and where its payment stands.

    `paid` is true when nothing is due, or a payment of at least the amount due is PAID.
    """
    lines = draft_fee_lines(draft)
    due = fee_total(lines)
    payments = list(Payment.objects.filter(draft=draft).order_by("-created_at"))
    paid_payment = next((p for p in payments if p.status == PaymentStatus.PAID and p.amount >= due), None)
    pending = next((p for p in payments if p.status == PaymentStatus.PENDING), None)
    return PaymentState(
        lines=lines,
        amount_due=due,
        paid=due == 0 or paid_payment is not None,
        paid_payment=paid_payment,
        pending=pending,
    )


@transaction.atomic
def payment_attach_to_dossier(*, draft: DossierDraft, dossier: Dossier) -> int:
    """Hand the draft's paid payments to the dossier it became; returns how many moved.

    Called by the submit service in its transaction. Idempotent. A payment still pending
    joins the dossier when it is confirmed (payment_confirm reads draft.dossier).
    """
    return Payment.objects.filter(draft=draft, status=PaymentStatus.PAID, dossier__isnull=True).update(dossier=dossier)


def payment_get_for_user(*, user: User, ref: str) -> Payment | None:
    """Selector: a payment its payer, or an officer who may see its dossier, may see; else None."""
    payment = Payment.objects.select_related("payer", "dossier", "draft__procedure").filter(ref=ref).first()
    if payment is None:
        return None
    if payment.payer_id == user.pk:
        return payment
    officer = user.is_officer or user.is_province_admin
    if officer and payment.dossier_id is not None:
        return payment if dossier_list_for_user(user=user).filter(pk=payment.dossier_id).exists() else None
    return None


# The electronic receipt.


def receipt_url(payment: Payment) -> str:
    """Where the receipt can be downloaded (printed and QR-encoded on the receipt)."""
    return portal_url(reverse("dossiers:payment_receipt", args=[payment.ref]))


def payment_receipt_html(*, payment: Payment) -> str:
    if payment.status != PaymentStatus.PAID or payment.paid_at is None:
        raise ValueError(f"giao dịch {payment.ref} chưa được thanh toán")
    procedure = payment.dossier.procedure if payment.dossier is not None else None
    if procedure is None and payment.draft is not None:
        procedure = payment.draft.procedure
    agency = payment.dossier.agency if payment.dossier is not None else None
    if agency is None and payment.draft is not None:
        agency = payment.draft.agency
    if agency is None and procedure is not None:
        agency = procedure.implementing_agencies.order_by("pk").first()
    url = receipt_url(payment)
    context: dict[str, Any] = {
        **(
            heading(agency, form_number="", title="Biên lai thu phí, lệ phí điện tử", issued_at=payment.paid_at)
            if agency is not None
            else {"title": "Biên lai thu phí, lệ phí điện tử", "form_number": "", "issued_on": ""}
        ),
        "payment": payment,
        "payer": payment.payer,
        "procedure": procedure,
        "receipt_dossier": payment.dossier,
        "lines": payment.items,
        "paid_at": long_datetime(payment.paid_at),
        "receipt_url": url,
        "receipt_qr": qr_data_uri(url),
    }
    with translation.override("vi"):
        return render_to_string("dossiers/payments/receipt_pdf.html", context)


def payment_receipt_issue(*, payment_id: int) -> Payment:
    """Render the paid payment's receipt once and store it in `Payment.receipt`.

    Idempotent: an existing receipt is kept; when two workers render at once, the second
    to store loses a conditional update, deletes its own file and returns the winner's.
    Call outside a transaction (from the task): nothing is locked while rendering. Raises
    ValueError for a payment that is not paid.
    """
    payment = Payment.objects.select_related(
        "payer", "dossier__procedure", "dossier__agency__parent", "draft__procedure", "draft__agency__parent"
    ).get(pk=payment_id)
    if payment.receipt:
        return payment
    pdf = pdf_from_html(payment_receipt_html(payment=payment))
    payment.receipt.save(f"bien-lai-{payment.ref}.pdf", ContentFile(pdf), save=False)
    stored = Payment.objects.filter(Q(receipt="") | Q(receipt__isnull=True), pk=payment.pk).update(
        receipt=payment.receipt.name
    )
    if not stored:
        payment.receipt.delete(save=False)
        payment.refresh_from_db()
    return payment
