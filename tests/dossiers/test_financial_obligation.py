"""Status 6, a financial obligation (land levy, taxes): asked for at a workflow step, told to the
citizen (page and message), met online or confirmed by an officer; whether the clock stops is the
step's data."""

import copy
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.constants import Role
from dossiers.constants import EventKind, ObligationSettlement, PauseKind, PaymentStatus
from dossiers.exceptions import ObligationInvalid
from dossiers.models import Dossier, DossierEvent, DossierPause, FinancialObligation, Payment
from dossiers.notifications.services import MemorySmsBackend
from dossiers.services import dossier_act
from dvctt.celery import app as celery_app
from emc_sync import mapping
from tests.dossiers.payments.conftest import sign
from tests.factories import DossierFactory, WorkflowVersionFactory
from workflows.constants import Action, Status
from workflows.defaults import department_definition
from workflows.exceptions import ActionNotAllowed
from workflows.selectors import working_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
R, S, CIT = Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.CITIZEN
# Tuesday 1 Dec 2026, 09:00: a working morning, two working days before Thursday 09:00 (no holiday
# between; 24 Nov, the day of Vietnamese culture, is one).
TUESDAY_9 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=VN)


@pytest.fixture(autouse=True)
def platform(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PAYMENT_URL = "http://platform.test/thanhtoan"
    settings.PAYMENT_MERCHANT = "dvctt"
    settings.PAYMENT_SECRET = "payment-secret"
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8000"
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def eager_tasks(monkeypatch):
    monkeypatch.setattr(celery_app.conf, "CELERY_TASK_ALWAYS_EAGER", True)


@pytest.fixture
def processing(office):
    """A received dossier at the department's specialist step, due Monday 7 Dec 09:00."""
    return DossierFactory(
        procedure=office["procedure"], agency=office["agency"], applicant=office["people"][CIT],
        applicant_email="an@example.vn", applicant_phone="0912345678", step_key="tham_dinh", step_role=S,
        status=Status.PROCESSING, submitted_at=TUESDAY_9 - dt.timedelta(days=1),
        received_at=TUESDAY_9 - dt.timedelta(days=1), due_at=dt.datetime(2026, 12, 7, 9, 0, tzinfo=VN),
    )  # fmt: skip


def ask(dossier, officer, *, online=True, **extra):
    return dossier_act(
        dossier_id=dossier.pk, actor=officer, action=Action.REQUEST_PAYMENT, comment="Lệ phí trước bạ nhà, đất",
        data={"amount": 1_250_000, "pay_at": "Thuế cơ sở 1 tỉnh Ninh Bình, 2 Lê Hồng Phong", "online": online},
        **extra,
    )  # fmt: skip


def test_the_officer_journey_request_then_confirm_a_payment_made_at_the_tax_office(
    client, office, processing, eager_tasks, django_capture_on_commit_callbacks
):
    specialist = office["people"][S]
    client.force_login(specialist)
    detail = reverse("dossiers:detail", args=[processing.code])

    # given the specialist's page offers the request
    page = client.get(detail).content.decode()
    assert "Yêu cầu thực hiện nghĩa vụ tài chính" in page

    # when they ask for the obligation (Monday 09:00)
    with time_machine.travel(TUESDAY_9, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dossiers:request_payment", args=[processing.code]),
            {
                "description": "Lệ phí trước bạ nhà, đất", "amount": "1250000",
                "pay_at": "Thuế cơ sở 1 tỉnh Ninh Bình", "expected_sequence": "0", "idempotency_key": "k-ask",
            },
        )  # fmt: skip

    # then the dossier is at status 6, the obligation recorded, the clock stopped (the default rule)
    assert response.status_code == 302
    processing.refresh_from_db()
    assert processing.status == Status.PAYMENT_REQUESTED
    obligation = FinancialObligation.objects.get(dossier=processing)
    assert (obligation.amount, obligation.pay_at, obligation.online, obligation.requested_by) == (
        1_250_000, "Thuế cơ sở 1 tỉnh Ninh Bình", False, specialist,
    )  # fmt: skip
    pause = DossierPause.objects.get(dossier=processing)
    assert (pause.kind, pause.started_at, pause.ended_at) == (PauseKind.PAYMENT, TUESDAY_9, None)
    # and the citizen is told what to pay and where
    message = mail.outbox[-1]
    assert message.subject == f"Hồ sơ {processing.code}: Yêu cầu thực hiện nghĩa vụ tài chính"
    assert "Nội dung: Lệ phí trước bạ nhà, đất" in message.body
    assert "Số tiền phải nộp: 1.250.000 đồng. Nơi nộp: Thuế cơ sở 1 tỉnh Ninh Bình." in message.body
    assert MemorySmsBackend.outbox[-1][1].endswith("So tien 1.250.000 dong, nop tai Thue co so 1 tinh Ninh Binh.")

    # when the citizen paid at the tax office and the specialist confirms it two working days later
    last = processing.events.latest("sequence").sequence
    with time_machine.travel(TUESDAY_9 + dt.timedelta(days=2), tick=False):
        client.post(
            reverse("dossiers:act", args=[processing.code]),
            {"action": Action.SETTLE_PAYMENT, "comment": "Chứng từ nộp tiền số 0012345", "expected_sequence": last,
             "idempotency_key": "k-settle"},
        )  # fmt: skip

    # then processing goes on, the clock runs again and the due date moved by the two days waited
    processing.refresh_from_db()
    assert (processing.status, processing.step_key) == (Status.PROCESSING, "tham_dinh")
    assert processing.due_at == dt.datetime(2026, 12, 9, 9, 0, tzinfo=VN)
    obligation.refresh_from_db()
    assert (obligation.settled_how, obligation.settled_by, obligation.settled_note) == (
        ObligationSettlement.OFFICER, specialist, "Chứng từ nộp tiền số 0012345",
    )  # fmt: skip
    assert DossierPause.objects.get(dossier=processing).ended_at == TUESDAY_9 + dt.timedelta(days=2)
    assert list(processing.events.values_list("action", "to_status")) == [
        (EventKind.REQUEST_PAYMENT, Status.PAYMENT_REQUESTED), (EventKind.SETTLE_PAYMENT, Status.PROCESSING),
    ]  # fmt: skip


def notification(payment):
    body = {
        "merchant": "dvctt", "ref": payment.ref, "transaction_id": "GD20261124-0042", "amount": payment.amount,
        "status": "paid", "paid_at": "20261124100000",
    }  # fmt: skip
    body["sig"] = sign(*(body[k] for k in ("merchant", "ref", "transaction_id", "amount", "status", "paid_at")))
    return body


def test_the_citizen_journey_sees_what_to_pay_pays_online_and_processing_goes_on(
    client, office, processing, eager_tasks, django_capture_on_commit_callbacks
):
    # given the specialist asked for an obligation that may be paid online
    with time_machine.travel(TUESDAY_9, tick=False):
        ask(processing, office["people"][S])
    citizen = office["people"][CIT]
    client.force_login(citizen)

    # when the citizen opens their dossier
    page = client.get(reverse("dossiers:my_dossier", args=[processing.code])).content.decode()

    # then it says what, how much, where, and offers paying online
    assert "Yêu cầu thực hiện nghĩa vụ tài chính" in page
    assert "Lệ phí trước bạ nhà, đất" in page
    assert "1250000 đồng" in page
    assert "Thuế cơ sở 1 tỉnh Ninh Bình, 2 Lê Hồng Phong" in page
    obligation = FinancialObligation.objects.get(dossier=processing)
    pay_url = reverse("dossiers:payment_start_obligation", args=[obligation.pk])
    assert f'action="{pay_url}"' in page

    # when they pay online: off to the platform, which then notifies us (signed)
    response = client.post(pay_url)
    assert response.status_code == 302
    assert response["Location"].startswith("http://platform.test/thanhtoan")
    payment = Payment.objects.get(obligation=obligation)
    assert (payment.amount, payment.dossier, payment.status) == (1_250_000, processing, PaymentStatus.PENDING)
    with (
        time_machine.travel(TUESDAY_9 + dt.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notified = client.post(
            reverse("dossiers:payment_notify"), data=json.dumps(notification(payment)), content_type="application/json"
        )

    # then the payment is paid and the lifecycle brought the dossier back to processing, by the applicant
    assert notified.status_code == 200
    processing.refresh_from_db()
    assert processing.status == Status.PROCESSING
    settled = processing.events.latest("sequence")
    assert (settled.action, settled.actor, settled.idempotency_key) == (
        EventKind.SETTLE_PAYMENT, citizen, f"payment:{payment.ref}",
    )  # fmt: skip
    obligation.refresh_from_db()
    assert obligation.settled_how == ObligationSettlement.ONLINE
    # and the page no longer asks for it
    page = client.get(reverse("dossiers:my_dossier", args=[processing.code])).content.decode()
    assert f'action="{pay_url}"' not in page


def test_the_applicant_cannot_settle_without_a_paid_payment(office, processing):
    ask(processing, office["people"][S])
    before = (Dossier.objects.get(pk=processing.pk).status, DossierEvent.objects.filter(dossier=processing).count())

    with pytest.raises(ActionNotAllowed, match="Chưa nhận được khoản thanh toán trực tuyến"):
        dossier_act(
            dossier_id=processing.pk, actor=office["people"][CIT], action=Action.SETTLE_PAYMENT, comment="Đã nộp"
        )

    after = (Dossier.objects.get(pk=processing.pk).status, DossierEvent.objects.filter(dossier=processing).count())
    assert after == before == (Status.PAYMENT_REQUESTED, 1)
    assert FinancialObligation.objects.get(dossier=processing).settled_at is None


def test_a_request_without_an_amount_or_a_place_changes_nothing(office, processing):
    for data in ({"pay_at": "Kho bạc"}, {"amount": 100_000}, {"amount": "nhiều", "pay_at": "Kho bạc"}):
        with pytest.raises(ObligationInvalid):
            dossier_act(
                dossier_id=processing.pk, actor=office["people"][S], action=Action.REQUEST_PAYMENT,
                comment="Thuế", data=data,
            )  # fmt: skip
    processing.refresh_from_db()
    assert processing.status == Status.PROCESSING
    assert not FinancialObligation.objects.exists()
    assert not DossierEvent.objects.filter(dossier=processing).exists()


def test_whether_the_clock_stops_is_the_workflow_steps_data(office):
    # given a workflow whose specialist step asks for obligations with the clock running
    definition = copy.deepcopy(department_definition())
    for item in definition["steps"][1]["actions"]:
        if item["action"] == "request_payment":
            item["stops_clock"] = False
    version = WorkflowVersionFactory(procedure=office["procedure"], definition=definition)
    due = dt.datetime(2026, 11, 30, 9, 0, tzinfo=VN)
    dossier = DossierFactory(
        procedure=office["procedure"], agency=office["agency"], applicant=office["people"][CIT],
        workflow_version=version, step_key="tham_dinh", step_role=S, status=Status.PROCESSING, due_at=due,
    )  # fmt: skip

    # when the obligation is asked for and confirmed two days later
    with time_machine.travel(TUESDAY_9, tick=False):
        ask(dossier, office["people"][S], online=False)
    with time_machine.travel(TUESDAY_9 + dt.timedelta(days=2), tick=False):
        dossier_act(dossier_id=dossier.pk, actor=office["people"][S], action=Action.SETTLE_PAYMENT, comment="Đã nộp")

    # then no pause was opened and the due date did not move
    dossier.refresh_from_db()
    assert not DossierPause.objects.filter(dossier=dossier).exists()
    assert (dossier.status, dossier.due_at) == (Status.PROCESSING, due)


def test_the_national_record_says_status_6_and_the_obligation_paid_is_not_a_fee(office, processing):
    ask(processing, office["people"][S])
    obligation = FinancialObligation.objects.get()
    Payment.objects.create(
        ref="DVC2611240001", dossier=processing, obligation=obligation, payer=office["people"][CIT],
        amount=1_250_000, status=PaymentStatus.PAID, transaction_id="GD1",
    )  # fmt: skip

    record = mapping.dossier_record(Dossier.objects.get(pk=processing.pk))

    assert record["TrangThaiHoSo"] == 6
    assert record["DuocThanhToanTrucTuyen"] == 0


def test_the_clock_shift_counts_working_time_only(office, processing):
    # A pause from Friday 16:00 to Monday 08:00 costs two working hours (Friday's last, Monday's
    # first from 07:00), not the weekend.
    friday_4pm = dt.datetime(2026, 11, 27, 16, 0, tzinfo=VN)
    with time_machine.travel(friday_4pm, tick=False):
        ask(processing, office["people"][S])
    with time_machine.travel(dt.datetime(2026, 11, 30, 8, 0, tzinfo=VN), tick=False):
        dossier_act(dossier_id=processing.pk, actor=office["people"][S], action=Action.SETTLE_PAYMENT, comment="Đã nộp")
    processing.refresh_from_db()
    assert processing.due_at == dt.datetime(2026, 12, 7, 11, 0, tzinfo=VN)
    assert working_calendar().working_time_between(
        dt.datetime(2026, 12, 7, 9, 0, tzinfo=VN), processing.due_at
    ) == dt.timedelta(hours=2)
