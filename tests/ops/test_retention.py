"""The nightly retention job prunes what only served operations, and keeps what is still owed or
is the record of what the national portal holds."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session

from dossiers.constants import EventKind
from dossiers.models import Notification
from dvctt.retention import retention_prune
from emc_sync.constants import AttemptOutcome, OutboxState, Target
from emc_sync.models import DeliveryAttempt, InboundFailure, OutboxRow
from tests.factories import DossierFactory

NOW = dt.datetime(2026, 12, 7, 3, 10, tzinfo=dt.UTC)
OLD = NOW - dt.timedelta(days=91)
RECENT = NOW - dt.timedelta(days=10)


def row(dossier, sequence, state, *, at=OLD, target=Target.DVCQG_HOSO):
    return OutboxRow.objects.create(
        target=target,
        dossier=dossier,
        sequence=sequence,
        idempotency_key=f"{dossier.pk}-{target}-{sequence}",
        payload={"MaHoSo": dossier.code, "n": sequence},
        state=state,
        created_at=at,
        delivered_at=at if state == OutboxState.DELIVERED else None,
    )


@pytest.mark.django_db
def test_old_superseded_and_replaced_rows_go_the_newest_delivered_and_everything_owed_stay():
    dossier = DossierFactory()
    replaced = row(dossier, 1, OutboxState.DELIVERED)
    superseded = row(dossier, 2, OutboxState.SUPERSEDED)
    newest = row(dossier, 3, OutboxState.DELIVERED)
    failed = row(dossier, 4, OutboxState.FAILED)
    pending = row(dossier, 5, OutboxState.PENDING)
    young_replaced = row(dossier, 1, OutboxState.DELIVERED, at=RECENT, target=Target.EMC)
    row(dossier, 2, OutboxState.DELIVERED, at=RECENT, target=Target.EMC)
    DeliveryAttempt.objects.create(row=newest, at=OLD, outcome=AttemptOutcome.DELIVERED)
    kept_attempt = DeliveryAttempt.objects.create(row=newest, at=RECENT, outcome=AttemptOutcome.DELIVERED)

    pruned = retention_prune(now=NOW)

    left = set(OutboxRow.objects.values_list("pk", flat=True))
    assert replaced.pk not in left
    assert superseded.pk not in left
    assert {newest.pk, failed.pk, pending.pk, young_replaced.pk} <= left
    assert list(DeliveryAttempt.objects.values_list("pk", flat=True)) == [kept_attempt.pk]
    assert (pruned["outbox_rows"], pruned["delivery_attempts"]) == (2, 1)


@pytest.mark.django_db
def test_sessions_login_counters_notifications_and_resolved_failures_past_their_time_go():
    dossier = DossierFactory()
    Session.objects.create(session_key="old", session_data="", expire_date=NOW - dt.timedelta(seconds=1))
    Session.objects.create(session_key="live", session_data="", expire_date=NOW + dt.timedelta(days=1))
    for key, days in (("old", 31), ("recent", 2)):
        AccessAttempt.objects.create(username=key, ip_address="10.0.0.1", failures_since_start=1)
        # (attempt_time is set to "now" on creation)
        AccessAttempt.objects.filter(username=key).update(attempt_time=NOW - dt.timedelta(days=days))
    event = dossier.events.create(sequence=1, action=EventKind.SUBMIT, at=NOW, to_status=1)
    for channel, days in ((Notification.Channel.EMAIL, 400), (Notification.Channel.SMS, 30)):
        Notification.objects.create(
            dossier=dossier,
            event=event,
            channel=channel,
            recipient="x",
            text="t",
            sent_at=NOW - dt.timedelta(days=days),
        )
    InboundFailure.objects.create(remote_code="A", payload={}, error="e", resolved_at=OLD)
    InboundFailure.objects.create(remote_code="B", payload={}, error="e")  # still waiting for an admin

    pruned = retention_prune(now=NOW)

    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["recent"]
    assert list(Notification.objects.values_list("channel", flat=True)) == [Notification.Channel.SMS]
    assert list(InboundFailure.objects.values_list("remote_code", flat=True)) == ["B"]
    assert pruned == {
        "delivery_attempts": 0,
        "outbox_rows": 0,
        "inbound_failures": 1,
        "sessions": 1,
        "login_attempts": 1,
        "notifications": 1,
    }


@pytest.mark.django_db
def test_deletes_go_in_batches(monkeypatch):
    monkeypatch.setattr("dvctt.retention.BATCH", 2)
    for n in range(5):
        Session.objects.create(session_key=f"s{n}", session_data="", expire_date=NOW - dt.timedelta(days=1))

    assert retention_prune(now=NOW)["sessions"] == 5
    assert not Session.objects.exists()
