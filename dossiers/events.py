"""What happened to a dossier, told once the use case is complete: typed events and their registry.

A use case (a service decorated with `@use_case`) publishes typed events as it goes; they are
held until the outermost use case has finished its writes (files and payments attached, pauses
closed, due date set) and then dispatched, still inside its transaction, so every subscriber
sees the whole dossier. Each app declares what it hears in one table, `<app>/subscriptions.py`
(`SUBSCRIPTIONS = [Subscription(event type, handler, phase), …]`), read at start-up:

- `Phase.IN_TRANSACTION`: called before the commit; its writes commit or roll back with the
  change (outbox rows, the document store). If it raises, the whole change is undone and the
  person sees the usual error page.
- `Phase.AFTER_COMMIT`: called by the registry once the transaction has committed (Celery
  tasks, mail, SMS). A failure is logged and never undoes the change: the work it stood for
  must be found again by a sweeper or done on demand (each handler says how).

A subscription to a base class hears every subclass (`DossierChange` hears every line of the
history). Handlers never call `transaction.on_commit` themselves. Not Django signals: the
tables say, in one place per app, who hears what.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import enum
import functools
import importlib
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ContextDecorator, contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from workflows.constants import Action, Status

from .constants import EventKind
from .models import Dossier, DossierEvent

logger = logging.getLogger(__name__)


# The events.


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happened, as plain values: ids, kinds, times."""

    at: dt.datetime
    actor_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class DossierChange(Event):
    """One line of a dossier's history (a DossierEvent row), as the use case left the dossier.

    `dossier` and `record` (its history row) are the rows the use case wrote, handed to
    in-transaction handlers so that they need not load them again; after-commit handlers use
    the ids (the rows may have changed since).
    """

    dossier_id: int
    dossier_code: str
    event_id: int
    sequence: int
    kind: EventKind
    channel: str
    actor_role: str = ""
    from_status: int | None
    to_status: int
    from_step: str
    to_step: str
    comment: str = ""
    dossier: Dossier = field(compare=False, repr=False)
    record: DossierEvent = field(compare=False, repr=False)

    @property
    def status_changed(self) -> bool:
        return self.from_status != self.to_status


@dataclass(frozen=True, kw_only=True)
class DossierSubmitted(DossierChange):
    """A dossier was filed (any channel); `received` when taken in at the desk at once."""

    received: bool


@dataclass(frozen=True, kw_only=True)
class DossierActed(DossierChange):
    """An officer's or the applicant's workflow action (those without a type of their own)."""

    action: Action


@dataclass(frozen=True, kw_only=True)
class DossierReceived(DossierActed):
    """The one-stop desk received the dossier: its legal due date runs from now."""


@dataclass(frozen=True, kw_only=True)
class SupplementAnswered(DossierActed):
    """The applicant sent what was asked for: the pause is closed and the due date shifted."""


@dataclass(frozen=True, kw_only=True)
class ResultReturned(DossierActed):
    """The result went back to the applicant: the dossier is closed."""


@dataclass(frozen=True, kw_only=True)
class FinancialObligationRequested(DossierActed):
    """Status 6: the applicant must pay `amount` đồng for `description` at `pay_at` (and online
    when `online`) before processing goes on."""

    amount: int
    pay_at: str
    online: bool


@dataclass(frozen=True, kw_only=True)
class FinancialObligationMet(DossierActed):
    """The financial obligation was met (paid online, or confirmed by an officer): back to processing."""

    obligation_id: int
    settled_how: str


@dataclass(frozen=True, kw_only=True)
class DossierHandedOver(DossierChange):
    """Received at one desk and handed over to the competent agency in the same action
    (Decree 118/2025): the receiving desk keeps sight of it and returns the result; form 06
    shows the handover (giver, receiver, time)."""

    from_agency_id: int
    to_agency_id: int


@dataclass(frozen=True, kw_only=True)
class DossierUpdatedByNationalPortal(DossierChange):
    """Cổng DVCQG forwarded a changed record of a dossier it forwarded before; `fields` says
    which of the dossier's facts changed (no status change)."""

    fields: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class DossierApologised(DossierChange):
    """An officer apologised for a late dossier and promised a new date (form 04)."""

    new_due_at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class ConsultationAnswered(DossierChange):
    """A consulted agency answered (no status change)."""

    consultation_id: int
    agency_code: str


@dataclass(frozen=True, kw_only=True)
class ComplaintAnswered(Event):
    """An officer answered the applicant's complaint about their dossier (not a history line)."""

    complaint_id: int
    dossier_id: int


