import datetime as dt
import socket
import time

import pytest
import requests
import time_machine
from kombu.exceptions import OperationalError

from accounts.constants import Role
from common.tasks import publisher_reset
from dossiers.constants import PaymentStatus
from dossiers.events import UseCase, _OncePerCommit
from dossiers.models import DossierEvent, Payment
from dvctt.celery import app as celery_app
from emc_sync import delivery
from emc_sync.constants import OutboxState, Target
from emc_sync.delivery import backoff_seconds, outbox_drain
from emc_sync.models import DeliveryAttempt, OutboxRow
from emc_sync.services import _kick_delivery, delivery_kick
from emc_sync.tasks import outbox_sweep_task
from tests.factories import FeeFactory
from workflows.constants import Action
from workflows.exceptions import ActionNotAllowed

from .conftest import ADD, EMC, OK, PROGRESS, UPDATE, act, at, body, calls_to, submit

R = Role.RECEPTION_OFFICER
HOSO, TIENDO = Target.DVCQG_HOSO, Target.DVCQG_TIENDO


def rows(**filters):
    return list(OutboxRow.objects.filter(**filters).order_by("id").values_list("idempotency_key", "state", "attempts"))


def answer_all(portal):
    for url in (ADD, UPDATE, PROGRESS, EMC):
        portal.post(url, json=OK)


def test_backoff_is_capped_exponential_with_full_jitter(settings):
    settings.SYNC_BACKOFF_BASE_SECONDS, settings.SYNC_BACKOFF_CAP_SECONDS = 2.0, 600.0

    ceilings = [backoff_seconds(n, rand=lambda: 1.0) for n in range(1, 12)]

    assert ceilings == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]
    assert backoff_seconds(3, rand=lambda: 0.25) == 2.0
    assert backoff_seconds(7, rand=lambda: 0.0) == 0.0


def test_a_submission_writes_one_row_per_target(office):
    # when a dossier is submitted
    dossier = submit(office)

    # then its transaction wrote the dossier record, the progress record and the EMC event
    assert list(OutboxRow.objects.order_by("id").values_list("target", "sequence", "idempotency_key", "state")) == [
        (HOSO, 1, f"dvcqg_hoso:{dossier.code}:1", "pending"),
        (TIENDO, 1, f"dvcqg_tiendo:{dossier.code}:1", "pending"),
        (Target.EMC, 1, f"emc:{dossier.code}:1", "pending"),
    ]


def test_a_refused_action_writes_no_outbox_row(office):
    # given a new dossier and its rows
    dossier = submit(office)
    before = rows()

    # when a specialist tries to receive it (not their step)
    with pytest.raises(ActionNotAllowed):
        act(office, dossier, Role.SPECIALIST, Action.RECEIVE)

    # then the outbox is unchanged
    assert rows() == before


def test_one_delivery_task_is_asked_for_per_commit(office, sync, django_capture_on_commit_callbacks):
    # when one transaction writes three rows
    with django_capture_on_commit_callbacks() as callbacks:
        submit(office)

    # then one delivery task is asked for, after commit
    assert OutboxRow.objects.count() == 3
    assert [c.handler for c in callbacks if isinstance(c, _OncePerCommit)] == [delivery_kick]


def test_rows_are_delivered_after_commit(office, portal, django_capture_on_commit_callbacks):
    # given a portal that accepts everything
    answer_all(portal)

    # when a dossier is submitted and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit(office)

    # then every row is delivered, the dossier record first (progress waits for it), one token fetched
    assert rows(state="delivered") == [
        (f"dvcqg_hoso:{dossier.code}:1", "delivered", 1),
        (f"dvcqg_tiendo:{dossier.code}:1", "delivered", 1),
        (f"emc:{dossier.code}:1", "delivered", 1),
    ]
    add, progress, emc = calls_to(portal, ADD)[0], calls_to(portal, PROGRESS)[0], calls_to(portal, EMC)[0]
    assert add.request.headers["Idempotency-Key"] == f"dvcqg_hoso:{dossier.code}:1"
    assert add.request.headers["Authorization"] == "Bearer tok"
    assert [r["MaHoSo"] for r in body(add)] == [dossier.code]
    assert [r["TrangThai"] for r in body(progress)] == [1]
    assert body(emc)["Status"] == 0
    assert len(calls_to(portal, "http://portal.test/oauth/token")) == 1


