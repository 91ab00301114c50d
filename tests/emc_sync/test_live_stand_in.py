"""Our sending side against the stand-in portal running as its own process, over a real socket.

The stand-in was written from DOMAIN.md without our mapper or schemas: what it accepts here is
the contract check that mocking with `responses` cannot give.
"""

import datetime as dt

import requests
from django.utils import timezone

from accounts.constants import Role
from dossiers.constants import Channel
from dossiers.models import Dossier
from emc_sync.constants import OutboxState
from emc_sync.inbound import inbound_poll
from emc_sync.models import OutboxRow
from emc_sync.reconciliation import reconcile
from workflows.constants import Action

from .conftest import act, drain_all, submit

R, S, L, C = Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK


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


def test_reconciliation_under_national_codes_reports_missing_extra_and_differing(office, live):
    # given four dossiers filed by citizens on the (stand-in) national portal, taken in by our poll
    codes = [
        requests.post(f"{live}/control/inbound", json={"MaTTHC": "1.000001"}, timeout=5).json()["item"]["MaHoSo"]
        for _ in range(4)
    ]
    inbound_poll()
    synced, behind, unsent, again = (Dossier.objects.get(code=code) for code in codes)
    assert {d.channel for d in (synced, behind, unsent, again)} == {Channel.NATIONAL_PORTAL}
    # the national portal holds our records of three (the fourth's are still in our outbox)
    OutboxRow.objects.filter(dossier=unsent).update(next_attempt_at=timezone.now() + dt.timedelta(days=1))
    drain_all()
    act(office, synced, R, Action.RECEIVE)
    drain_all()
    act(office, behind, R, Action.RECEIVE)  # received here, the national portal not told yet
    OutboxRow.objects.filter(dossier=behind, state=OutboxState.PENDING).update(
        next_attempt_at=timezone.now() + dt.timedelta(days=1)
    )
    # and the portal holds a dossier under a national code we never took in
    stranger = {**OutboxRow.objects.filter(dossier=again, target="dvcqg_hoso").last().payload, "MaHoSo": "G99.2026.1"}
    token = requests.post(
        f"{live}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "dvctt", "client_secret": "dvctt-secret"},
        timeout=5,
    ).json()["access_token"]
    pushed = requests.post(
        f"{live}/dvcqg/hoso/them", json=[stranger], timeout=5,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "stranger-1"},
    )  # fmt: skip
    assert pushed.json()["error_code"] == "0"

    # when reconciling the day, requeueing what is missing
    day = timezone.localdate(synced.submitted_at)
    report = reconcile(date_from=day, date_to=day, requeue=True)

    # then every finding is under a national code: the unsent one missing (and requeued), the
    # stranger extra, the one received here differing in its status and receipt date
    assert (report.ours, report.theirs) == (4, 4)
    assert (report.missing, report.requeued, report.extra) == ([unsent.code], [unsent.code], ["G99.2026.1"])
    assert list(report.differing) == [behind.code]
    assert report.differing[behind.code]["TrangThaiHoSo"] == (2, 1)

    # when the requeued record and the pending change are delivered
    OutboxRow.objects.update(next_attempt_at=timezone.now())
    drain_all()

    # then only the stranger is left, under its national code
    after = reconcile(date_from=day, date_to=day)
    assert (after.missing, after.extra, after.differing) == ([], ["G99.2026.1"], {})
