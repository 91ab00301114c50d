"""The outbox row written with a change is final: built once the use case is complete (files and
payments attached), in the same transaction, and delivered exactly as written."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from dossiers import events
from dossiers.attachments.services import attachment_add
from dossiers.constants import PaymentStatus
from dossiers.drafts.services import draft_start, draft_submit
from dossiers.events import _OncePerCommit
from dossiers.payments.services import payment_confirm, payment_start
from emc_sync.constants import Target
from emc_sync.models import OutboxRow
from emc_sync.services import delivery_kick
from tests.emc_sync.conftest import ADD, UPDATE, calls_to, submit
from tests.emc_sync.test_delivery import answer_all
from tests.factories import ComponentFactory, FeeFactory
from tests.files import PDF


def ready_draft(office):
    citizen = office["people"]["citizen"]
    procedure = office["procedure"]
    birth = ComponentFactory(procedure=procedure, name="Giấy chứng sinh", required=False)
    residence = ComponentFactory(procedure=procedure, name="Giấy xác nhận cư trú", required=False)
    fee = FeeFactory(procedure=procedure, amount=50_000)
    draft = draft_start(owner=citizen, procedure=procedure, agency=office["agency"])
    for component, name in ((birth, "giay-chung-sinh.pdf"), (residence, "xac-nhan-cu-tru.pdf")):
        attachment_add(owner_user=citizen, draft=draft, component=component, upload=SimpleUploadedFile(name, PDF))
    payment, _url = payment_start(draft=draft, payer=citizen)
    payment_confirm(payment_id=payment.pk, status=PaymentStatus.PAID, transaction_id="GD1")
    return draft, fee


def test_the_submission_record_written_in_its_transaction_has_the_files_and_the_fee_paid(
    office, portal, django_capture_on_commit_callbacks
):
    # given a draft with two files and a fee paid online, and a probe that reads the national
    # record inside the submitting transaction (it runs after the sync's own handler)
    answer_all(portal)
    draft, fee = ready_draft(office)
    seen_in_transaction = []

    def probe(change):
        row = OutboxRow.objects.get(dossier_id=change.dossier_id, target=Target.DVCQG_HOSO)
        seen_in_transaction.append(row.payload)

    # when the citizen submits and the transaction commits (delivery runs after it)
    with (
        events.registry.subscribed(events.Subscription(events.DossierSubmitted, probe, events.Phase.IN_TRANSACTION)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dossier = draft_submit(draft=draft, declaration=True)

    # then the record written with the submission carries both files and the online payment
    (written,) = seen_in_transaction
    assert [f["TenTepDinhKem"] for f in written["TaiLieuNop"]] == ["giay-chung-sinh.pdf", "xac-nhan-cu-tru.pdf"]
    assert written["DuocThanhToanTrucTuyen"] == 1
    assert [(line["Gia"], line["HinhThucThu"]) for line in written["DanhSachLePhi"]] == [(fee.online_amount, 2)]
    # and delivery sent exactly that payload, and the row still holds it
    (sent,) = calls_to(portal, ADD)
    assert json.loads(sent.request.body) == [written]
    row = OutboxRow.objects.get(dossier=dossier, target=Target.DVCQG_HOSO)
    assert (row.state, row.payload) == ("delivered", written)


def test_one_delivery_kick_however_many_changes_one_transaction_holds(office, sync, django_capture_on_commit_callbacks):
    # when one transaction submits two dossiers
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        submit(office)
        submit(office)

    # then six rows are written and one delivery is asked for after commit
    assert OutboxRow.objects.count() == 6
    kicks = [c for c in callbacks if isinstance(c, _OncePerCommit) and c.handler is delivery_kick]
    assert len(kicks) == 1


# A fee paid after submission: the national portal learns it from a fresh dossier record.


def records(dossier):
    return list(
        OutboxRow.objects.filter(dossier=dossier, target=Target.DVCQG_HOSO)
        .order_by("id")
        .values_list("idempotency_key", "state")
    )


def fees(payload):
    return (
        payload["DuocThanhToanTrucTuyen"],
        [(line["Gia"], line["HinhThucThu"]) for line in payload["DanhSachLePhi"]],
    )


@pytest.mark.django_db(transaction=True)
def test_a_fee_paid_after_submission_sends_one_fresh_dossier_record_with_the_fee_paid(office, portal):
    # given a dossier submitted (and delivered) while its fee payment was still pending
    answer_all(portal)
    citizen = office["people"]["citizen"]
    fee = FeeFactory(procedure=office["procedure"], amount=50_000, online_discount_percent=20)
    draft = draft_start(owner=citizen, procedure=office["procedure"], agency=office["agency"])
    payment, _url = payment_start(draft=draft, payer=citizen)
    dossier = draft_submit(draft=draft, declaration=True)
    rows_before = OutboxRow.objects.count()
    (submitted,) = calls_to(portal, ADD)

    # when the platform confirms the payment (its own transaction, which commits)
    payment_confirm(payment_id=payment.pk, status=PaymentStatus.PAID, transaction_id="GD1")

    # then exactly one new row: the dossier record, the fee paid online, delivered as an update
    assert fees(json.loads(submitted.request.body)[0]) == (0, [(50_000, 1)])
    assert OutboxRow.objects.count() == rows_before + 1
    assert records(dossier) == [
        (f"dvcqg_hoso:{dossier.code}:1", "delivered"),
        (f"dvcqg_hoso:{dossier.code}:1:p{payment.pk}", "delivered"),
    ]
    fresh = OutboxRow.objects.get(idempotency_key=f"dvcqg_hoso:{dossier.code}:1:p{payment.pk}")
    assert fees(fresh.payload) == (1, [(fee.online_amount, 2)]) == (1, [(40_000, 2)])
    assert (fresh.event_id, fresh.sequence) == (dossier.events.get().pk, 1)
    (updated,) = calls_to(portal, UPDATE)
    assert json.loads(updated.request.body) == [fresh.payload]

    # and a replay of the platform's word writes nothing more
    payment_confirm(payment_id=payment.pk, status=PaymentStatus.PAID, transaction_id="GD1")
    assert OutboxRow.objects.count() == rows_before + 1


def test_a_fee_paid_before_submission_adds_no_record_of_its_own(
    office, sync, monkeypatch, django_capture_on_commit_callbacks
):
    # given no delivery task runs for real: they are counted
    kicks = []
    monkeypatch.setattr("emc_sync.services._kick_delivery", lambda: kicks.append(1))

    # when the fee of a draft is paid (and that transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        draft, fee = ready_draft(office)

    # then it wrote nothing and asked for no delivery
    assert (OutboxRow.objects.count(), kicks) == (0, [])

    # and when the draft is submitted, its one record carries the fee paid
    with django_capture_on_commit_callbacks(execute=True):
        dossier = draft_submit(draft=draft, declaration=True)
    assert kicks == [1]
    assert records(dossier) == [(f"dvcqg_hoso:{dossier.code}:1", "pending")]
    assert fees(OutboxRow.objects.get(dossier=dossier, target=Target.DVCQG_HOSO).payload) == (
        1,
        [(fee.online_amount, 2)],
    )
    assert OutboxRow.objects.filter(dossier=dossier).count() == 3  # record, progress, EMC: as for any submission


def test_with_sync_off_a_fee_paid_after_submission_writes_nothing(office, settings):
    # given a dossier submitted with its fee pending, and the sync switched off
    citizen = office["people"]["citizen"]
    FeeFactory(procedure=office["procedure"], amount=50_000)
    draft = draft_start(owner=citizen, procedure=office["procedure"], agency=office["agency"])
    payment, _url = payment_start(draft=draft, payer=citizen)
    draft_submit(draft=draft, declaration=True)
    before = OutboxRow.objects.count()
    settings.SYNC_ENABLED = False

    # when
    payment_confirm(payment_id=payment.pk, status=PaymentStatus.PAID, transaction_id="GD1")

    # then
    assert OutboxRow.objects.count() == before