@time_machine.travel(at(23, 9), tick=False)
def test_a_5xx_answer_is_retried_later_with_backoff(office, portal, monkeypatch):
    # given an EMC that is down, and jitter that picks the middle of the window
    dossier = submit(office)
    OutboxRow.objects.exclude(target=Target.EMC).update(state=OutboxState.DELIVERED)
    portal.post(EMC, status=503, body="Service Unavailable")
    monkeypatch.setattr(delivery.random, "random", lambda: 0.5)

    # when the outbox is drained
    result = outbox_drain()

    # then the row waits 1 s (half of 2 s) and the answer is kept, with one attempt logged
    row = OutboxRow.objects.get(target=Target.EMC)
    assert (result.claimed, result.retried, result.delivered) == (1, 1, 0)
    assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 1, at(23, 9) + dt.timedelta(seconds=1))
    assert (row.last_status_code, row.last_response) == (503, "Service Unavailable")
    assert list(DeliveryAttempt.objects.values_list("row__idempotency_key", "outcome", "status_code")) == [
        (f"emc:{dossier.code}:1", "retry", 503)
    ]


def test_a_timeout_is_retried(office, portal):
    # given a national portal that does not answer in time
    submit(office)
    portal.post(ADD, body=requests.exceptions.ReadTimeout("read timed out"))
    portal.post(EMC, json=OK)

    # when drained
    outbox_drain()

    # then the dossier record waits for another try, with the error kept
    row = OutboxRow.objects.get(target=HOSO)
    assert (row.state, row.attempts, row.last_status_code) == ("pending", 1, None)
    assert row.last_error == "ReadTimeout: read timed out"


def test_a_4xx_answer_is_terminal_and_holds_back_later_rows_of_the_dossier(office, portal):
    # given an EMC that refuses the dossier's first event
    dossier = submit(office)
    OutboxRow.objects.exclude(target=Target.EMC).update(state=OutboxState.DELIVERED)
    portal.post(EMC, status=400, body='{"error_code": "1", "message": "Sai dữ liệu"}', content_type="application/json")
    outbox_drain()
    act(office, dossier, R, Action.RECEIVE)
    OutboxRow.objects.exclude(target=Target.EMC).update(state=OutboxState.DELIVERED)

    # when drained again
    outbox_drain()

    # then the first is failed with the answer kept, the second was never offered
    assert rows(target=Target.EMC) == [(f"emc:{dossier.code}:1", "failed", 1), (f"emc:{dossier.code}:2", "pending", 0)]
    failed = OutboxRow.objects.get(idempotency_key=f"emc:{dossier.code}:1")
    assert (failed.last_status_code, failed.last_response) == (400, '{"error_code": "1", "message": "Sai dữ liệu"}')
    assert len(calls_to(portal, EMC)) == 1


def test_a_dossier_the_portal_already_holds_is_updated(office, portal):
    # given a portal that already holds the dossier (filed there, or our earlier answer was lost)
    dossier = submit(office)
    portal.post(ADD, json={"error_code": "2", "message": "Hồ sơ đã tồn tại"})
    portal.post(UPDATE, json=OK)
    portal.post(PROGRESS, json=OK)
    portal.post(EMC, json=OK)

    # when drained
    outbox_drain()

    # then the add was answered "exists" and the same record, same key, went to update
    key = f"dvcqg_hoso:{dossier.code}:1"
    assert rows(target=HOSO) == [(key, "delivered", 1)]
    assert [c.request.headers["Idempotency-Key"] for c in calls_to(portal, ADD) + calls_to(portal, UPDATE)] == [
        key,
        key,
    ]
    assert DeliveryAttempt.objects.get(row__target=HOSO).error == "/dvcqg/hoso/them → 2 → /dvcqg/hoso/capnhat"


