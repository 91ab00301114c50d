"""Fault drill: real processes, a portal that fails, a worker killed mid-run; nothing lost or doubled.

The stand-in runs as its own server (`run_mock_portal`, own SQLite database); a real Celery
worker (`celery -A dvctt worker`) delivers from the test database over Redis. The dossiers
move through the services (which write the outbox rows in the same transaction) while the
stand-in answers about 30 % errors and timeouts (seeded) and is down for a window; the worker
is SIGKILLed mid-run and a new one started. The sweeper is called by the test (instead of beat
every 30 s). DRILL_DOSSIERS sets the size (default 150, about 2 minutes on a 2-core machine;
500 run by hand, see bench/RESULTS.md).
"""

import datetime as dt
import os
import time
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from accounts.constants import Role
from dvctt.celery import app as celery_app
from emc_sync.constants import AttemptOutcome, OutboxState
from emc_sync.models import DeliveryAttempt, OutboxRow
from emc_sync.reconciliation import reconcile
from emc_sync.tasks import outbox_sweep_task
from tests.mock_portal.live import running_stand_in
from workflows.constants import Action

from .conftest import act, submit
from .drill_helpers import (
    NEEDS,
    ON_POSTGRES,
    REDIS_URL,
    Worker,
    out_of_order,
    received,
    set_faults,
    wait_until,
    worker_environment,
)

pytestmark = [pytest.mark.drill, pytest.mark.skipif(not (ON_POSTGRES and REDIS_URL), reason=NEEDS)]

R, S, L = Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER
DOSSIERS = int(os.environ.get("DRILL_DOSSIERS", "150"))
FAULTS = {"error_rate": 0.3, "error_kinds": ["500", "503", "timeout"], "timeout_seconds": 1, "seed": 6}
DOWN_SECONDS = 5
DEADLINE_SECONDS = 60 + int(DOSSIERS * 1.2)  # delivery after the last change: ~0.6 s per dossier here


def undelivered() -> int:
    return OutboxRow.objects.exclude(state__in=(OutboxState.DELIVERED, OutboxState.SUPERSEDED)).count()


@pytest.fixture
def portal(tmp_path, settings):
    """The stand-in as its own process; this process (dossier changes, sweeper) pointed at it."""
    with running_stand_in(tmp_path / "stand-in.sqlite3") as base:
        settings.NATIONAL_PORTAL_URL = base
        settings.NATIONAL_PORTAL_TOKEN_URL = f"{base}/oauth/token"
        settings.EMC_URL = f"{base}/emc"
        settings.SYNC_DELIVERY_ENABLED = True  # each commit asks the broker for a delivery task
        settings.SYNC_DRAIN_SECONDS = 1  # the sweeper may fan out every second
        settings.SYNC_SWEEP_FANOUT = 2
        cache.clear()  # the test's Redis db: no queued task or token from an earlier run
        yield base
        cache.clear()


@pytest.mark.django_db(transaction=True)
def test_every_change_reaches_the_portal_once_and_in_order_through_faults_an_outage_and_a_killed_worker(
    office, portal, tmp_path, capsys
):
    # given a portal failing ~30 % of requests (seeded) and one real worker
    assert not celery_app.conf.task_always_eager
    set_faults(portal, **FAULTS)
    started = time.monotonic()
    worker = Worker(worker_environment(portal), tmp_path / "worker-1.log")
    killed_with_rows_held = 0
    try:
        # when dossiers are submitted and received
        dossiers = []
        for _ in range(DOSSIERS):
            dossier = submit(office)
            act(office, dossier, R, Action.RECEIVE)
            dossiers.append(dossier)
        # the portal goes down for a window while the dossiers are forwarded
        set_faults(portal, **FAULTS, down_for_seconds=DOWN_SECONDS)
        for number, dossier in enumerate(dossiers):
            act(office, dossier, R, Action.FORWARD)
            if number == DOSSIERS // 2:
                # the worker is SIGKILLed mid-run (wait until it is at work) and a new one started
                wait_until(lambda: OutboxRow.objects.filter(state=OutboxState.SENDING).exists(), seconds=20, every=0.05)
                killed_with_rows_held = OutboxRow.objects.filter(state=OutboxState.SENDING).count()
                worker.kill()
                worker = Worker(worker_environment(portal), tmp_path / "worker-2.log")
        # then forwarded to the leader and approved
        for dossier in dossiers:
            act(office, dossier, S, Action.FORWARD)
            act(office, dossier, L, Action.APPROVE)
        written = time.monotonic() - started

        # and the sweeper (beat's job, called here every second) finds whatever tasks missed
        done = wait_until(lambda: undelivered() == 0, seconds=DEADLINE_SECONDS, every=1, tick=outbox_sweep_task)
    finally:
        worker.stop()
    duration = time.monotonic() - started

    # then every row is delivered (or superseded by a newer record of its dossier), none failed
    states = Counter(OutboxRow.objects.values_list("state", flat=True))
    assert done, f"not delivered within {DEADLINE_SECONDS} s: {dict(states)}"
    assert set(states) == {OutboxState.DELIVERED, OutboxState.SUPERSEDED}

    # each delivered record is held once at the receiver, offered perhaps more than once, and nothing else is
    set_faults(portal, error_rate=0)  # the read API and reconciliation are not part of the drill's faults
    items = received(portal)
    keys = Counter(item["key"] for item in items)
    rows = dict(OutboxRow.objects.values_list("idempotency_key", "state"))
    delivered = {key for key, state in rows.items() if state == OutboxState.DELIVERED}
    assert [key for key, count in keys.items() if count > 1] == []
    assert delivered - set(keys) == set()
    # a record sent by the killed worker and then superseded unrecorded is held too: it is ours, and in order
    assert {rows.get(key) for key in set(keys) - delivered} <= {OutboxState.SUPERSEDED}

    # in order per dossier and target: the sequences arrive increasing
    assert out_of_order(items) == []
    progress = Counter(item["payload"]["TrangThai"] for item in items if item["target"] == "tiendo")
    assert progress == {1: DOSSIERS, 2: DOSSIERS, 4: 3 * DOSSIERS}

    # and reconciliation finds no difference
    today = timezone.localdate()  # and yesterday: a run may cross midnight in Vietnam
    report = reconcile(date_from=today - dt.timedelta(days=1), date_to=today)
    assert (report.ours, report.missing, report.extra, report.differing) == (DOSSIERS, [], [], {})

    attempts = Counter(DeliveryAttempt.objects.values_list("outcome", flat=True))
    replays = sum(1 for item in items if item["times_offered"] > 1)
    with capsys.disabled():
        print(  # noqa: T201 - the drill's summary, asked for in the test output
            f"\nfault drill ({connection.vendor}): {DOSSIERS} dossiers, {sum(states.values())} rows "
            f"({states[OutboxState.DELIVERED]} delivered, {states[OutboxState.SUPERSEDED]} superseded), "
            f"{sum(attempts.values())} attempts ({attempts[AttemptOutcome.RETRY]} retries), "
            f"{killed_with_rows_held} rows held by the killed worker, {replays} records offered more than once; "
            f"changes written in {written:.0f} s, all delivered after {duration:.0f} s"
        )
