import datetime as dt
import io
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from pypdf import PdfReader

from accounts.constants import Role
from dossiers.constants import Channel, Status
from dossiers.models import Notification
from dossiers.notifications import services as notifications
from dossiers.notifications.services import MemorySmsBackend, events_missing_notifications
from dossiers.notifications.tasks import notifications_resend_task, notify_applicant_task
from dossiers.services import dossier_act, dossier_submit
from tests.stores import clear_caches
from workflows.constants import Action

R, S = Role.RECEPTION_OFFICER, Role.SPECIALIST

EAGER = SimpleNamespace(conf=SimpleNamespace(task_always_eager=True))  # a fake task's app: run at once


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    MemorySmsBackend.outbox.clear()
    yield
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def dossier(office):
    return dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.ONLINE,
        applicant=office["people"][Role.CITIZEN], applicant_name="Nguyễn Văn An",
        applicant_email="an@example.vn", applicant_phone="0912345678",
    )  # fmt: skip


def test_the_submission_mails_the_receipt_and_texts_the_code(dossier):
    # when the task runs for the submission
    sent = notify_applicant_task(dossier.events.get().pk)

    # then one e-mail with the submission acknowledgement attached (not form 01: nobody received it yet), one text message
    assert sent == ["email", "sms"]
    (message,) = mail.outbox
    assert message.subject == f"Hồ sơ {dossier.code}: Mới đăng ký"
    assert message.to == ["an@example.vn"]
    assert "Kính gửi Nguyễn Văn An," in message.body
    assert f"/ho-so-cua-toi/{dossier.code}/" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == (f"{dossier.code}-xac-nhan-nop.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert "GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert MemorySmsBackend.outbox == [
        ("0912345678", f"Cong Dich vu cong tinh Ninh Binh: Ho so {dossier.code} Moi dang ky.")
    ]


def test_a_supplement_request_carries_its_reason(dossier, office):
    dossier_act(
        dossier_id=dossier.pk, actor=office["people"][R], action=Action.REQUEST_SUPPLEMENT,
        comment="Bổ sung bản sao giấy chứng sinh",
    )  # fmt: skip

    notify_applicant_task(dossier.events.last().pk)

    assert "Nội dung: Bổ sung bản sao giấy chứng sinh" in mail.outbox[0].body
    assert MemorySmsBackend.outbox[0][1].endswith("Yeu cau bo sung giay to. Vui long bo sung ho so tren Cong DVC.")


def test_a_repeated_task_sends_nothing_twice(dossier):
    event_id = dossier.events.get().pk
    notify_applicant_task(event_id)

    again = notify_applicant_task(event_id)

    assert again == []
    assert len(mail.outbox) == 1
    assert len(MemorySmsBackend.outbox) == 1
    assert Notification.objects.count() == 2


def test_the_subscriber_skips_moves_that_keep_the_status(
    dossier, office, monkeypatch, django_capture_on_commit_callbacks
):
    # given the subscriber listening, with the queue recorded
    enqueued = []
    fake = SimpleNamespace(name="notify", app=EAGER, apply_async=lambda args, **options: enqueued.extend(args))
    monkeypatch.setattr("dossiers.notifications.handlers.notify_applicant_task", fake)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.RECEIVE)
        dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.FORWARD, to_step="tham_dinh")
        dossier_act(dossier_id=dossier.pk, actor=office["people"][S], action=Action.FORWARD, to_step="phe_duyet")

    # then: received (1 → 2) and forwarded into processing (2 → 4) are told; the move inside 4 is not
    moves = list(dossier.events.order_by("sequence").values_list("pk", "to_status"))
    assert enqueued == [moves[1][0], moves[2][0]]
    assert [status for _pk, status in moves[1:]] == [Status.RECEIVED, Status.PROCESSING, Status.PROCESSING]


