"""Broker down at commit time: submissions still succeed, rows wait; when it returns, the sweeper delivers.

Open Forms loses a submission when its broker is down at commit; here the outbox rows are in the
database with the dossier, the request for a delivery task fails softly (logged), and the sweeper
(beat's job, called here) hands them to a real worker once the broker is back.
"""

import logging
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

import pytest

from accounts.constants import Role
from common.tasks import publisher_reset
from dossiers.models import Dossier
from dvctt.celery import app as celery_app
from emc_sync.constants import OutboxState
from emc_sync.models import DeliveryAttempt, OutboxRow
from emc_sync.tasks import outbox_sweep_task
from tests.mock_portal.live import running_stand_in
from tests.stores import clear_caches
from workflows.constants import Action

from .conftest import act, submit
from .drill_helpers import (
    NEEDS,
    ON_POSTGRES,
    REDIS_URL,
    TcpForward,
    Worker,
    received,
    wait_until,
    worker_environment,
)

pytestmark = [pytest.mark.drill, pytest.mark.skipif(not (ON_POSTGRES and REDIS_URL), reason=NEEDS)]

DOSSIERS = 10


@pytest.fixture
def broker():
    """This process's broker: the test's Redis behind a forwarder that can be stopped and started."""
    real = urlsplit(REDIS_URL)
    forward = TcpForward((real.hostname or "127.0.0.1", real.port or 6379))
    conf = celery_app.conf
    saved = conf.CELERY_BROKER_URL
    conf.CELERY_BROKER_URL = urlunsplit(real._replace(netloc=f"127.0.0.1:{forward.port}"))
    celery_app.close()  # connection pools are made again, for the forwarder's address
    publisher_reset()
    yield forward
    forward.down()
    conf.CELERY_BROKER_URL = saved
    celery_app.close()
    publisher_reset()


@pytest.mark.django_db(transaction=True)
def test_submissions_succeed_with_the_broker_down_and_the_sweeper_delivers_them_when_it_returns(
    office, settings, tmp_path, caplog, broker
):
    # given the stand-in portal, delivery asked for after each commit, and the broker down (not listening)
    with running_stand_in(tmp_path / "stand-in.sqlite3") as portal:
        settings.NATIONAL_PORTAL_URL = portal
        settings.NATIONAL_PORTAL_TOKEN_URL = f"{portal}/oauth/token"
        settings.EMC_URL = f"{portal}/emc"
        settings.SYNC_DELIVERY_ENABLED = True
        clear_caches()
        assert not celery_app.conf.task_always_eager

        # when citizens submit and the reception officer receives
        with caplog.at_level(logging.ERROR, logger="dossiers.events"):
            for _ in range(DOSSIERS):
                dossier = submit(office)
                act(office, dossier, Role.RECEPTION_OFFICER, Action.RECEIVE)
        refused = [
            record for record in caplog.records if "after-commit handler delivery_kick failed" in record.getMessage()
        ]

        # then every submission stands; each commit's request for delivery was refused and logged
        assert Dossier.objects.filter(status=2).count() == DOSSIERS
        assert len(refused) == 2 * DOSSIERS
        assert Counter(OutboxRow.objects.values_list("state", flat=True)) == {OutboxState.PENDING: 6 * DOSSIERS}
        assert DeliveryAttempt.objects.count() == 0

        # when the broker is back (same address), a worker runs and beat's sweeper runs (called here every second)
        broker.up()
        worker = Worker(worker_environment(portal), tmp_path / "worker.log")
        try:
            undelivered = OutboxRow.objects.exclude(state__in=(OutboxState.DELIVERED, OutboxState.SUPERSEDED))
            done = wait_until(lambda: not undelivered.exists(), seconds=60, every=1, tick=outbox_sweep_task)
        finally:
            worker.stop()

        # then everything reached the portal, each record once
        assert done, dict(Counter(OutboxRow.objects.values_list("state", flat=True)))
        delivered = set(OutboxRow.objects.filter(state=OutboxState.DELIVERED).values_list("idempotency_key", flat=True))
        items = received(portal)
        assert sorted(item["key"] for item in items) == sorted(delivered)
        assert Counter(item["target"] for item in items) == {
            "dvcqg": DOSSIERS,  # the two records of a dossier: the older superseded before it was ever sent
            "tiendo": 2 * DOSSIERS,
            "emc": 2 * DOSSIERS,
        }
