"""Mails and text messages in the citizen's language: the one they filed in is kept on the dossier
(Dossier.language, set in the dossier's INSERT) and every message about it is written in it,
whatever language the worker or the officer acting runs in. The legal papers stay Vietnamese."""

import io

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from pypdf import PdfReader

from accounts.constants import Role
from dossiers.constants import Channel
from dossiers.models import Dossier
from dossiers.notifications.services import MemorySmsBackend
from dossiers.notifications.tasks import notify_applicant_task
from dossiers.services import dossier_act, dossier_submit
from tests.dossiers.test_citizen_journey import fill_form, start_draft, submit, upload
from workflows.constants import Action


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    MemorySmsBackend.outbox.clear()
    yield
    MemorySmsBackend.outbox.clear()


def file(office, language):
    return dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.ONLINE,
        applicant=office["people"][Role.CITIZEN], applicant_name="Nguyễn Văn An",
        applicant_email="an@example.vn", applicant_phone="0912345678", language=language,
    )  # fmt: skip


@pytest.mark.parametrize(("given", "kept"), [("en", "en"), ("en-us", "en"), ("vi", "vi"), ("", "vi"), ("fr", "vi")])
def test_the_dossier_keeps_a_language_the_portal_speaks(office, given, kept):
    dossier = file(office, given)

    assert Dossier.objects.get(pk=dossier.pk).language == kept


def test_a_citizen_filing_in_english_gets_english_mail_and_text(office):
    # given a dossier filed in English
    dossier = file(office, "en")

    # when the worker (running in Vietnamese) tells the applicant of the submission
    with translation.override("vi"):
        notify_applicant_task(dossier.events.get().pk)

    # then the mail and the text are English, the acknowledgement it carries Vietnamese (a legal paper)
    (message,) = mail.outbox
    assert message.subject == f"Application {dossier.code}: Newly submitted"
    assert message.body.startswith("Dear Nguyễn Văn An,\n\nApplication ")
    assert f"Track your application: {settings.PORTAL_BASE_URL.rstrip('/')}/ho-so-cua-toi/{dossier.code}/" in (
        message.body
    )
    assert "Kính gửi" not in message.body
    assert (
        "GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN" in PdfReader(io.BytesIO(message.attachments[0][1])).pages[0].extract_text()
    )
    assert MemorySmsBackend.outbox == [
        ("0912345678", f"Cong Dich vu cong tinh Ninh Binh: Application {dossier.code} Newly submitted.")
    ]


def test_a_supplement_request_reaches_an_english_applicant_in_english(office):
    dossier = file(office, "en")
    dossier_act(
        dossier_id=dossier.pk, actor=office["people"][Role.RECEPTION_OFFICER], action=Action.REQUEST_SUPPLEMENT,
        comment="Bổ sung bản sao giấy chứng sinh",
    )  # fmt: skip

    notify_applicant_task(dossier.events.last().pk)

    # the officer's words stay as written, the portal's around them are English
    assert "Details: Bổ sung bản sao giấy chứng sinh" in mail.outbox[0].body
    assert MemorySmsBackend.outbox[0][1].endswith("Please add the missing documents on the portal.")


def test_a_vietnamese_applicant_hears_vietnamese_from_an_english_worker(office):
    dossier = file(office, "vi")

    with translation.override("en"):
        notify_applicant_task(dossier.events.get().pk)

    assert mail.outbox[0].subject == f"Hồ sơ {dossier.code}: Mới đăng ký"
    assert "Kính gửi Nguyễn Văn An," in mail.outbox[0].body
    assert MemorySmsBackend.outbox[0][1] == f"Cong Dich vu cong tinh Ninh Binh: Ho so {dossier.code} Moi dang ky."


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_citizen_s_pages_record_the_language_they_file_in(client, service, language):
    # given a citizen reading the portal in `language`
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(service["citizen"])
    draft = start_draft(client, service)
    fill_form(client, draft)
    upload(client, draft, service["component"])

    # when they submit
    submit(client, draft)

    # then the dossier keeps it
    assert Dossier.objects.get().language == language
