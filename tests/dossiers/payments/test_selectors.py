from dossiers.constants import PaymentStatus
from dossiers.payments.selectors import payment_state_for_draft
from dossiers.payments.services import payment_confirm, payment_start


def test_payment_state_for_draft(draft, citizen):
    # given nothing yet
    before = payment_state_for_draft(draft=draft)
    # a payment started
    payment, _url = payment_start(draft=draft, payer=citizen)
    started = payment_state_for_draft(draft=draft)
    # and paid
    payment_confirm(payment_id=payment.pk, status=PaymentStatus.PAID, transaction_id="GD1")
    paid = payment_state_for_draft(draft=draft)

    # then
    assert (before.amount_due, before.paid, before.pending) == (110_000, False, None)
    assert (started.paid, started.pending) == (False, payment)
    assert (paid.paid, paid.paid_payment, paid.pending) == (True, payment, None)
