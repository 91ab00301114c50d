"""Who must hear when a dossier changes: an explicit list, not Django signals.

Subscribers are registered in their app's AppConfig.ready() (emc_sync will write its
outbox rows here) and are called synchronously, inside the transaction that changed the
dossier, so their writes commit or roll back with the change.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Dossier, DossierEvent


@dataclass(frozen=True)
class DossierChanged:
    dossier: Dossier
    event: DossierEvent


Subscriber = Callable[[DossierChanged], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def notify(change: DossierChanged) -> None:
    for subscriber in list(_subscribers):
        subscriber(change)
