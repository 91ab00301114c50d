"""The payment lifecycle: start, apply the platform's word once, settle a return, ask about
what is left pending, hand paid payments to the dossier (docs/stand-in-portal.md, "Payment platform").

The flow: `payment_start` records a pending Payment and gives the signed address the
citizen's browser is sent to; the platform then tells us the outcome twice, server to
server (`payment_notify`) and through the browser (`payment_return`). Neither is believed
before its signature is checked (platform.py), and a "paid" is applied only when the amount
is ours. A return that says "paid" before the notification arrived is confirmed by asking
the platform itself (`payment_check_with_platform`), as is every payment left pending too
long (`payments_check_pending`, a scheduled task). All three roads end in `payment_confirm`,
which applies an outcome once under a row lock; a replay changes nothing.

Every message from the platform, whatever its verdict, is kept as a PaymentNotification
(the log an admin reads when a citizen says "I paid"), linked to the payment it names when
that payment is ours. A refused message must stay logged, so the log row is written outside
the transaction that would apply it.

Once paid, PaymentPaid is published: the electronic receipt is issued after commit
(handlers.py, receipts.py), and a dossier already submitted owes the national portal a fresh
record (emc_sync).
"""

import datetime as dt
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from dossiers.constants import PaymentStatus
from dossiers.events import PaymentPaid, publish, use_case
from dossiers.models import Dossier, DossierDraft, FinancialObligation, Payment, PaymentNotification

from .exceptions import AlreadyPaid, NoFeeDue, OnlinePaymentOff, PaymentNotAllowed
from .fees import draft_fee_lines, fee_total
from .platform import (
    PlatformWord,
    notification_refusal,
    payment_redirect_url,
    platform_query,
    platform_word,
    return_signature_valid,
)

logger = logging.getLogger(__name__)


class Channel:
    """How a message of the platform reached us (PaymentNotification.channel)."""

    NOTIFY = "notify"
    RETURN = "return"
    QUERY = "query"


# Starting a payment.


def _new_ref() -> str:
    """Our order reference: readable date, then 12 random hex digits (unique constraint backs it)."""
    return f"DVC{timezone.localtime():%y%m%d}{secrets.token_hex(6).upper()}"


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


@transaction.atomic
def payment_start_for_obligation(
    *, obligation_id: int, payer: User, base_url: str | None = None
) -> tuple[Payment, str]:
    """Start (or resume) paying a dossier's financial obligation (status 6) online.

    Preconditions: `payer` is the dossier's applicant, the obligation is open and may be paid
    online. Locks the obligation row; a pending payment of the same amount is reused (a double
    click gives one payment). Once the platform's word is applied (payment_confirm), the
    PaymentPaid event settles the obligation through the lifecycle (handlers.settle_obligation).
    Raises PaymentNotAllowed, AlreadyPaid.
    """
    obligation = FinancialObligation.objects.select_for_update().select_related("dossier").get(pk=obligation_id)
    dossier = obligation.dossier
    if dossier.applicant_id != payer.pk:
        raise PaymentNotAllowed(reason=_("chỉ người nộp hồ sơ mới thanh toán được."))
    if obligation.settled_at is not None:
        raise AlreadyPaid()
    if not obligation.online:
        raise PaymentNotAllowed(reason=_("nghĩa vụ tài chính này nộp tại %(place)s.") % {"place": obligation.pay_at})
    payments = Payment.objects.filter(obligation=obligation)
    if payments.filter(status=PaymentStatus.PAID).exists():
        raise AlreadyPaid()
    payment = payments.filter(status=PaymentStatus.PENDING, amount=obligation.amount).order_by("-created_at").first()
    if payment is None:
        payment = Payment.objects.create(
            ref=_new_ref(), dossier=dossier, obligation=obligation, payer=payer, amount=obligation.amount,
            items=[{"name": obligation.description[:255], "amount": obligation.amount, "charged": obligation.amount}],
        )  # fmt: skip
    info = f"Nghĩa vụ tài chính hồ sơ {dossier.code}: {obligation.description}"[:255]
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