def test_a_known_dossier_goes_straight_to_update(office, portal):
    # given a dossier whose first record was delivered
    answer_all(portal)
    dossier = submit(office)
    outbox_drain()
    act(office, dossier, R, Action.RECEIVE)

    # when its next change is drained
    outbox_drain()

    # then the second record went to update
    assert [body(c)[0]["TrangThaiHoSo"] for c in calls_to(portal, ADD)] == [1]
    assert [body(c)[0]["TrangThaiHoSo"] for c in calls_to(portal, UPDATE)] == [2]


def test_unsent_older_records_are_superseded_by_the_newest(office, portal):
    # given three changes before anything was sent
    answer_all(portal)
    dossier = submit(office)
    act(office, dossier, R, Action.RECEIVE)
    act(office, dossier, R, Action.FORWARD)

    # when drained
    result = outbox_drain()

    # then only the newest record (processing, status 4) went, the older two are superseded
    assert result.superseded == 2
    assert rows(target=HOSO) == [
        (f"dvcqg_hoso:{dossier.code}:1", "superseded", 0),
        (f"dvcqg_hoso:{dossier.code}:2", "superseded", 0),
        (f"dvcqg_hoso:{dossier.code}:3", "delivered", 1),
    ]
    assert [[r["TrangThaiHoSo"] for r in body(c)] for c in calls_to(portal, ADD)] == [[4]]


def test_a_later_row_never_goes_before_an_earlier_one_of_the_same_dossier(office, portal):
    # given EMC events 1 and 2 of a dossier, the first waiting for its retry time
    answer_all(portal)
    with time_machine.travel(at(23, 9), tick=False):
        dossier = submit(office)
        act(office, dossier, R, Action.RECEIVE)
        OutboxRow.objects.exclude(target=Target.EMC).update(state=OutboxState.DELIVERED)
        OutboxRow.objects.filter(idempotency_key=f"emc:{dossier.code}:1").update(
            next_attempt_at=at(23, 9, 5), attempts=1
        )

        # when drained before the first is due
        first = outbox_drain()

    # then nothing went; once the first is due, both go, in order
    assert first.claimed == 0
    assert calls_to(portal, EMC) == []
    with time_machine.travel(at(23, 9, 6), tick=False):
        outbox_drain()
    assert [body(c)["Status"] for c in calls_to(portal, EMC)] == [0, 1]


def test_progress_records_go_in_batches_of_at_most_ten(office, portal):
    # given 23 dossiers the portal holds, each with a progress record to send
    answer_all(portal)
    dossiers = [submit(office) for _ in range(23)]
    OutboxRow.objects.exclude(target=TIENDO).update(state=OutboxState.DELIVERED)

    # when drained
    outbox_drain()

    # then three requests of 10, 10 and 3, each key in the order of its record (the requests
    # go in parallel, so in any order among themselves: sorted by their first record)
    batches = sorted(calls_to(portal, PROGRESS), key=lambda c: body(c)[0]["MaHoSo"])
    assert [len(body(c)) for c in batches] == [10, 10, 3]
    assert [r["MaHoSo"] for c in batches for r in body(c)] == [d.code for d in dossiers]
    assert batches[0].request.headers["Idempotency-Key"] == ",".join(f"dvcqg_tiendo:{d.code}:1" for d in dossiers[:10])
    assert OutboxRow.objects.filter(target=TIENDO, state="delivered").count() == 23


