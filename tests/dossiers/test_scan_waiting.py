"""The scan queue with the real ClamAV daemon (tests/clamav_support.py): a draft's file that comes
while clamd cannot answer waits, unopened, never served, filed or stored ("đang kiểm tra an toàn
tệp"); once clamd is back attachments_scan_waiting scans it and sanitises it like any upload, or
refuses it with the reason. Never accepted unscanned."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.constants import Role
from dossiers.attachments import attachment_add, attachment_check_complete, attachment_remove, attachments_scan_waiting
from dossiers.attachments.tasks import attachments_scan_waiting_task
from dossiers.constants import AttachmentRole, Channel, ScanState
from dossiers.drafts.services import draft_submit
from dossiers.exceptions import DraftIncomplete, FileScanUnavailable
from dossiers.models import Attachment, DossierDraft, StoredDocument
from dossiers.services import dossier_act, dossier_submit
from tests.clamav_support import EICAR
from tests.dossiers.test_antivirus import pdf_carrying
from tests.factories import ComponentFactory
from tests.files import PDF, image_bytes, pdf_bytes
from workflows.constants import Action


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def citizen(office):
    return office["people"]["citizen"]


@pytest.fixture
def component(office):
    return ComponentFactory(procedure=office["procedure"], name="Giấy chứng sinh", required=True)


@pytest.fixture
def draft(office, citizen):
    return DossierDraft.objects.create(owner=citizen, procedure=office["procedure"], agency=office["agency"])


@pytest.fixture
def scanner_down(settings, clamd_socket, tmp_path):
    """Scanning on, clamd unreachable; `scanner_down.back()` points at the real daemon again."""
    settings.CLAMAV_ENABLED, settings.CLAMAV_SOCKET, settings.CLAMAV_TIMEOUT_SECONDS = (
        True, str(tmp_path / "no-clamd.sock"), 5,
    )  # fmt: skip

    class Switch:
        @staticmethod
        def back():
            settings.CLAMAV_SOCKET = str(clamd_socket)

    return Switch


def add(citizen, draft, component, name, content):
    return attachment_add(
        owner_user=citizen, draft=draft, component=component, upload=SimpleUploadedFile(name, content)
    )


def files_on_disk(media) -> list[Path]:
    return [p for p in Path(media).rglob("*") if p.is_file()]


def test_a_waiting_file_stops_the_submission_until_clamd_passes_it(scanner_down, client, citizen, draft, component):
    # given a file uploaded while clamd is down
    waiting = add(citizen, draft, component, "giay-chung-sinh.pdf", PDF)
    assert waiting.scan_state == ScanState.WAITING

    # then the draft cannot be filed with it, and it is neither served nor in the citizen's store
    (blocking,) = attachment_check_complete(draft=draft)
    assert (blocking, blocking.scan_waiting) == (component, True)
    with pytest.raises(DraftIncomplete) as refused:
        draft_submit(draft=draft, declaration=True)
    assert "Tệp của “Giấy chứng sinh” đang kiểm tra an toàn tệp: vui lòng chờ ít phút rồi nộp." in refused.value.errors
    client.force_login(citizen)
    assert client.get(reverse("dossiers:attachment_download", args=[waiting.uuid])).status_code == 404
    assert not StoredDocument.objects.exists()

    # when clamd is back and the sweep runs (the beat's task)
    scanner_down.back()
    counts = attachments_scan_waiting_task()

    # then the file is clean, served, in the store, and no longer stops the draft
    assert counts == {"clean": 1, "refused": 0, "waiting": 0}
    waiting.refresh_from_db()
    assert waiting.scan_state == ScanState.CLEAN
    assert client.get(reverse("dossiers:attachment_download", args=[waiting.uuid])).status_code == 200
    assert StoredDocument.objects.filter(owner=citizen, sha256=waiting.sha256).count() == 1
    assert attachment_check_complete(draft=draft) == []


def test_while_clamd_stays_down_the_sweep_leaves_every_file_waiting(scanner_down, citizen, draft, component, office):
    other = ComponentFactory(procedure=office["procedure"], name="Tờ khai")
    add(citizen, draft, component, "a.pdf", PDF)
    add(citizen, draft, other, "b.pdf", pdf_bytes(pages=2))

    counts = attachments_scan_waiting()

    assert counts == {"clean": 0, "refused": 0, "waiting": 2}
    assert set(Attachment.objects.values_list("scan_state", flat=True)) == {ScanState.WAITING}


def test_with_scanning_turned_off_a_waiting_file_is_never_passed_unscanned(
    scanner_down, settings, citizen, draft, component
):
    waiting = add(citizen, draft, component, "a.pdf", PDF)
    settings.CLAMAV_ENABLED = False

    assert attachments_scan_waiting() == {"clean": 0, "refused": 0, "waiting": 1}
    waiting.refresh_from_db()
    assert waiting.scan_state == ScanState.WAITING


def test_an_infected_file_found_after_waiting_is_refused_its_content_deleted(
    scanner_down, media, citizen, draft, component, django_capture_on_commit_callbacks
):
    # given an infected PDF that came while clamd was down
    infected = add(citizen, draft, component, "giay-chung-sinh.pdf", pdf_carrying(EICAR))
    assert len(files_on_disk(media)) == 1

    # when clamd is back
    scanner_down.back()
    with django_capture_on_commit_callbacks(execute=True):
        counts = attachments_scan_waiting()

    # then it is refused with ClamAV's reason, its bytes gone, and the draft says what to do
    assert counts == {"clean": 0, "refused": 1, "waiting": 0}
    infected.refresh_from_db()
    assert infected.scan_state == ScanState.REFUSED
    assert infected.scan_note.startswith("Tệp “giay-chung-sinh.pdf” bị phát hiện có mã độc (DVCTT.Test.EICAR")
    assert files_on_disk(media) == []
    assert not StoredDocument.objects.exists()
    (blocking,) = attachment_check_complete(draft=draft)
    assert blocking.scan_refused is True

    # and the citizen can take it off and upload another
    attachment_remove(user=citizen, attachment=infected)
    assert add(citizen, draft, component, "moi.pdf", PDF).scan_state == ScanState.CLEAN


def test_a_waiting_file_is_sanitised_once_scanned_photo_loses_its_gps(scanner_down, citizen, draft, component):
    photo = image_bytes("JPEG", (32, 24), exif_gps=True)
    waiting = add(citizen, draft, component, "anh.jpg", photo)
    with waiting.file.open("rb") as kept:
        assert kept.read() == photo  # kept as sent, unopened

    scanner_down.back()
    attachments_scan_waiting()

    waiting.refresh_from_db()
    with waiting.file.open("rb") as stored:
        clean = Image.open(io.BytesIO(stored.read()))
    assert (waiting.scan_state, clean.size, dict(clean.getexif())) == (ScanState.CLEAN, (32, 24), {})
    assert waiting.sanitised


def test_a_waiting_pdf_with_javascript_is_cleaned_once_scanned(scanner_down, citizen, draft, component):
    waiting = add(citizen, draft, component, "to-khai.pdf", pdf_bytes(javascript="app.alert(1)"))

    scanner_down.back()
    attachments_scan_waiting()

    waiting.refresh_from_db()
    with waiting.file.open("rb") as stored:
        data = stored.read()
    assert waiting.scan_state == ScanState.CLEAN
    assert b"app.alert" not in data
    assert "thao tác tự chạy khi mở tệp" in waiting.sanitised
    assert waiting.size == len(data)


def test_a_waiting_file_that_cannot_be_made_safe_is_refused_with_the_reason(scanner_down, citizen, draft, component):
    waiting = add(citizen, draft, component, "hong.pdf", PDF[:200])

    scanner_down.back()
    attachments_scan_waiting()

    waiting.refresh_from_db()
    assert waiting.scan_state == ScanState.REFUSED
    assert "hong.pdf" in waiting.scan_note


def test_only_a_draft_may_wait_a_supplement_is_refused_while_clamd_is_down(scanner_down, office, citizen, component):
    # given a dossier waiting for the citizen's supplement
    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel=Channel.ONLINE, applicant=citizen,
        applicant_name="Nguyễn Văn An",
    )  # fmt: skip
    officer = office["people"][Role.RECEPTION_OFFICER]
    dossier_act(dossier_id=dossier.pk, actor=officer, action=Action.REQUEST_SUPPLEMENT, comment="Bổ sung")

    # then a file sent to the dossier while clamd is down is refused (officers would see it), nothing stored
    with pytest.raises(FileScanUnavailable):
        attachment_add(
            owner_user=citizen, dossier=dossier, component=component, role=AttachmentRole.SUPPLEMENT,
            upload=SimpleUploadedFile("bo-sung.pdf", PDF),
        )  # fmt: skip
    assert not Attachment.objects.exists()
