import datetime as dt
import functools
import json
import threading
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from django.db import close_old_connections, connection
from responses import matchers

from accounts.constants import Role
from dossiers.constants import PaymentStatus
from dossiers.models import DossierDraft, Payment, PaymentNotification
from dossiers.payments import handlers as payment_handlers
from dossiers.payments.exceptions import AlreadyPaid, NoFeeDue, PaymentNotAllowed
from dossiers.payments.selectors import payment_state_for_draft
from dossiers.payments.services import (
    payment_attach_to_dossier,
    payment_check_with_platform,
    payment_confirm,
    payment_notify,
    payment_start,
)
from dossiers.payments.tasks import payments_check_pending
from tests.dossiers.payments.conftest import QUERY_URL, VN, at, sign
from tests.factories import DossierFactory, FeeFactory, UserFactory

KEYS = ("merchant", "ref", "transaction_id", "amount", "status", "paid_at")

EAGER = SimpleNamespace(conf=SimpleNamespace(task_always_eager=True))  # a fake task's app: run at once


# Starting.


def test_start_records_a_pending_payment_and_signs_the_redirect(draft, citizen):
    # given
    with at(2026, 11, 23, 9):
        # when
        payment, url = payment_start(draft=draft, payer=citizen)

    # then
    parts = urlsplit(url)
    fields = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://platform.test/thanhtoan/thanh-toan"
    assert fields == {
        "merchant": "dvctt",
        "ref": payment.ref,
        "amount": "110000",
        "info": f"Nộp phí, lệ phí thủ tục 1.000001: {draft.procedure.name}",
        "return_url": "http://127.0.0.1:8000/thanh-toan/ket-qua/",
        "notify_url": "http://127.0.0.1:8000/thanh-toan/thong-bao/",
        "ts": "20261123090000",
        "sig": sign(
            "dvctt",
            payment.ref,
            "110000",
            "http://127.0.0.1:8000/thanh-toan/ket-qua/",
            "http://127.0.0.1:8000/thanh-toan/thong-bao/",
            "20261123090000",
        ),
    }
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert payment.amount == 110_000
    assert payment.payer == citizen
    assert payment.items == [
        {"name": "Lệ phí cấp giấy", "amount": 100_000, "discount_percent": 20, "quantity": 1, "due": 80_000},
        {"name": "Phí thẩm định", "amount": 30_000, "discount_percent": 0, "quantity": 1, "due": 30_000},
    ]
    assert payment.ref.startswith("DVC261123")
    assert len(payment.ref) == 21


def test_starting_again_reuses_the_pending_payment(draft, citizen):
    # given
    first, _url = payment_start(draft=draft, payer=citizen)

    # when
    again, _url = payment_start(draft=draft, payer=citizen)

    # then
    assert again.pk == first.pk
    assert Payment.objects.count() == 1


def test_a_changed_fee_starts_a_new_payment(draft, citizen):
    # given a pending payment, then the catalogue fee changes
    first, _url = payment_start(draft=draft, payer=citizen)
    draft.procedure.fees.filter(name="Phí thẩm định").update(amount=40_000)

    # when
    second, _url = payment_start(draft=draft, payer=citizen)

    # then
    assert second.pk != first.pk
    assert (second.amount, first.amount) == (120_000, 110_000)


def test_nothing_to_pay_when_the_procedure_is_free(office, citizen):
    # given a procedure without fees
    free = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])

    # when / then
    with pytest.raises(NoFeeDue):
        payment_start(draft=free, payer=citizen)
    assert Payment.objects.count() == 0
    assert payment_state_for_draft(draft=free).paid is True


def test_a_fully_discounted_fee_is_nothing_to_pay(office, citizen):
    # given
    FeeFactory(procedure=office["procedure"], amount=50_000, online_discount_percent=100)
    free_online = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])

    # when / then
    with pytest.raises(NoFeeDue):
        payment_start(draft=free_online, payer=citizen)
    assert Payment.objects.count() == 0


def test_only_the_owner_pays_for_a_draft(draft):
    # given
    stranger = UserFactory()

    # when / then
    with pytest.raises(PaymentNotAllowed):
        payment_start(draft=draft, payer=stranger)
    assert Payment.objects.count() == 0


def test_a_paid_draft_is_not_paid_twice(draft, citizen):
    # given
    payment, _url = payment_start(draft=draft, payer=citizen)
    payment_confirm(payment_id=payment.pk, status=PaymentStatus.PAID, transaction_id="GD1")

    # when / then
    with pytest.raises(AlreadyPaid):
        payment_start(draft=draft, payer=citizen)
    assert Payment.objects.count() == 1


# Confirming.