def test_progress_waits_until_the_portal_holds_the_dossier(office, portal):
    # given a national portal that fails the dossier record
    submit(office)
    portal.post(ADD, status=502)
    portal.post(PROGRESS, json=OK)
    portal.post(EMC, json=OK)

    # when drained twice
    outbox_drain()
    outbox_drain()

    # then the progress record was never offered
    assert calls_to(portal, PROGRESS) == []
    assert OutboxRow.objects.get(target=TIENDO).state == "pending"


def test_a_payload_our_schema_refuses_is_failed_and_never_sent(office, portal):
    # given a progress record broken by a bug (a status the national portal does not know)
    submit(office)
    OutboxRow.objects.exclude(target=TIENDO).update(state=OutboxState.DELIVERED)
    row = OutboxRow.objects.get(target=TIENDO)
    row.payload = {**row.payload, "TrangThai": 11}
    row.save(update_fields=["payload"])

    # when drained
    outbox_drain()

    # then it is failed with the schema's words, and nothing went out
    row.refresh_from_db()
    assert (row.state, row.last_error) == ("failed", "TrangThai: 11 is greater than the maximum of 10")
    assert calls_to(portal, PROGRESS) == []
    assert DeliveryAttempt.objects.get().outcome == "invalid"


def test_an_emc_event_carries_the_payment_attached_later_in_the_submitting_use_case(office, portal):
    # given a submission whose fee payment is attached after the event, in the same use case
    # (draft_submit attaches a draft's payment after dossier_submit)
    portal.post(EMC, json=OK)
    FeeFactory(procedure=office["procedure"], amount=50_000)
    with UseCase():
        dossier = submit(office)
        Payment.objects.create(
            ref="P1", dossier=dossier, payer=office["people"][Role.CITIZEN], amount=50_000, status=PaymentStatus.PAID
        )
    written = OutboxRow.objects.get(target=Target.EMC).payload
    OutboxRow.objects.exclude(target=Target.EMC).update(state=OutboxState.DELIVERED)

    # when drained
    outbox_drain()

    # then EMC hears "paid online" (1), written so with the change and sent as written
    row = OutboxRow.objects.get(target=Target.EMC)
    assert (written["FormsPayments"], row.payload, row.state) == (1, written, "delivered")
    assert [body(c)["FormsPayments"] for c in calls_to(portal, EMC)] == [1]


def test_the_sweeper_delivers_rows_whose_task_was_lost(office, portal, sync):
    # given rows written while no delivery task could be asked for (broker down)
    answer_all(portal)
    sync.SYNC_DELIVERY_ENABLED = False
    dossier = submit(office)
    sync.SYNC_DELIVERY_ENABLED = True

    # when beat runs the sweeper
    asked = outbox_sweep_task()

    # then it asked for a delivery task, which delivered everything
    assert asked == 1
    assert [state for _key, state, _n in rows()] == ["delivered"] * 3
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1


def test_a_row_held_past_its_lease_is_taken_back(office, portal):
    # given an EMC row claimed by a worker that died (lease expired)
    answer_all(portal)
    with time_machine.travel(at(23, 9), tick=False):
        submit(office)
        OutboxRow.objects.exclude(target=Target.EMC).update(state=OutboxState.DELIVERED)
        OutboxRow.objects.filter(target=Target.EMC).update(
            state=OutboxState.SENDING, lease_expires_at=at(23, 9, 5), claim_token="dead"
        )
        # when drained while the lease still runs, then after it expired
        during = outbox_drain()
    with time_machine.travel(at(23, 9, 6), tick=False):
        after = outbox_drain()

    # then only the second drain took it, and delivered it
    assert (during.claimed, after.claimed, after.delivered) == (0, 1, 1)


