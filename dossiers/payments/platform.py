"""The national payment platform's protocol (docs/stand-in-portal.md, "Payment platform").

Signatures (hex HMAC-SHA256 of fields joined by `|`), the platform's time format, the signed
addresses we send the browser to (`thanh-toan`) and ask on (`tra-cuu`), and reading what
the platform tells us: a notification is believed only when its merchant, amount and
signature check out. Nothing here reads or writes the database: what a message does to a
payment is the lifecycle's (services.py).
"""

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dossiers.documents.rendering import portal_url
from dossiers.models import Payment

QUERY_TIMEOUT_SECONDS = 10
# The platform's date format (paid_at, ts): yyyyMMddHHmmss in Vietnam's time, like the national portal.
PLATFORM_TIME_FORMAT = "%Y%m%d%H%M%S"
INFO_MAX_LENGTH = 200


# Signatures.


def payment_sign(*values: object, secret: str | None = None) -> str:
    """Hex HMAC-SHA256 of the values joined by `|`, as the platform signs (UTF-8)."""
    message = "|".join(str(value) for value in values)
    key = (secret if secret is not None else str(settings.PAYMENT_SECRET)).encode("utf-8")
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def payment_signature_valid(signature: object, *values: object, secret: str | None = None) -> bool:
    """Constant-time check of a received signature (any type: it comes from outside)."""
    if not isinstance(signature, str) or not signature:
        return False
    expected = payment_sign(*values, secret=secret)
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().lower().encode("utf-8"))


def _merchant() -> str:
    return str(settings.PAYMENT_MERCHANT)


# Time.


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


# Addresses.


def _platform_url(endpoint: str) -> str:
    return f"{str(settings.PAYMENT_URL).rstrip('/')}/{endpoint}"


def payment_redirect_url(*, payment: Payment, info: str = "", base_url: str | None = None) -> str:
    """The signed address of the platform's payment page for `payment` (a new `ts` each call).

    `base_url` is the portal's public address the platform calls back (default:
    settings.PORTAL_BASE_URL)."""
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


def payment_query_url(*, payment: Payment) -> str:
    merchant = _merchant()
    ts = platform_time(timezone.now())
    query = urlencode(
        {"merchant": merchant, "ref": payment.ref, "ts": ts, "sig": payment_sign(merchant, payment.ref, ts)}
    )
    return f"{_platform_url('tra-cuu')}?{query}"


# What the platform tells us.


@dataclass(frozen=True)
class PlatformWord:
    """What one message of the platform (a notification, a query answer) says about a payment,
    read defensively: a field of the wrong type reads as absent."""

    ref: str
    status: str
    transaction_id: str
    amount: int | None  # None unless a whole number
    paid_at: dt.datetime | None


def _field(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _amount_text(value: object) -> str | None:
    """The amount exactly as the platform wrote it (for the signature), if it is a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return value
    return None


def platform_word(data: Mapping[str, Any]) -> PlatformWord:
    amount_text = _amount_text(data.get("amount"))
    return PlatformWord(
        ref=_field(data, "ref"),
        status=_field(data, "status"),
        transaction_id=_field(data, "transaction_id"),
        amount=int(amount_text) if amount_text is not None else None,
        paid_at=parse_platform_time(data.get("paid_at")),
    )


def notification_refusal(data: Mapping[str, Any]) -> str:
    """Why a notification is not the platform's word ("" when it is), checked in order: our
    merchant, a whole amount, the signature over merchant|ref|transaction_id|amount|status|paid_at
    (the amount exactly as written)."""
    merchant = _merchant()
    amount_text = _amount_text(data.get("amount"))
    if _field(data, "merchant") != merchant:
        return "Sai mã đơn vị nhận tiền (merchant)."
    if amount_text is None:
        return "Số tiền không hợp lệ."
    signed = (
        merchant,
        _field(data, "ref"),
        _field(data, "transaction_id"),
        amount_text,
        _field(data, "status"),
        _field(data, "paid_at"),
    )
    if not payment_signature_valid(data.get("sig"), *signed):
        return "Chữ ký không hợp lệ: từ chối."
    return ""


def return_signature_valid(params: Mapping[str, str]) -> bool:
    """The browser's return link is signed over ref|transaction_id|status."""
    return payment_signature_valid(
        params.get("sig"), params.get("ref", ""), params.get("transaction_id", ""), params.get("status", "")
    )


@dataclass(frozen=True)
class QueryAnswer:
    """The platform's answer to `tra-cuu`: its JSON object, or the problem that kept us from one."""

    url: str
    data: dict[str, Any] = field(default_factory=dict)
    problem: str = ""


def platform_query(*, payment: Payment) -> QueryAnswer:
    """Ask the platform about one payment. Never raises for the network: a timeout, an
    answer other than 200 or one that is not a JSON object comes back as `problem`."""
    url = payment_query_url(payment=payment)
    try:
        response = requests.get(url, timeout=QUERY_TIMEOUT_SECONDS)
        if response.status_code != 200:
            return QueryAnswer(url=url, problem=f"Cổng thanh toán trả lời HTTP {response.status_code}.")
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        return QueryAnswer(url=url, problem=f"Không tra cứu được cổng thanh toán: {type(exc).__name__}.")
    if not isinstance(data, dict):
        return QueryAnswer(url=url, problem="Câu trả lời tra cứu không phải đối tượng JSON.")
    return QueryAnswer(url=url, data=data)
