"""What the national sync does when a dossier changes or its fee is paid (read at start-up by
dossiers.events)."""

from dossiers.events import ComponentsReplaced, DossierChange, PaymentPaid, Phase, Subscription

from .services import (
    delivery_kick,
    delivery_kick_for_payment,
    delivery_kick_for_replacements,
    outbox_record_change,
    outbox_record_payment,
    outbox_record_replacements,
)

SUBSCRIPTIONS = [
    # The records the national portal and EMC are owed, final, written with the change.
    Subscription(DossierChange, outbox_record_change, Phase.IN_TRANSACTION),
    # A fee paid after submission: a fresh dossier record, fee paid (a draft's payment: nothing).
    Subscription(PaymentPaid, outbox_record_payment, Phase.IN_TRANSACTION),
    # Components replaced by national data read after filing: the dossier record again, with them.
    Subscription(ComponentsReplaced, outbox_record_replacements, Phase.IN_TRANSACTION),
    # One delivery task per commit, however many changes it held; one for a fee paid after
    # submission (payments are confirmed in transactions of their own).
    Subscription(DossierChange, delivery_kick, Phase.AFTER_COMMIT, once_per_transaction=True),
    Subscription(PaymentPaid, delivery_kick_for_payment, Phase.AFTER_COMMIT, once_per_transaction=True),
    Subscription(ComponentsReplaced, delivery_kick_for_replacements, Phase.AFTER_COMMIT, once_per_transaction=True),
]
