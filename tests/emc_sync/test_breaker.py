"""The receivers' circuit breaker, leases sized to the claim, and concurrent sends within a drain."""

import datetime as dt
import threading
import time

import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.constants import Role
from emc_sync import breaker, delivery
from emc_sync.constants import BreakerState, OutboxState, Receiver, Target
from emc_sync.delivery import outbox_drain
from emc_sync.models import OutboxRow, ReceiverHealth
from workflows.constants import Action

from .conftest import ADD, EMC, OK, PROGRESS, UPDATE, act, at, body, calls_to, submit

R = Role.RECEPTION_OFFICER


def emc_only(office, dossiers):
    """`dossiers` submitted, everything but their EMC events already delivered."""
    made = [submit(office) for _ in range(dossiers)]
    OutboxRow.objects.exclude(target=Target.EMC).update(state=OutboxState.DELIVERED)
    return made


def health(receiver=Receiver.EMC):
    return ReceiverHealth.objects.get(receiver=receiver)


@time_machine.travel(at(23, 9), tick=False)
def test_a_run_of_unanswered_requests_opens_the_breaker_and_stops_the_drain(office, portal, sync):
    # given an EMC that does not answer, 12 events due, a breaker that opens at 5 in a row
    sync.SYNC_BREAKER_FAILURES, sync.SYNC_SEND_CONCURRENCY = 5, 1
    emc_only(office, 12)
    portal.post(EMC, status=503)

    # when drained
    result = outbox_drain()

    # then five were offered and retried, the other seven released unsent, and the breaker is open
    assert len(calls_to(portal, EMC)) == 5
    assert (result.claimed, result.retried, result.released) == (12, 5, 7)
    state = health()
    assert (state.state, state.failures_in_a_row, state.opened_at) == (BreakerState.OPEN, 5, at(23, 9))
    assert state.probe_at == at(23, 9) + dt.timedelta(seconds=5)

    # and until the probe time no drain takes an EMC row, though seven are due
    assert outbox_drain().claimed == 0
    assert len(calls_to(portal, EMC)) == 5


def test_an_open_breaker_leaves_the_other_receiver_alone(office, portal, sync):
    # given EMC's breaker open, and a dossier whose national records are due
    ReceiverHealth.objects.create(
        receiver=Receiver.EMC,
        state=BreakerState.OPEN,
        probe_at=timezone.now() + dt.timedelta(hours=1),
        failures_in_a_row=10,
    )
    for url in (ADD, PROGRESS):
        portal.post(url, json=OK)
    submit(office)

    # when drained (twice: progress waits for its dossier record)
    outbox_drain()
    outbox_drain()

    # then the portal got its records, EMC nothing
    assert dict(OutboxRow.objects.values_list("target", "state")) == {
        Target.DVCQG_HOSO: "delivered",
        Target.DVCQG_TIENDO: "delivered",
        Target.EMC: "pending",
    }
    assert calls_to(portal, EMC) == []


def test_one_probe_when_it_is_time_and_a_failed_probe_opens_it_for_longer(office, portal, sync):
    # given EMC's breaker opened for 5 s, three events due, probes of at most 2 rows
    sync.SYNC_BREAKER_FAILURES, sync.SYNC_BREAKER_PROBE_ROWS = 3, 2
    with time_machine.travel(at(23, 9), tick=False):
        emc_only(office, 3)
        portal.post(EMC, status=503)
        outbox_drain()
    assert health().state == BreakerState.OPEN
    OutboxRow.objects.update(next_attempt_at=at(23, 9))  # due again (not waiting for backoff)

    # when a drain runs after the probe time and EMC still does not answer
    with time_machine.travel(at(23, 9) + dt.timedelta(seconds=6), tick=False):
        probe = outbox_drain()

    # then it offered two rows only, and the breaker is open again, for twice as long
    assert (probe.claimed, len(calls_to(portal, EMC))) == (2, 5)
    state = health()
    assert (state.state, state.open_seconds) == (BreakerState.OPEN, 10)
    assert state.probe_at == at(23, 9) + dt.timedelta(seconds=16)