@dataclass(frozen=True, kw_only=True)
class ComponentsNotRead(Event):
    """At filing, a database did not answer for components replaced by national data
    (Resolution 66.7/2025): they are read again in the background (not a history line)."""

    dossier_id: int
    replacement_ids: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class ComponentsReplaced(Event):
    """Components replaced by national data were read after filing (the database had not
    answered then): the national record must say so (TaiLieuNop.MaKetQuaThayThe, DSKetNoiCSDL).
    Not a history line: the dossier's status and step did not change."""

    dossier_id: int
    replacement_ids: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class PaymentPaid(Event):
    """A fee payment was confirmed paid by the platform (the draft may not be a dossier yet)."""

    payment_id: int
    amount: int
    draft_id: int | None = None
    dossier_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class DossierSigningRequested(Event):
    """An officer asked for the dossier's result and forms to be signed again ("Ký số lại")."""

    dossier_id: int


ACTION_EVENTS: dict[Action, type[DossierActed]] = {
    Action.RECEIVE: DossierReceived,
    Action.PROVIDE_SUPPLEMENT: SupplementAnswered,
    Action.RETURN_RESULT: ResultReturned,
}


def _change_fields(dossier: Dossier, row: DossierEvent) -> dict[str, Any]:
    return {
        "at": row.at,
        "actor_id": row.actor_id,
        "actor_role": row.actor_role,
        "dossier_id": dossier.pk,
        "dossier_code": dossier.code,
        "event_id": row.pk,
        "sequence": row.sequence,
        "kind": EventKind(row.action),
        "channel": dossier.channel,
        "from_status": row.from_status,
        "to_status": row.to_status,
        "from_step": row.from_step,
        "to_step": row.to_step,
        "comment": row.comment,
        "dossier": dossier,
        "record": row,
    }


def change_from_row(dossier: Dossier, row: DossierEvent) -> DossierChange:
    """The typed event a history row stands for (used by the lifecycle service, and by replays
    of history such as the national sync's requeue)."""
    values = _change_fields(dossier, row)
    kind = values["kind"]
    if kind == EventKind.SUBMIT:
        return DossierSubmitted(**values, received=row.to_status == Status.RECEIVED)
    if kind == EventKind.APOLOGISE:
        return DossierApologised(**values, new_due_at=dt.datetime.fromisoformat(row.data["new_due_at"]))
    if kind == EventKind.CONSULTATION_ANSWER:
        return ConsultationAnswered(
            **values, consultation_id=int(row.data["consultation"]), agency_code=str(row.data["agency"])
        )
    if kind == EventKind.HANDOVER:
        return DossierHandedOver(
            **values, from_agency_id=int(row.data["from_agency"]), to_agency_id=int(row.data["to_agency"])
        )
    if kind == EventKind.NATIONAL_UPDATE:
        return DossierUpdatedByNationalPortal(**values, fields=tuple(row.data.get("fields", ())))
    action = Action(kind.value)
    if action == Action.REQUEST_PAYMENT:
        return FinancialObligationRequested(
            **values, action=action, amount=int(row.data["amount"]), pay_at=str(row.data["pay_at"]),
            online=bool(row.data.get("online")),
        )  # fmt: skip
    if action == Action.SETTLE_PAYMENT:
        return FinancialObligationMet(
            **values, action=action, obligation_id=int(row.data["obligation"]), settled_how=str(row.data["settled_how"])
        )
    return ACTION_EVENTS.get(action, DossierActed)(**values, action=action)


# The registry.


class Phase(enum.Enum):
    IN_TRANSACTION = "in_transaction"
    AFTER_COMMIT = "after_commit"


Handler = Callable[[Any], None]
KNOWN: dict[str, type[Event]] = {}


def _known() -> dict[str, type[Event]]:
    if not KNOWN:

        def walk(cls: type[Event]) -> None:
            KNOWN[cls.__name__] = cls
            for sub in cls.__subclasses__():
                walk(sub)

        walk(Event)
    return KNOWN


@dataclass(frozen=True)
class Subscription:
    """`handler(event)` for every published event that is an instance of `event_type`.

    `event_type` is a class from this module or its name; anything else fails at start-up.
    `once_per_transaction` (after commit only): however many matching events one transaction
    publishes, the handler runs once, with the last of them (one delivery task per commit).
    """

    event_type: type[Event] | str
    handler: Handler
    phase: Phase
    once_per_transaction: bool = False

    def resolved(self, source: str) -> Subscription:
        kind = self.event_type
        if isinstance(kind, str):
            if kind not in _known():
                raise ImproperlyConfigured(
                    f"{source}: {self.handler.__qualname__} is subscribed to an unknown event type {kind!r}; "
                    f"known: {', '.join(sorted(_known()))}"
                )
            kind = _known()[kind]
        if not (isinstance(kind, type) and issubclass(kind, Event)):
            raise ImproperlyConfigured(
                f"{source}: {self.handler.__qualname__} is subscribed to {kind!r}, which is not an event type "
                "of dossiers.events"
            )
        if not isinstance(self.phase, Phase):
            raise ImproperlyConfigured(f"{source}: {self.handler.__qualname__} has no phase (Phase.…)")
        if self.once_per_transaction and self.phase is not Phase.AFTER_COMMIT:
            raise ImproperlyConfigured(f"{source}: once_per_transaction is for after-commit handlers only")
        return Subscription(kind, self.handler, self.phase, self.once_per_transaction)


