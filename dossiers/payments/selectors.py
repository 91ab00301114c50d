"""Reads of payments: where a draft's payment stands, a payment scoped to who asks, the
payments the scheduled check should ask the platform about."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from dossiers.access import payments_visible_filter
from dossiers.constants import PaymentStatus
from dossiers.models import Dossier, DossierDraft, Payment

from .fees import FeeLine, draft_fee_lines, fee_total

# Older pending payments are left alone by the scheduled check (the platform forgets them too).
PENDING_CHECK_MAX_AGE = dt.timedelta(days=2)
PENDING_CHECK_BATCH = 200


@dataclass(frozen=True)
class PaymentState:
    """What the review page needs: the fee lines and amount due, whether it is paid, a pending payment."""

    lines: list[FeeLine]
    amount_due: int
    paid: bool
    paid_payment: Payment | None
    pending: Payment | None


def payment_state_for_draft(*, draft: DossierDraft) -> PaymentState:
    """The draft's fees (as chosen, online discount applied) and where its payment stands.

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


def payment_get_for_user(*, user: User, ref: str) -> Payment | None:
    """A payment the user may see (dossiers.access.payments_visible_filter), by ref; else None."""
    return (
        Payment.objects.select_related("payer", "dossier", "draft__procedure")
        .filter(payments_visible_filter(user), ref=ref)
        .first()
    )


# How our payments are taken (the national portal's DuocThanhToanTrucTuyen = 1): shown beside
# each online payment, since the Payment row has no channel of its own today.
PLATFORM_CHANNEL = _("Trực tuyến, qua Nền tảng thanh toán của Cổng Dịch vụ công quốc gia")


def payment_list_paid_for_dossier(*, user: User, dossier: Dossier) -> list[Payment]:
    """The dossier's paid payments the user may see (access.payments_visible_filter), first paid
    first: what the officer checks at reception instead of asking for a bank slip. One query."""
    return list(
        Payment.objects.filter(payments_visible_filter(user), dossier=dossier, status=PaymentStatus.PAID).order_by(
            "paid_at", "pk"
        )
    )


def payments_pending_to_check(*, now: dt.datetime | None = None) -> list[int]:
    """Ids of payments pending longer than PAYMENT_PENDING_CHECK_AFTER_MINUTES and younger than 2 days,
    not asked about within that many minutes, oldest first, at most one batch."""
    now = now or timezone.now()
    after = dt.timedelta(minutes=int(settings.PAYMENT_PENDING_CHECK_AFTER_MINUTES))
    return list(
        Payment.objects.filter(
            status=PaymentStatus.PENDING, created_at__lte=now - after, created_at__gt=now - PENDING_CHECK_MAX_AGE
        )
        # Asked lately and still pending: wait as long again before asking the platform once more.
        .filter(Q(checked_at__isnull=True) | Q(checked_at__lte=now - after))
        .order_by("created_at")
        .values_list("pk", flat=True)[:PENDING_CHECK_BATCH]
    )