def test_an_answered_probe_closes_the_breaker_and_releases_every_waiting_row_at_once(office, portal, sync):
    # given an outage: EMC's breaker open, events waiting for retries minutes away, one of them
    # holding back its dossier's next event; probes of one row
    sync.SYNC_BREAKER_FAILURES, sync.SYNC_BREAKER_PROBE_ROWS = 3, 1
    with time_machine.travel(at(23, 9), tick=False):
        dossiers = emc_only(office, 4)
        act(office, dossiers[0], R, Action.RECEIVE)
        OutboxRow.objects.exclude(target=Target.EMC).update(state=OutboxState.DELIVERED)
        portal.post(EMC, status=503)
        outbox_drain()
    OutboxRow.objects.filter(target=Target.EMC, retry_streak__gt=0).update(
        next_attempt_at=at(23, 9, 10), retry_streak=6
    )
    portal.replace("POST", EMC, json=OK)

    # when the probe goes after the open time (it takes a row first in line, though not due) and EMC answers
    with time_machine.travel(at(23, 9) + dt.timedelta(seconds=6), tick=False):
        probe = outbox_drain()
        released = OutboxRow.objects.filter(target=Target.EMC, state=OutboxState.PENDING)
        waiting = set(released.values_list("next_attempt_at", "retry_streak"))
        # then the breaker is closed, the waiting rows are due now with their streak reset
        assert (probe.claimed, probe.delivered) == (1, 1)
        assert health().state == BreakerState.CLOSED
        assert released.count() == 4
        assert all(due <= at(23, 9) + dt.timedelta(seconds=6) and streak == 0 for due, streak in waiting)
        # and the next drain delivers them all, each dossier's events in order
        outbox_drain()
    assert set(OutboxRow.objects.values_list("state", flat=True)) == {"delivered"}
    keys = [c.request.headers["Idempotency-Key"] for c in calls_to(portal, EMC)]
    first = [key for key in keys if f":{dossiers[0].code}:" in key]
    assert first[-2:] == [f"emc:{dossiers[0].code}:1", f"emc:{dossiers[0].code}:2"]


def test_an_answer_that_refuses_a_record_is_an_answer(office, portal, sync):
    # given a breaker counting failures, and an EMC that refuses an event (4xx): it is up
    sync.SYNC_BREAKER_FAILURES = 2
    ReceiverHealth.objects.create(receiver=Receiver.EMC, failures_in_a_row=1)
    emc_only(office, 1)
    portal.post(EMC, status=400, json={"error_code": "1", "message": "Sai dữ liệu"})

    outbox_drain()

    assert (health().state, health().failures_in_a_row) == (BreakerState.CLOSED, 0)


def test_backoff_follows_the_retry_streak_not_the_attempts(office, portal, sync, monkeypatch):
    # given an event sent 9 times before, but whose streak was reset by a recovery
    portal.post(EMC, status=503)
    monkeypatch.setattr(delivery.random, "random", lambda: 1.0)
    with time_machine.travel(at(23, 9), tick=False):
        emc_only(office, 1)
        OutboxRow.objects.filter(target=Target.EMC).update(attempts=9, retry_streak=0)

        outbox_drain()

    # then it waits the first step (2 s), not 512 s
    row = OutboxRow.objects.get(target=Target.EMC)
    assert (row.attempts, row.retry_streak, row.next_attempt_at) == (10, 1, at(23, 9) + dt.timedelta(seconds=2))


def test_the_lease_is_sized_to_the_claim(office, sync):
    # given timeouts of 2 s (connect 2 s + read 2 s a request), 8 at a time, a 10 s margin
    sync.SYNC_HTTP_TIMEOUT, sync.SYNC_SEND_CONCURRENCY, sync.SYNC_LEASE_MARGIN_SECONDS = 2.0, 8, 10.0
    sync.SYNC_LEASE_SECONDS = 300
    sync.SYNC_DELIVERY_ENABLED = False

    # when one row, then 60 rows are claimed
    with time_machine.travel(at(23, 9), tick=False):
        for _ in range(20):
            submit(office)
        _token, one, _ = delivery.outbox_claim(max_rows=1)
        _token, many, _ = delivery.outbox_claim(max_rows=60)
        leases = sorted(set(OutboxRow.objects.filter(state="sending").values_list("lease_expires_at", flat=True)))

    # then the first is held 10 + 1 x 4 s; the second (39 rows: progress waits for its dossier
    # record; 19 records in one request and 20 events, 21 requests: 3 rounds of 8) 10 + 3 x 4 s
    assert (len(one), len(many)) == (1, 39)
    assert leases == [at(23, 9) + dt.timedelta(seconds=14), at(23, 9) + dt.timedelta(seconds=22)]

    # and never more than SYNC_LEASE_SECONDS
    sync.SYNC_LEASE_SECONDS = 12
    assert delivery.claim_lease_seconds(many) == 12