def test_confirm_applies_once(draft, citizen, django_capture_on_commit_callbacks):
    # given
    payment, _url = payment_start(draft=draft, payer=citizen)
    paid_at = dt.datetime(2026, 11, 23, 9, 5, tzinfo=VN)

    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _first, changed = payment_confirm(
            payment_id=payment.pk, status=PaymentStatus.PAID, transaction_id="GD1", paid_at=paid_at
        )
        _again, changed_again = payment_confirm(
            payment_id=payment.pk, status=PaymentStatus.PAID, transaction_id="GD1", paid_at=paid_at + dt.timedelta(1)
        )
        _late_cancel, cancel_changed = payment_confirm(payment_id=payment.pk, status=PaymentStatus.CANCELLED)

    # then
    payment.refresh_from_db()
    assert (changed, changed_again, cancel_changed) == (True, False, False)
    assert (payment.status, payment.transaction_id, payment.paid_at) == (PaymentStatus.PAID, "GD1", paid_at)
    receipts = [c for c in callbacks if isinstance(c, functools.partial) and payment_handlers.issue_receipt in c.args]
    assert len(receipts) == 1  # one receipt enqueued


# Asking the platform; the scheduled check.


def query_answer(payment, status, *, transaction_id="", amount=None, paid_at=""):
    return {
        "ref": payment.ref,
        "status": status,
        "transaction_id": transaction_id,
        "amount": payment.amount if amount is None else amount,
        "paid_at": paid_at,
    }


def query_matcher(payment, ts):
    return matchers.query_param_matcher(
        {"merchant": "dvctt", "ref": payment.ref, "ts": ts, "sig": sign("dvctt", payment.ref, ts)}
    )


@responses.activate
def test_the_pending_check_applies_paid_and_cancelled_and_leaves_the_rest(draft, citizen, office):
    # given three pending payments started at 09:00, and one started at 09:50
    other_draft = DossierDraft.objects.create(owner=citizen, procedure=draft.procedure)
    third_draft = DossierDraft.objects.create(owner=citizen, procedure=draft.procedure)
    young_draft = DossierDraft.objects.create(owner=citizen, procedure=draft.procedure)
    with at(2026, 11, 23, 9):
        paid, _url = payment_start(draft=draft, payer=citizen)
        cancelled, _url = payment_start(draft=other_draft, payer=citizen)
        silent, _url = payment_start(draft=third_draft, payer=citizen)
    with at(2026, 11, 23, 9, 50):
        young, _url = payment_start(draft=young_draft, payer=citizen)
    ts = "20261123100000"
    responses.get(
        QUERY_URL,
        json=query_answer(paid, "paid", transaction_id="GD777", paid_at="20261123090312"),
        match=[query_matcher(paid, ts)],
    )
    responses.get(QUERY_URL, json=query_answer(cancelled, "cancelled"), match=[query_matcher(cancelled, ts)])
    responses.get(QUERY_URL, json=query_answer(silent, "pending"), match=[query_matcher(silent, ts)])
    responses.get(QUERY_URL, json=query_answer(silent, "pending"), match=[query_matcher(silent, "20261123101500")])
    responses.get(QUERY_URL, json=query_answer(young, "pending"), match=[query_matcher(young, "20261123101500")])

    # when the check runs at 10:00, again at 10:04, and at 10:15
    with at(2026, 11, 23, 10):
        counts = payments_check_pending.apply().get()
    with at(2026, 11, 23, 10, 4):
        soon_after = payments_check_pending.apply().get()
    with at(2026, 11, 23, 10, 15):
        later = payments_check_pending.apply().get()

    # then
    assert counts == {"paid": 1, "cancelled": 1, "pending": 1}
    assert soon_after == {}  # asked 4 minutes ago; the young one is 14 minutes old
    assert later == {"pending": 2}  # 15 minutes on: the one still pending, and the young one, now 25 minutes old
    states = {p.ref: (p.status, p.transaction_id, p.paid_at) for p in Payment.objects.all()}
    assert states == {
        paid.ref: (PaymentStatus.PAID, "GD777", dt.datetime(2026, 11, 23, 9, 3, 12, tzinfo=VN)),
        cancelled.ref: (PaymentStatus.CANCELLED, "", None),
        silent.ref: (PaymentStatus.PENDING, "", None),
        young.ref: (PaymentStatus.PENDING, "", None),
    }
    assert len(responses.calls) == 5
    assert PaymentNotification.objects.filter(channel="query", accepted=True).count() == 5


@responses.activate
def test_the_pending_check_leaves_payments_older_than_two_days(draft, citizen):
    # given
    with at(2026, 11, 20, 9):
        payment_start(draft=draft, payer=citizen)

    # when
    with at(2026, 11, 23, 10):
        counts = payments_check_pending.apply().get()

    # then
    assert counts == {}
    assert len(responses.calls) == 0