def test_the_sweeper_fans_out_once_per_drain_window(office, sync):
    # given three due rows, one row per task, and tasks whose drain budget is already spent
    sync.SYNC_DELIVERY_ENABLED = False
    submit(office)
    sync.SYNC_DELIVERY_ENABLED = True
    sync.SYNC_SWEEP_FANOUT, sync.SYNC_DRAIN_BATCH, sync.SYNC_DRAIN_SECONDS = 4, 1, 0

    # when beat runs the sweeper twice within one drain window
    first, second = outbox_sweep_task(), outbox_sweep_task()

    # then the first asked for three tasks, the second for none (they would pile up in the broker)
    assert (first, second) == (3, 0)
    assert [state for _key, state, _n in rows()] == ["pending"] * 3


def test_with_the_broker_down_the_request_for_delivery_fails_at_once(office, sync):
    # given rows written, and a broker that refuses connections (a port nobody listens on)
    submit(office)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    conf = celery_app.conf
    saved = conf.CELERY_TASK_ALWAYS_EAGER, conf.CELERY_BROKER_URL
    conf.CELERY_TASK_ALWAYS_EAGER, conf.CELERY_BROKER_URL = False, f"redis://127.0.0.1:{dead}/0"
    publisher_reset()
    try:
        # when the after-commit request for a delivery task runs
        started = time.monotonic()
        with pytest.raises(OperationalError):
            _kick_delivery()
        took = time.monotonic() - started
    finally:
        conf.CELERY_TASK_ALWAYS_EAGER, conf.CELERY_BROKER_URL = saved
        publisher_reset()

    # then it gives up at once (Django runs it with robust=True: logged, the commit stands),
    # and the rows wait for the sweeper
    assert took < 1
    assert [state for _key, state, _n in rows()] == ["pending"] * 3


def test_a_claim_reads_past_rows_waiting_behind_a_failed_one(office, sync, monkeypatch):
    # given dossier A whose first records failed (4xx, kept for an admin), so its later ones wait,
    a = submit(office)
    act(office, a, R, Action.RECEIVE)
    act(office, a, R, Action.FORWARD, to_step="tham_dinh")
    OutboxRow.objects.filter(dossier=a, sequence=1).update(state=OutboxState.FAILED)
    waiting = OutboxRow.objects.filter(dossier=a, state=OutboxState.PENDING).count()
    # and dossier B, filed later, whose rows could go now
    b = submit(office)

    # when a worker claims one row: a window is 3 rows, A's waiting rows fill more than one
    assert waiting > 3
    _token, claimed, _superseded = delivery.outbox_claim(max_rows=1)

    # then it read on and took one of B's rows
    assert [row.dossier_id for row in claimed] == [b.pk]


def test_with_a_single_window_the_same_claim_would_take_nothing(office, sync, monkeypatch):
    # the check above fails without reading on (the stall the fault drill found)
    monkeypatch.setattr(delivery, "CLAIM_WINDOWS", 1)
    a = submit(office)
    act(office, a, R, Action.RECEIVE)
    act(office, a, R, Action.FORWARD, to_step="tham_dinh")
    OutboxRow.objects.filter(dossier=a, sequence=1).update(state=OutboxState.FAILED)
    submit(office)

    _token, claimed, _superseded = delivery.outbox_claim(max_rows=1)

    assert claimed == []


@time_machine.travel(at(23, 9), tick=False)
def test_the_dossier_is_marked_synced_once_the_portal_accepts_its_record(office, portal):
    # given a portal that refuses the dossier record at first, then accepts it
    submit_at = at(23, 9)
    portal.post(ADD, status=503)
    for url in (PROGRESS, EMC):
        portal.post(url, json=OK)
    dossier = submit(office)

    # when a drain meets the refusal, then (later) the acceptance
    outbox_drain()
    dossier.refresh_from_db()
    refused_then = dossier.national_synced_at
    portal.replace("POST", ADD, json=OK)
    with time_machine.travel(at(23, 11), tick=False):
        outbox_drain()
    dossier.refresh_from_db()

    # then indicator 1.4 sees it synced from the accepted delivery on, and only then
    assert refused_then is None
    assert dossier.national_synced_at == at(23, 11)
    assert submit_at < dossier.national_synced_at