def test_events_of_different_dossiers_go_in_parallel_and_each_dossiers_in_order(office, portal, sync):
    # given 16 dossiers, one of them with three events, and an EMC taking 0.2 s per event
    sync.SYNC_SEND_CONCURRENCY = 8
    dossiers = emc_only(office, 16)
    act(office, dossiers[3], R, Action.RECEIVE)
    act(office, dossiers[3], R, Action.FORWARD)
    OutboxRow.objects.exclude(target=Target.EMC).update(state=OutboxState.DELIVERED)
    lock, now_in, most = threading.Lock(), [0], [0]

    def slow(request):
        with lock:
            now_in[0] += 1
            most[0] = max(most[0], now_in[0])
        time.sleep(0.2)
        with lock:
            now_in[0] -= 1
        return 200, {}, '{"error_code": "0"}'

    portal.add_callback("POST", EMC, callback=slow)

    # when drained
    started = time.monotonic()
    result = outbox_drain()
    took = time.monotonic() - started

    # then all 18 went, up to 8 at once (not 3.6 s one after the other), dossier 3's in order
    assert result.delivered == 18
    assert 4 <= most[0] <= 8
    assert took < 2.0
    keys = [c.request.headers["Idempotency-Key"] for c in calls_to(portal, EMC)]
    assert [key for key in keys if f":{dossiers[3].code}:" in key] == [f"emc:{dossiers[3].code}:{n}" for n in (1, 2, 3)]


def test_one_token_fetch_for_a_drain_of_many_threads(office, portal, sync):
    # given no token cached, and 16 events to go from 8 threads
    sync.SYNC_SEND_CONCURRENCY = 8
    emc_only(office, 16)
    portal.post(EMC, json=OK)

    outbox_drain()

    assert len(calls_to(portal, "http://portal.test/oauth/token")) == 1


def test_records_and_updates_go_in_parallel_batches(office, portal, sync):
    # given 30 new dossiers and a record batch of 10: three add requests
    sync.SYNC_RECORD_BATCH = 10
    for url in (ADD, UPDATE, PROGRESS, EMC):
        portal.post(url, json=OK)
    for _ in range(30):
        submit(office)

    outbox_drain()

    assert sorted(len(body(c)) for c in calls_to(portal, ADD)) == [10, 10, 10]
    assert OutboxRow.objects.filter(target=Target.DVCQG_HOSO, state="delivered").count() == 30


def test_breaker_states_reads_closed_for_a_receiver_never_reported(db):
    assert breaker.breaker_states() == {"dvcqg": "closed", "emc": "closed"}


def test_a_delivery_task_waits_for_the_probe_within_its_budget(office, portal, sync):
    # given EMC's breaker open with its probe 0.3 s away, an event waiting, and EMC back
    from emc_sync.tasks import outbox_deliver_task

    sync.SYNC_DRAIN_SECONDS = 5
    emc_only(office, 1)
    ReceiverHealth.objects.create(
        receiver=Receiver.EMC,
        state=BreakerState.OPEN,
        open_seconds=5,
        probe_at=timezone.now() + dt.timedelta(seconds=0.3),
    )
    portal.post(EMC, json=OK)

    # when a delivery task runs
    delivered = outbox_deliver_task()

    # then it waited for the probe, which delivered the event and closed the breaker
    assert delivered == 1
    assert health().state == BreakerState.CLOSED


def test_a_rows_first_retries_stay_short_then_grow_to_the_cap(sync):
    sync.SYNC_BACKOFF_HEALTHY_TRIES, sync.SYNC_BACKOFF_HEALTHY_CAP_SECONDS = 8, 10.0

    ceilings = [delivery.row_backoff_seconds(n, rand=lambda: 1.0) for n in range(1, 12)]

    assert ceilings == [2, 4, 8, 10, 10, 10, 10, 10, 512, 600, 600]


def test_the_breakers_are_shown_read_only_in_the_admin(admin_client):
    ReceiverHealth.objects.create(receiver=Receiver.EMC, state=BreakerState.OPEN, failures_in_a_row=12)

    page = admin_client.get(reverse("admin:emc_sync_receiverhealth_changelist"))

    assert page.status_code == 200
    assert "Tạm ngừng gửi (nơi nhận không trả lời)" in page.content.decode()
    assert admin_client.get(reverse("admin:emc_sync_receiverhealth_add")).status_code == 403