class Registry:
    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []

    def load(self, app_labels: Iterable[str] | None = None) -> None:
        """Read `<app>.subscriptions.SUBSCRIPTIONS` of every installed app (at start-up)."""
        names = list(app_labels) if app_labels is not None else [config.name for config in apps.get_app_configs()]
        loaded: list[Subscription] = []
        for name in names:
            try:
                module = importlib.import_module(f"{name}.subscriptions")
            except ModuleNotFoundError as exc:
                if exc.name != f"{name}.subscriptions":
                    raise
                continue
            table = getattr(module, "SUBSCRIPTIONS", None)
            if table is None:
                raise ImproperlyConfigured(f"{module.__name__} has no SUBSCRIPTIONS table")
            loaded += [subscription.resolved(module.__name__) for subscription in table]
        self._subscriptions = loaded

    def subscribe(self, subscription: Subscription) -> None:
        resolved = subscription.resolved("subscribe()")
        if resolved not in self._subscriptions:
            self._subscriptions.append(resolved)

    def unsubscribe(self, subscription: Subscription) -> None:
        resolved = subscription.resolved("unsubscribe()")
        if resolved in self._subscriptions:
            self._subscriptions.remove(resolved)

    @contextmanager
    def subscribed(self, *subscriptions: Subscription) -> Iterator[None]:
        """For tests: these subscriptions while the block runs."""
        for subscription in subscriptions:
            self.subscribe(subscription)
        try:
            yield
        finally:
            for subscription in subscriptions:
                self.unsubscribe(subscription)

    def subscriptions_for(self, event: Event) -> list[Subscription]:
        return [s for s in self._subscriptions if isinstance(event, s.event_type)]  # type: ignore[arg-type]

    def dispatch(self, event: Event) -> None:
        for subscription in self.subscriptions_for(event):
            if subscription.phase is Phase.IN_TRANSACTION:
                subscription.handler(event)
            else:
                _after_commit(subscription, event)


registry = Registry()


class _OncePerCommit:
    """An on_commit callback that runs its handler once with the latest event given to it."""

    def __init__(self, handler: Handler, event: Event) -> None:
        self.handler, self.latest = handler, event

    def __call__(self) -> None:
        _run(self.handler, self.latest)


def _after_commit(subscription: Subscription, event: Event) -> None:
    handler = subscription.handler
    if subscription.once_per_transaction:
        # Already asked for in this transaction (a rolled-back savepoint takes its callbacks
        # with it, so this never finds a stale one): only the event is newer.
        for _savepoints, callback, _robust in transaction.get_connection().run_on_commit:
            if isinstance(callback, _OncePerCommit) and callback.handler is handler:
                callback.latest = event
                return
        transaction.on_commit(_OncePerCommit(handler, event), robust=True)
        return
    transaction.on_commit(functools.partial(_run, handler, event), robust=True)


def _run(handler: Handler, event: Event) -> None:
    try:
        handler(event)
    except Exception:  # the change is committed; the handler's work is recovered by its sweeper
        logger.exception("after-commit handler %s failed for %r", handler.__qualname__, event)


# Publishing.

# Events published inside the current use case, waiting for it to finish (None outside one).
_held: contextvars.ContextVar[list[Event] | None] = contextvars.ContextVar("dossier_events_held", default=None)


def publish(event: Event) -> None:
    """Tell the subscribers, once the outermost use case has finished its writes.

    Outside a use case the event is dispatched at once; either way inside a transaction.
    """
    held = _held.get()
    if held is not None:
        held.append(event)
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dossier events are published inside the transaction of the change")
    registry.dispatch(event)


class UseCase(ContextDecorator):
    """`transaction.atomic`, and the events published inside it dispatched at its end.

    Nested use cases hand their events to the outermost one; a use case that raises drops its
    own. The events are dispatched in the order published, before the commit, so an
    in-transaction handler that raises undoes the whole use case.
    """

    def _recreate_cm(self) -> UseCase:
        return type(self)()  # one state per call: a decorated service may run in many threads

    def __enter__(self) -> None:
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._token = _held.set([])

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        held = _held.get() or []
        _held.reset(self._token)
        if exc_type is None:
            try:
                outer = _held.get()
                if outer is not None:
                    outer.extend(held)
                else:
                    for event in held:
                        registry.dispatch(event)
            except BaseException:
                self._atomic.__exit__(*sys.exc_info())
                raise
        self._atomic.__exit__(exc_type, exc, tb)


F = TypeVar("F", bound=Callable[..., Any])


def use_case(func: F) -> F:
    """Decorator for a service that is one use case (see UseCase)."""
    return UseCase()(func)  # type: ignore[return-value]
