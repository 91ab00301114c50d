"""The payment platform stand-in's logic: signatures, one payment per ref, notification, query."""

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import requests
from django.db import IntegrityError, transaction
from django.utils import timezone

from emc_sync.mock_portal.faults import faults_get

from . import config
from .models import Payment, PaymentStatus

logger = logging.getLogger(__name__)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
NOTIFY_TIMEOUT_SECONDS = 5
REQUEST_FIELDS = ("merchant", "ref", "amount", "return_url", "notify_url", "ts")
NOTIFY_FIELDS = ("merchant", "ref", "transaction_id", "amount", "status", "paid_at")
RETURN_FIELDS = ("ref", "transaction_id", "status")
QUERY_FIELDS = ("merchant", "ref", "ts")


class PaymentError(Exception):
    """A request the platform refuses; the message is shown to the citizen in Vietnamese."""


def sign(values: list[str] | tuple[str, ...]) -> str:
    """Hex HMAC-SHA256 with MOCK_PAYMENT_SECRET over the values joined by "|" (UTF-8)."""
    message = "|".join(values).encode("utf-8")
    return hmac.new(config.payment_secret().encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_valid(params: dict[str, str], fields: tuple[str, ...]) -> bool:
    return hmac.compare_digest(sign([params.get(name, "") for name in fields]), params.get("sig", "").lower())


def local_stamp(moment: dt.datetime) -> str:
    """yyyyMMddHHmmss in Vietnam's time, as the national systems write dates."""
    return moment.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


def format_dong(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


@dataclass(frozen=True)
class PaymentRequest:
    merchant: str
    ref: str
    amount: int
    info: str
    return_url: str
    notify_url: str


def _absolute_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def payment_request_parse(params: dict[str, str]) -> PaymentRequest:
    """Check a merchant's signed payment request; raise PaymentError with the reason otherwise."""
    missing = [name for name in (*REQUEST_FIELDS, "sig") if not params.get(name)]
    if missing:
        raise PaymentError("Yêu cầu thanh toán thiếu thông tin: " + ", ".join(missing) + ".")
    if params["merchant"] not in config.payment_merchants():
        raise PaymentError("Đơn vị thụ hưởng chưa được đăng ký với nền tảng thanh toán.")
    if not signature_valid(params, REQUEST_FIELDS):
        raise PaymentError("Chữ ký của yêu cầu thanh toán không hợp lệ. Yêu cầu có thể đã bị sửa đổi.")
    amount = params["amount"]
    if not amount.isascii() or not amount.isdigit() or int(amount) <= 0:
        raise PaymentError("Số tiền phải là số nguyên dương, tính bằng đồng.")
    if not (_absolute_http_url(params["return_url"]) and _absolute_http_url(params["notify_url"])):
        raise PaymentError("Địa chỉ trả về hoặc địa chỉ nhận thông báo không hợp lệ.")
    if len(params["ref"]) > 100:
        raise PaymentError("Mã thanh toán quá dài (tối đa 100 ký tự).")
    return PaymentRequest(
        merchant=params["merchant"],
        ref=params["ref"],
        amount=int(amount),
        info=params.get("info", "")[:500],
        return_url=params["return_url"],
        notify_url=params["notify_url"],
    )


def payment_open(*, request: PaymentRequest) -> Payment:
    """The payment for this merchant and ref, created pending on first sight.

    Idempotent: the same ref opens the same payment; the same ref with another amount is refused.
    """
    try:
        with transaction.atomic():
            payment, _ = Payment.objects.get_or_create(
                merchant=request.merchant,
                ref=request.ref,
                defaults={
                    "amount": request.amount,
                    "info": request.info,
                    "return_url": request.return_url,
                    "notify_url": request.notify_url,
                },
            )
    except IntegrityError:  # two first requests at once: the other one created it
        payment = Payment.objects.get(merchant=request.merchant, ref=request.ref)
    if payment.amount != request.amount:
        raise PaymentError(
            f"Mã thanh toán {request.ref} đã được tạo với số tiền {format_dong(payment.amount)}, "
            f"khác với số tiền {format_dong(request.amount)} của yêu cầu này."
        )
    return payment


def _new_transaction_id(now: dt.datetime) -> str:
    return "TT" + local_stamp(now) + f"{secrets.randbelow(10**6):06d}"


@transaction.atomic
def payment_decide(*, request: PaymentRequest, pay: bool) -> tuple[Payment, bool]:
    """Pay or cancel a pending payment; returns (payment, whether this call decided it).

    A payment decides once: paying (or cancelling) a decided ref again changes nothing, so a
    double click or a replayed form never makes a second transaction.
    """
    payment = payment_open(request=request)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.PENDING:
        return payment, False
    now = timezone.now()
    payment.status = PaymentStatus.PAID if pay else PaymentStatus.CANCELLED
    payment.transaction_id = _new_transaction_id(now)
    payment.decided_at = now
    # The citizen acted on this (signed) request: its addresses win over an earlier request's.
    payment.return_url = request.return_url
    payment.notify_url = request.notify_url
    payment.save(update_fields=["status", "transaction_id", "decided_at", "return_url", "notify_url"])
    return payment, True


def paid_at(payment: Payment) -> str:
    """yyyyMMddHHmmss (Vietnam time) when paid; "" while pending or when cancelled."""
    if payment.status != PaymentStatus.PAID or payment.decided_at is None:
        return ""
    return local_stamp(payment.decided_at)


def notification_body(payment: Payment) -> dict[str, str | int]:
    values = {
        "merchant": payment.merchant,
        "ref": payment.ref,
        "transaction_id": payment.transaction_id,
        "amount": str(payment.amount),
        "status": payment.status,
        "paid_at": paid_at(payment),
    }
    return {**values, "amount": payment.amount, "sig": sign([values[name] for name in NOTIFY_FIELDS])}


def notify_enabled() -> bool:
    """The `payment_notify` fault switch (POST /control/faults, or MOCK_PORTAL_FAULTS); on by default."""
    return bool(faults_get().config.get("payment_notify", True))


def payment_notify(*, payment: Payment) -> str:
    """POST the signed decision to the merchant's notify_url (one try, 5 s); records what happened.

    A failed notification leaves the payment as decided: the merchant must query (tra-cuu).
    """
    if not notify_enabled():
        result = "skipped (switched off)"
    else:
        try:
            response = requests.post(
                payment.notify_url, json=notification_body(payment), timeout=NOTIFY_TIMEOUT_SECONDS
            )
            result = f"sent {response.status_code}"
        except requests.RequestException as error:
            result = f"failed: {type(error).__name__}"
            logger.warning("Payment notification to %s failed: %s", payment.notify_url, error)
    Payment.objects.filter(pk=payment.pk).update(notify_result=result[:300])
    return result


def return_url_for(payment: Payment) -> str:
    """The merchant's return_url with ref, transaction_id, status and their signature added."""
    values = {"ref": payment.ref, "transaction_id": payment.transaction_id, "status": payment.status}
    values["sig"] = sign([values[name] for name in RETURN_FIELDS])
    parts = urlsplit(payment.return_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in values]
    return urlunsplit(parts._replace(query=urlencode([*query, *values.items()])))


def payment_query(params: dict[str, str]) -> dict[str, object]:
    """The state of a ref for a signed query; raise PaymentError if the query is not signed right."""
    missing = [name for name in (*QUERY_FIELDS, "sig") if not params.get(name)]
    if missing:
        raise PaymentError("Yêu cầu tra cứu thiếu thông tin: " + ", ".join(missing) + ".")
    if params["merchant"] not in config.payment_merchants() or not signature_valid(params, QUERY_FIELDS):
        raise PaymentError("Chữ ký của yêu cầu tra cứu không hợp lệ.")
    payment = Payment.objects.filter(merchant=params["merchant"], ref=params["ref"]).first()
    if payment is None:
        return {"ref": params["ref"], "status": "unknown", "transaction_id": "", "amount": None, "paid_at": ""}
    return {
        "ref": payment.ref,
        "status": payment.status,
        "transaction_id": payment.transaction_id,
        "amount": payment.amount,
        "paid_at": paid_at(payment),
    }
