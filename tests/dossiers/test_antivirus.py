"""Uploads scanned by a real ClamAV daemon (tests/clamav_support.py: Debian's clamd on a unix
socket, with the EICAR signature and one of our own): infected files refused and never stored;
the daemon down → a draft's file waits unopened (tests/dossiers/test_scan_waiting.py runs the queue),
the draft keeping its other files; never accepted unscanned."""

import io
from pathlib import Path

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.attachments import attachment_add
from dossiers.exceptions import FileInfected
from dossiers.models import Attachment, DossierDraft, StoredDocument
from tests.clamav_support import EICAR, OWN_SIGNATURE_BYTES
from tests.factories import ComponentFactory
from tests.files import PDF


def pdf_carrying(payload: bytes) -> bytes:
    """A real PDF (it opens, it passes the type check) with `payload` in an uncompressed stream."""
    with pikepdf.open(io.BytesIO(PDF)) as pdf:
        pdf.Root.Carried = pdf.make_stream(payload)
        out = io.BytesIO()
        pdf.save(out, compress_streams=False)
    data = out.getvalue()
    assert payload in data
    return data


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def citizen(office):
    return office["people"]["citizen"]


@pytest.fixture
def components(office):
    return [ComponentFactory(procedure=office["procedure"], name=name) for name in ("Tờ khai", "Giấy chứng sinh")]


@pytest.fixture
def draft(office, citizen):
    return DossierDraft.objects.create(owner=citizen, procedure=office["procedure"], agency=office["agency"])


def stored_files(media) -> list[Path]:
    return [p for p in Path(media).rglob("*") if p.is_file()]


