"""What the national sync does when a dossier changes (read at start-up by dossiers.events)."""

from dossiers.events import DossierChange, Phase, Subscription

from .services import delivery_kick, outbox_record_change

SUBSCRIPTIONS = [
    # The records the national portal and EMC are owed, final, written with the change.
    Subscription(DossierChange, outbox_record_change, Phase.IN_TRANSACTION),
    # One delivery task per commit, however many changes it held.
    Subscription(DossierChange, delivery_kick, Phase.AFTER_COMMIT, once_per_transaction=True),
]
