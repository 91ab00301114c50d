"""After a payment is confirmed: its electronic receipt."""

from common.tasks import publish_now
from dossiers.events import PaymentPaid

from .tasks import payment_receipt_task


def issue_receipt(event: PaymentPaid) -> None:
    """After commit: render the receipt. Lost with the broker: the receipt page renders it on
    demand (payment_receipt_issue is idempotent)."""
    publish_now(payment_receipt_task, (event.payment_id,))
