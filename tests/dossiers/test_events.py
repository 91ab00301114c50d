"""The event spine: typed events dispatched once the use case is complete, in two declared phases."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dossiers import events
from dossiers.attachments.services import attachment_add
from dossiers.constants import EventKind, PaymentStatus
from dossiers.drafts.services import draft_start, draft_submit
from dossiers.events import (
    ComplaintAnswered,
    DossierChange,
    DossierReceived,
    DossierSubmitted,
    Phase,
    Registry,
    Subscription,
    UseCase,
)
from dossiers.models import Dossier, DossierEvent
from dossiers.notifications.services import events_missing_notifications
from dossiers.payments.services import payment_confirm, payment_start
from dossiers.services import dossier_act
from tests.factories import ComponentFactory, DossierFactory, FeeFactory
from tests.files import PDF
from workflows.constants import Action, Status

R = "reception_officer"


def test_every_action_value_is_an_event_kind_and_dossier_events_take_only_kinds():
    assert set(Action.values) <= set(EventKind.values)
    assert DossierEvent._meta.get_field("action").choices == EventKind.choices


def test_a_handler_for_an_unknown_event_type_fails_at_start_up_with_its_name():
    registry = Registry()

    def handler(event):
        pass

    with pytest.raises(ImproperlyConfigured, match=r"handler is subscribed to an unknown event type 'DossierSubmited'"):
        registry.subscribe(Subscription("DossierSubmited", handler, Phase.IN_TRANSACTION))
    with pytest.raises(ImproperlyConfigured, match=r"not an event type"):
        registry.subscribe(Subscription(Dossier, handler, Phase.IN_TRANSACTION))  # type: ignore[arg-type]
    with pytest.raises(ImproperlyConfigured, match=r"once_per_transaction is for after-commit handlers"):
        registry.subscribe(Subscription(DossierChange, handler, Phase.IN_TRANSACTION, once_per_transaction=True))


def test_the_tables_of_the_installed_apps_load_and_name_known_types():
    registry = Registry()
    registry.load()
    handlers = {(s.event_type.__name__, s.handler.__name__, s.phase) for s in registry._subscriptions}
    assert ("DossierChange", "outbox_record_change", Phase.IN_TRANSACTION) in handlers
    assert ("ResultReturned", "store_results_on_return", Phase.IN_TRANSACTION) in handlers
    assert ("DossierSubmitted", "check_population", Phase.AFTER_COMMIT) in handlers


@pytest.mark.django_db
def test_an_event_no_one_hears_is_fine():
    with transaction.atomic():
        Registry().dispatch(ComplaintAnswered(at=timezone.now(), complaint_id=1, dossier_id=1))


@pytest.mark.django_db
def test_events_wait_for_the_outermost_use_case_and_a_failed_inner_one_drops_its_own(office):
    heard = []
    probe = Subscription(DossierChange, lambda e: heard.append((e.kind, e.dossier_id)), Phase.IN_TRANSACTION)
    first, second = (DossierFactory(procedure=office["procedure"], agency=office["agency"]) for _ in range(2))
    with events.registry.subscribed(probe), UseCase():
        dossier_act(dossier_id=first.pk, actor=office["people"][R], action=Action.RECEIVE)
        assert heard == []  # held until the use case ends
        try:
            with UseCase():
                dossier_act(dossier_id=second.pk, actor=office["people"][R], action=Action.RECEIVE)
                raise RuntimeError("the inner use case fails")
        except RuntimeError:
            pass
        assert heard == []
    assert heard == [(EventKind.RECEIVE, first.pk)]  # the failed inner one's event is gone with it


@pytest.mark.django_db
def test_the_event_type_says_what_happened(office):
    seen = []
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    with events.registry.subscribed(Subscription(DossierChange, seen.append, Phase.IN_TRANSACTION)):
        dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.RECEIVE)
    (event,) = seen
    assert type(event) is DossierReceived
    assert (event.dossier_id, event.action, event.from_status, event.to_status, event.actor_id) == (
        dossier.pk, Action.RECEIVE, Status.NEW, Status.RECEIVED, office["people"][R].pk,
    )  # fmt: skip
    row = dossier.events.get(action=EventKind.RECEIVE)
    assert (event.sequence, event.event_id) == (row.sequence, row.pk)


def test_an_in_transaction_failure_shows_the_error_page_and_writes_nothing(office, client):
    # given an officer about to receive a dossier, and an in-transaction handler that fails
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    client.force_login(office["people"][R])
    client.raise_request_exception = False

    def broken(event):
        raise RuntimeError("outbox unavailable")

    # when
    with events.registry.subscribed(Subscription(DossierReceived, broken, Phase.IN_TRANSACTION)):
        response = client.post(
            reverse("dossiers:act", args=[dossier.code]),
            {"action": Action.RECEIVE, "idempotency_key": "k1", "expected_sequence": dossier.events.count()},
        )

    # then the usual error page, and nothing of the change
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in response.content.decode()
    dossier.refresh_from_db()
    assert (dossier.status, dossier.events.filter(action=EventKind.RECEIVE).count(), dossier.received_at) == (
        Status.NEW, 0, None,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_an_after_commit_failure_keeps_the_change_and_the_sweep_finds_the_work(office, monkeypatch):
    # given a broker that refuses every message
    def broker_down(task, args=()):
        raise ConnectionError("broker down")

    monkeypatch.setattr("dossiers.notifications.handlers.publish_now", broker_down)
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"], applicant_email="an@example.vn")

    # when an officer receives the dossier (the transaction commits; the after-commit handler fails)
    dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.RECEIVE)

    # then the change is committed, and the notification sweep finds the event whose message never left
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    received = dossier.events.get(action=EventKind.RECEIVE)
    later = received.at + dt.timedelta(minutes=15)
    assert received in set(events_missing_notifications(now=later))


@pytest.mark.django_db
def test_one_officer_action_costs_at_most_16_queries_with_the_sync_subscriber(office, settings):
    # 16: the national record reads the components replaced by national data (Resolution 66.7/2025)
    settings.SYNC_ENABLED = True
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    officer = office["people"][R]
    with CaptureQueriesContext(connection) as queries:
        dossier_act(dossier_id=dossier.pk, actor=officer, action=Action.RECEIVE, idempotency_key="pin-1")
    assert len(queries) <= 16, "\n".join(q["sql"][:120] for q in queries.captured_queries)


@pytest.mark.django_db
def test_a_submission_with_two_files_and_a_paid_fee_costs_at_most_30_queries(office, settings):
    # 32 before the event spine (2b036da), savepoints included; the sync's record is written in it;
    # 30 since the filing reads the components replaced by national data (Resolution 66.7/2025)
    settings.SYNC_ENABLED = True
    citizen, procedure = office["people"]["citizen"], office["procedure"]
    draft = draft_start(owner=citizen, procedure=procedure, agency=office["agency"])
    FeeFactory(procedure=procedure, amount=50_000)
    for name in ("giay-chung-sinh.pdf", "xac-nhan-cu-tru.pdf"):
        component = ComponentFactory(procedure=procedure, name=name, required=False)
        attachment_add(owner_user=citizen, draft=draft, component=component, upload=SimpleUploadedFile(name, PDF))
    payment, _url = payment_start(draft=draft, payer=citizen)
    payment_confirm(payment_id=payment.pk, status=PaymentStatus.PAID, transaction_id="GD-PIN")
    draft.refresh_from_db()

    with CaptureQueriesContext(connection) as queries:
        dossier = draft_submit(draft=draft, declaration=True)

    assert dossier.attachments.count() == 2
    assert len(queries) <= 30, "\n".join(q["sql"][:120] for q in queries.captured_queries)


def test_submitted_is_a_change():
    assert issubclass(DossierSubmitted, DossierChange)