def test_no_address_no_message(office):
    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.ONLINE, applicant_name="Lê Văn C"
    )

    assert notify_applicant_task(dossier.events.get().pk) == []
    assert mail.outbox == []


# --- messages that were never sent ---------------------------------------------------------------


@pytest.fixture
def sweep(monkeypatch):
    """Run the resend sweep with the sending task run in place of being queued."""
    sent_for: list[int] = []

    def run_now(event_id):
        sent_for.append(event_id)
        notify_applicant_task(event_id)

    monkeypatch.setattr(notify_applicant_task, "delay", run_now)
    clear_caches()  # the resend counters (Redis in CI) outlive a test

    def run(at):
        with time_machine.travel(at, tick=False):
            notifications_resend_task()
        return list(sent_for)

    return run


def test_a_message_lost_with_the_broker_is_sent_by_the_sweep_once(dossier, sweep):
    # given the submission's task never ran (nothing recorded)
    submitted = dossier.events.get()

    # when the sweep runs 5 minutes later (still the normal path's time), then 15 minutes later, then again
    early = sweep(submitted.at + dt.timedelta(minutes=5))
    later = sweep(submitted.at + dt.timedelta(minutes=15))
    again = sweep(submitted.at + dt.timedelta(minutes=20))

    # then it is sent once, on both channels
    assert early == []
    assert later == again == [submitted.pk]
    assert len(mail.outbox) == 1
    assert len(MemorySmsBackend.outbox) == 1
    assert set(Notification.objects.values_list("channel", flat=True)) == {"email", "sms"}


def test_only_the_missing_channel_is_sent(dossier, sweep):
    event = dossier.events.get()
    Notification.objects.create(dossier=dossier, event=event, channel="email", recipient="an@example.vn", text="…")

    sweep(event.at + dt.timedelta(minutes=15))

    assert mail.outbox == []
    assert len(MemorySmsBackend.outbox) == 1


def test_news_older_than_the_window_is_not_sent(dossier, sweep, settings):
    settings.NOTIFICATION_RESEND_HOURS = 24
    event = dossier.events.get()

    assert sweep(event.at + dt.timedelta(hours=25)) == []
    assert mail.outbox == []


def test_the_sweep_picks_the_events_the_subscriber_would_have_told(dossier, office):
    # given: submitted (told), received 1 → 2 (told), into processing 2 → 4 (told), a move inside 4 (not told)
    dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.RECEIVE)
    dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.FORWARD, to_step="tham_dinh")
    dossier_act(dossier_id=dossier.pk, actor=office["people"][S], action=Action.FORWARD, to_step="phe_duyet")
    history = list(dossier.events.order_by("sequence"))

    found = set(events_missing_notifications(now=history[-1].at + dt.timedelta(minutes=15)))

    assert found == {
        event
        for event in history
        if notifications.should_notify(kind=event.action, from_status=event.from_status, to_status=event.to_status)
    }
    assert len(found) == 3


def test_a_dossier_with_no_address_is_never_picked(office):
    silent = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.ONLINE, applicant_name="Lê Văn C"
    )
    event = silent.events.get()

    assert list(events_missing_notifications(now=event.at + dt.timedelta(minutes=15))) == []


def test_a_message_that_keeps_failing_is_given_up_after_the_set_attempts(dossier, monkeypatch, settings):
    # given the mail server refuses this address every time
    settings.NOTIFICATION_RESEND_ATTEMPTS = 3
    clear_caches()  # the resend counters (Redis in CI) outlive a test
    queued: list[int] = []
    monkeypatch.setattr(notify_applicant_task, "delay", queued.append)  # sending fails: nothing is recorded
    event = dossier.events.get()

    # when the sweep runs five times
    for minutes in (15, 20, 25, 30, 35):
        with time_machine.travel(event.at + dt.timedelta(minutes=minutes), tick=False):
            notifications_resend_task()

    # then the event was queued three times, not five
    assert queued == [event.pk] * 3