def _apply(*, payment: Payment, word: PlatformWord) -> Verdict:
    """The checks every verified message goes through, then payment_confirm."""
    status, transaction_id = word.status, word.transaction_id
    if status == PaymentStatus.PAID:
        if word.amount != payment.amount:
            return _refused(f"Số tiền {word.amount} khác số tiền phải nộp {payment.amount}: từ chối.", payment)
        if not transaction_id:
            return _refused("Thiếu mã giao dịch thanh toán: từ chối.", payment)
    elif status not in (PaymentStatus.CANCELLED, "pending", "unknown"):
        return _refused(f"Trạng thái không hợp lệ: {status!r}.", payment)
    if status not in (PaymentStatus.PAID, PaymentStatus.CANCELLED):
        return Verdict(accepted=True, message=f"Cổng thanh toán báo: {status}.", payment=payment)
    before = payment.status
    payment, changed = payment_confirm(
        payment_id=payment.pk, status=status, transaction_id=transaction_id, paid_at=word.paid_at
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

    Checks, in order: JSON object, merchant, amount, signature (platform.notification_refusal),
    known ref, status, amount equal to ours (for "paid"). A refusal changes nothing but its
    log row and answers 400 (409 for a second, different transaction on a paid payment). A
    replay is accepted and changes nothing. Not one transaction on purpose: the log row of a
    refusal must be kept; an accepted message is applied and logged in one transaction.
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


def _verify_notification(data: Mapping[str, Any]) -> Verdict:
    word = platform_word(data)
    payment = Payment.objects.filter(ref=word.ref).first() if word.ref else None
    refusal = notification_refusal(data)
    if refusal:
        return _refused(refusal, payment)
    if payment is None:
        return _refused(f"Không có giao dịch mã {word.ref!r}.")
    return _apply(payment=payment, word=word)


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
    ref, status = params.get("ref", ""), params.get("status", "")
    body = {key: params.get(key, "") for key in ("ref", "transaction_id", "status", "sig")}
    payment = Payment.objects.filter(ref=ref).first() if ref else None
    if not return_signature_valid(params):
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


def payment_check_with_platform(*, payment_id: int) -> Payment:
    """Ask the platform (`tra-cuu`) about one payment and apply its answer; log the answer.

    Idempotent (payment_confirm applies once). Network errors, non-200 answers and
    answers about another ref or amount change nothing but the log and `checked_at`.
    Returns the payment as it stands afterwards.
    """
    payment = Payment.objects.get(pk=payment_id)
    now = timezone.now()
    answer = platform_query(payment=payment)
    Payment.objects.filter(pk=payment.pk).update(checked_at=now)
    if answer.problem:
        verdict = _refused(answer.problem, payment)
        _log(channel=Channel.QUERY, body={"url": answer.url}, verdict=verdict, remote_addr=None)
        payment.refresh_from_db()
        return payment
    with transaction.atomic():
        verdict = _verify_query_answer(payment, answer.data)
        if verdict.accepted:
            _log(channel=Channel.QUERY, body=answer.data, verdict=verdict, remote_addr=None)
    if not verdict.accepted:
        _log(channel=Channel.QUERY, body=answer.data, verdict=verdict, remote_addr=None)
    payment.refresh_from_db()
    return payment


def _verify_query_answer(payment: Payment, data: Mapping[str, Any]) -> Verdict:
    word = platform_word(data)
    if word.ref != payment.ref:
        return _refused("Câu trả lời tra cứu nói về giao dịch khác.", payment)
    return _apply(payment=payment, word=word)


# Draft and dossier.


@transaction.atomic
def payment_record_paid_elsewhere(
    *, dossier: Dossier, ref: str, amount: int, items: list[dict[str, Any]], payer: User, paid_at: dt.datetime
) -> Payment:
    """A fee the applicant already paid on the national portal's payment platform, recorded as a
    paid payment of the dossier it forwarded (`ref` ours, unique, at most 40 characters).

    Idempotent per `ref`: the same payment told again returns the first row unchanged. No
    PaymentPaid event: the caller's use case (the forwarded dossier's filing or update) carries
    the fee in its own dossier record. `payer` is the national portal's system account.
    """
    payment, _created = Payment.objects.get_or_create(
        ref=ref,
        defaults={
            "dossier": dossier, "payer": payer, "amount": amount, "items": items,
            "status": PaymentStatus.PAID, "paid_at": paid_at,
        },
    )  # fmt: skip
    return payment


@transaction.atomic
def payment_attach_to_dossier(*, draft: DossierDraft, dossier: Dossier) -> int:
    """Hand the draft's paid payments to the dossier it became; returns how many moved.

    Called by the submit service in its transaction (the submission's national record then
    carries them). Idempotent. A payment still pending joins the dossier when it is confirmed
    (payment_confirm reads draft.dossier).
    """
    return Payment.objects.filter(draft=draft, status=PaymentStatus.PAID, dossier__isnull=True).update(dossier=dossier)