def post(client, draft, component, name, content):
    return client.post(
        reverse("dossiers:draft_upload", args=[draft.token]),
        {"component": component.pk, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        headers={"accept": "application/json"},
    )


def test_a_clean_pdf_passes_the_real_scanner(clamav_on, client, draft, citizen, components):
    client.force_login(citizen)

    response = post(client, draft, components[0], "to-khai.pdf", PDF)

    assert response.status_code == 201
    assert Attachment.objects.filter(draft=draft).count() == 1


@pytest.mark.parametrize(
    ("payload", "signature"),
    [(EICAR, "DVCTT.Test.EICAR.UNOFFICIAL"), (OWN_SIGNATURE_BYTES, "DVCTT.Test.OwnSignature.UNOFFICIAL")],
    ids=["eicar", "own-signature"],
)
def test_an_infected_pdf_is_refused_and_never_stored(
    clamav_on, client, draft, citizen, components, media, payload, signature
):
    # given a draft with one clean file already
    client.force_login(citizen)
    assert post(client, draft, components[0], "to-khai.pdf", PDF).status_code == 201
    files_before = stored_files(media)

    # when a PDF carrying the test malware is uploaded
    response = post(client, draft, components[1], "giay-chung-sinh.pdf", pdf_carrying(payload))

    # then it is refused by name, with the signature ClamAV found, and nothing new is on disk or in the store
    assert response.status_code == 400
    assert response.json() == {
        "error": f"Tệp “giay-chung-sinh.pdf” bị phát hiện có mã độc ({signature}) nên không được nhận và không được "
        "lưu. Vui lòng quét virus trên máy của bạn, lấy lại tệp từ nguồn tin cậy rồi tải lên lại."
    }
    assert list(Attachment.objects.filter(draft=draft).values_list("name", flat=True)) == ["to-khai.pdf"]
    assert StoredDocument.objects.filter(owner=citizen).count() == 1
    assert stored_files(media) == files_before


def test_the_service_raises_file_infected(clamav_on, draft, citizen, components):
    with pytest.raises(FileInfected) as raised:
        attachment_add(
            owner_user=citizen, draft=draft, component=components[0],
            upload=SimpleUploadedFile("x.pdf", pdf_carrying(EICAR)),
        )  # fmt: skip

    assert raised.value.params["signature"] == "DVCTT.Test.EICAR.UNOFFICIAL"
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize("where", ["missing socket", "not a daemon"])
def test_scanner_down_a_draft_s_upload_waits_unopened_and_the_draft_keeps_its_files(
    clamd_socket, settings, client, draft, citizen, components, media, tmp_path, where
):
    # given the draft has a clean file, uploaded while the scanner answered
    settings.CLAMAV_ENABLED, settings.CLAMAV_SOCKET, settings.CLAMAV_TIMEOUT_SECONDS = True, str(clamd_socket), 5
    client.force_login(citizen)
    assert post(client, draft, components[0], "to-khai.pdf", PDF).status_code == 201

    # when the scanner is gone (its socket missing, or something there that is not clamd)
    if where == "missing socket":
        settings.CLAMAV_SOCKET = str(tmp_path / "no-clamd.sock")
    else:
        import socket

        fake = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        fake.bind(str(tmp_path / "fake.sock"))
        fake.listen(1)
        settings.CLAMAV_SOCKET, settings.CLAMAV_TIMEOUT_SECONDS = str(tmp_path / "fake.sock"), 0.5
    response = post(client, draft, components[1], "giay-chung-sinh.pdf", PDF)

    # then the upload waits for the scanner ("đang kiểm tra an toàn tệp"): kept as sent, not
    # accepted (never served, not in the citizen's store), and the first file still there
    assert response.status_code == 202
    assert response.json()["message"] == (
        "Tệp “giay-chung-sinh.pdf” đã được nhận và đang kiểm tra an toàn tệp (hệ thống quét mã độc đang tạm gián "
        "đoạn). Bạn có thể tiếp tục chuẩn bị hồ sơ; hồ sơ nộp được khi tệp đã kiểm tra xong."
    )
    assert response.json()["attachment"]["scan_state"] == "waiting"
    assert "Đang kiểm tra an toàn tệp" in response.json()["attachment"]["html"]
    assert dict(Attachment.objects.filter(draft=draft).values_list("name", "scan_state")) == {
        "to-khai.pdf": "clean",
        "giay-chung-sinh.pdf": "waiting",
    }
    waiting = Attachment.objects.get(name="giay-chung-sinh.pdf")
    assert client.get(reverse("dossiers:attachment_download", args=[waiting.uuid])).status_code == 404
    assert StoredDocument.objects.filter(owner=citizen).count() == 1


def test_scanner_down_a_plain_form_post_says_the_file_waits(settings, client, draft, citizen, components, tmp_path):
    # given scanning on and no daemon
    settings.CLAMAV_ENABLED, settings.CLAMAV_SOCKET = True, str(tmp_path / "no-clamd.sock")
    client.force_login(citizen)

    # when the upload is sent without JavaScript
    response = client.post(
        reverse("dossiers:draft_upload", args=[draft.token]),
        {"component": components[0].pk, "file": SimpleUploadedFile("a.pdf", PDF), "next": "/"},
        follow=True,
    )

    # then the page says so in an information banner (not the success one), and the file waits
    assert [(m.level_tag, "đang kiểm tra an toàn tệp" in m.message) for m in response.context["messages"]] == [
        ("info", True)
    ]
    assert list(Attachment.objects.values_list("scan_state", flat=True)) == ["waiting"]


def test_with_scanning_off_nothing_is_asked(settings, draft, citizen, components, tmp_path):
    """The embedded default (no daemon): uploads are not scanned, and no socket is touched."""
    settings.CLAMAV_ENABLED, settings.CLAMAV_SOCKET = False, str(tmp_path / "no-clamd.sock")

    attachment = attachment_add(
        owner_user=citizen, draft=draft, component=components[0], upload=SimpleUploadedFile("a.pdf", PDF)
    )

    assert attachment.pk is not None


def test_the_scanner_is_also_reached_over_tcp(settings, clamd_server, draft, citizen, components):
    """docker-compose's clamav service is reached as tcp://clamav:3310."""
    settings.CLAMAV_ENABLED, settings.CLAMAV_SOCKET = True, clamd_server.tcp

    clean = attachment_add(
        owner_user=citizen, draft=draft, component=components[0], upload=SimpleUploadedFile("a.pdf", PDF)
    )
    with pytest.raises(FileInfected):
        attachment_add(
            owner_user=citizen, draft=draft, component=components[1],
            upload=SimpleUploadedFile("b.pdf", pdf_carrying(OWN_SIGNATURE_BYTES)),
        )  # fmt: skip

    assert list(Attachment.objects.values_list("pk", flat=True)) == [clean.pk]
