"""Our sending side against the stand-in portal running as its own process, over a real socket.

The stand-in was written from DOMAIN.md without our mapper or schemas: what it accepts here is
the contract check that mocking with `responses` cannot give.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.cache import cache
from django.utils import timezone

from accounts.constants import Role
from dossiers.constants import Channel
from dossiers.models import Dossier
from emc_sync.constants import OutboxState
from emc_sync.delivery import outbox_drain
from emc_sync.inbound import inbound_poll
from emc_sync.models import OutboxRow
from emc_sync.reconciliation import reconcile
from workflows.constants import Action

from .conftest import act, submit

ROOT = Path(__file__).resolve().parents[2]
R, S, L, C = Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory):
    """`manage.py run_mock_portal` on a free port, with its own throwaway SQLite database."""
    database = tmp_path_factory.mktemp("stand-in") / "stand_in.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "dvctt.settings.test",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=180)
    port = _free_port()
    process = subprocess.Popen(
        [*manage, "run_mock_portal", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{url}/control/faults", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def live(stand_in, settings):
    settings.SYNC_DELIVERY_ENABLED = False  # this test drains by hand
    settings.NATIONAL_PORTAL_URL = stand_in
    settings.NATIONAL_PORTAL_TOKEN_URL = f"{stand_in}/oauth/token"
    settings.EMC_URL = f"{stand_in}/emc"
    requests.post(f"{stand_in}/control/reset", timeout=5)
    requests.post(f"{stand_in}/control/faults", json={"error_rate": 0}, timeout=5)
    cache.clear()
    yield stand_in
    cache.clear()


def drain_all():
    for _ in range(50):
        if outbox_drain().claimed == 0:
            return


def test_the_stand_in_accepts_every_record_of_a_dossier_once_and_in_order(office, live):
    # given two dossiers: one taken to its returned result, one walk-in refused
    dossier = submit(office)
    drain_all()  # the portal holds it: the next records go to update
    for role, action in ((R, Action.RECEIVE), (R, Action.FORWARD), (S, Action.FORWARD), (L, Action.APPROVE)):
        act(office, dossier, role, action)
        drain_all()
    act(office, dossier, C, Action.NUMBER_DISPATCH)
    act(office, dossier, R, Action.RETURN_RESULT)  # two changes before the next drain: one supersedes

    # when everything is drained
    drain_all()

    # then nothing is left, nothing failed, and the stand-in holds each record once, in order
    states = dict(OutboxRow.objects.values_list("idempotency_key", "state"))
    assert sorted(set(states.values())) == [OutboxState.DELIVERED, OutboxState.SUPERSEDED]
    received = requests.get(f"{live}/control/received", params={"ma_ho_so": dossier.code}, timeout=5).json()["items"]
    delivered = {key for key, state in states.items() if state == OutboxState.DELIVERED}
    assert sorted(item["key"] for item in received) == sorted(delivered)
    assert {item["times_offered"] for item in received} == {1}
    progress = [item["payload"]["TrangThai"] for item in received if item["target"] == "tiendo"]
    assert progress == [1, 2, 4, 4, 4, 9, 10]
    emc = [item["payload"]["Status"] for item in received if item["target"] == "emc"]
    assert emc == [0, 1, 4, 4, 4, 2, 3]

    # and reconciliation finds no difference
    day = timezone.localdate(dossier.submitted_at)
    report = reconcile(date_from=day, date_to=day)
    assert (report.missing, report.extra, report.differing) == ([], [], {})


def test_a_dossier_filed_on_the_stand_in_reaches_our_reception_queue_once(office, live):
    # given a citizen files a dossier for our procedure on the (stand-in) national portal
    filed = requests.post(
        f"{live}/control/inbound", json={"MaTTHC": "1.000001", "DonViXuLy": "000.00.12.H42"}, timeout=5
    ).json()["item"]

    # when our beat job polls the feed twice
    first, second = inbound_poll(), inbound_poll()

    # then one new dossier, channel national portal, at the agency it was filed with
    dossier = Dossier.objects.get()
    assert (dossier.channel, dossier.status, dossier.agency.code) == (Channel.NATIONAL_PORTAL, 1, "000.00.12.H42")
    assert dossier.events.get().idempotency_key == f"dvcqg:{filed['MaHoSo']}"
    # kept under the national portal's code: every later record goes out under it
    assert dossier.code == filed["MaHoSo"]
    assert (first.created, second.created) == (1, 0)
