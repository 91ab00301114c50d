"""After a payment is confirmed: its electronic receipt; a financial obligation it paid settled."""

from common.tasks import publish_now
from dossiers.events import PaymentPaid
from dossiers.models import Payment
from dossiers.services import dossier_act
from workflows.constants import Action

from .tasks import payment_receipt_task


def issue_receipt(event: PaymentPaid) -> None:
    """After commit: render the receipt. Lost with the broker: the receipt page renders it on
    demand (payment_receipt_issue is idempotent)."""
    publish_now(payment_receipt_task, (event.payment_id,))


def settle_obligation(event: PaymentPaid) -> None:
    """In the payment's transaction: a financial obligation paid online brings its dossier back
    to processing, through the lifecycle service (the applicant's settle_payment, which checks
    the paid payment). Idempotent: the key is the payment's, so a replay changes nothing; a
    dossier no longer waiting (an officer confirmed first, or it was withdrawn) is left as it is."""
    payment = Payment.objects.select_related("obligation", "payer").filter(pk=event.payment_id).first()
    if payment is None or payment.obligation is None or payment.obligation.settled_at is not None:
        return
    dossier_act(
        dossier_id=payment.obligation.dossier_id,
        actor=payment.payer,
        action=Action.SETTLE_PAYMENT,
        comment=f"Đã thanh toán trực tuyến {payment.amount} đồng, mã giao dịch {payment.transaction_id}",
        idempotency_key=f"payment:{payment.ref}",
    )