@responses.activate
def test_a_platform_answer_with_another_amount_is_refused(draft, citizen):
    # given
    with at(2026, 11, 23, 9):
        payment, _url = payment_start(draft=draft, payer=citizen)
    responses.get(QUERY_URL, json=query_answer(payment, "paid", transaction_id="GD9", amount=1_000))

    # when
    with at(2026, 11, 23, 10):
        result = payment_check_with_platform(payment_id=payment.pk)

    # then
    assert (result.status, result.transaction_id, result.paid_at) == (PaymentStatus.PENDING, "", None)
    log = PaymentNotification.objects.get()
    assert (log.channel, log.accepted, log.payment) == ("query", False, payment)
    assert log.verdict == "Số tiền 1000 khác số tiền phải nộp 110000: từ chối."
    assert result.checked_at == dt.datetime(2026, 11, 23, 10, tzinfo=VN)


@responses.activate
def test_a_platform_that_cannot_be_reached_changes_nothing(draft, citizen):
    # given
    payment, _url = payment_start(draft=draft, payer=citizen)
    responses.get(QUERY_URL, body=requests.ConnectionError("refused"))

    # when
    result = payment_check_with_platform(payment_id=payment.pk)

    # then
    assert result.status == PaymentStatus.PENDING
    log = PaymentNotification.objects.get()
    assert (log.accepted, log.verdict) == (False, "Không tra cứu được cổng thanh toán: ConnectionError.")


# Handing payments to the dossier.


def test_paid_payments_follow_the_draft_to_its_dossier(draft, citizen, office):
    # given one paid and one cancelled payment on the draft
    paid, _url = payment_start(draft=draft, payer=citizen)
    payment_confirm(payment_id=paid.pk, status=PaymentStatus.PAID, transaction_id="GD1")
    Payment.objects.create(ref="DVC-HUY", draft=draft, payer=citizen, amount=1, status=PaymentStatus.CANCELLED)
    dossier = DossierFactory(procedure=draft.procedure, agency=office["agency"], applicant=citizen)

    # when
    moved = payment_attach_to_dossier(draft=draft, dossier=dossier)
    moved_again = payment_attach_to_dossier(draft=draft, dossier=dossier)

    # then
    assert (moved, moved_again) == (1, 0)
    assert list(dossier.payments.values_list("ref", flat=True)) == [paid.ref]


def test_a_payment_confirmed_after_submission_joins_the_dossier(draft, citizen, office):
    # given the draft was submitted while its payment was pending
    payment, _url = payment_start(draft=draft, payer=citizen)
    dossier = DossierFactory(procedure=draft.procedure, agency=office["agency"], applicant=citizen)
    DossierDraft.objects.filter(pk=draft.pk).update(dossier=dossier)

    # when
    payment_confirm(payment_id=payment.pk, status=PaymentStatus.PAID, transaction_id="GD1")

    # then
    payment.refresh_from_db()
    assert payment.dossier == dossier


# Two at once (PostgreSQL: row locks).


def run_together(*calls):
    """Run the calls in threads released at the same moment; returns their results (or exceptions)."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[index] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_the_same_notification_twice_at_once_is_applied_once(office, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE) need PostgreSQL")
    # given a pending payment, and receipts counted instead of rendered
    citizen = office["people"][Role.CITIZEN]
    FeeFactory(procedure=office["procedure"], amount=50_000)
    draft = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])
    payment, _url = payment_start(draft=draft, payer=citizen)
    enqueued: list[int] = []
    fake = SimpleNamespace(name="receipt", app=EAGER, apply_async=lambda args, **options: enqueued.extend(args))
    monkeypatch.setattr(payment_handlers, "payment_receipt_task", fake)
    fields = ("dvctt", payment.ref, "GD1", "50000", "paid", "20261123090312")
    body = json.dumps(dict(zip(KEYS, fields, strict=True)) | {"sig": sign(*fields)}).encode()

    # when
    verdicts = run_together(lambda: payment_notify(body=body), lambda: payment_notify(body=body))

    # then
    assert sorted(v.message for v in verdicts) == [
        "Không thay đổi (đã ở trạng thái paid).",
        "Đã ghi nhận: pending → paid.",
    ]
    assert enqueued == [payment.pk]
    payment.refresh_from_db()
    assert (payment.status, payment.transaction_id) == (PaymentStatus.PAID, "GD1")


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_pay_starts_one_payment(office):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE) need PostgreSQL")
    # given
    citizen = office["people"][Role.CITIZEN]
    FeeFactory(procedure=office["procedure"], amount=50_000)
    draft = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])

    # when
    results = run_together(
        lambda: payment_start(draft=draft, payer=citizen), lambda: payment_start(draft=draft, payer=citizen)
    )

    # then
    assert results[0][0].pk == results[1][0].pk
    assert Payment.objects.count() == 1
