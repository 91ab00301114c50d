"""Citizens' uploads are made safe before they are stored (dossiers/attachments/sanitise.py): the
cases of the abuse drill, each through attachment_add as a citizen's upload."""

import io
import struct
import zlib

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from dossiers.attachments.services import attachment_add
from dossiers.exceptions import FileBroken, FileEncrypted, FileImageTooLarge, FileLooksLikeWebPage
from dossiers.models import DossierDraft
from tests.factories import ComponentFactory
from tests.files import PDF, image_bytes, pdf_bytes


@pytest.fixture
def citizen(office):
    return office["people"]["citizen"]


@pytest.fixture
def draft(office, citizen):
    return DossierDraft.objects.create(owner=citizen, procedure=office["procedure"], agency=office["agency"])


@pytest.fixture
def component(office):
    return ComponentFactory(procedure=office["procedure"], name="Giấy tờ kèm theo")


def add(citizen, draft, component, name, content):
    return attachment_add(
        owner_user=citizen, draft=draft, component=component, upload=SimpleUploadedFile(name, content)
    )


def stored(attachment) -> bytes:
    with attachment.file.open("rb") as file:
        return file.read()


def test_a_pdf_with_javascript_is_stored_without_it_and_the_officer_is_told(citizen, draft, component):
    attachment = add(citizen, draft, component, "don.pdf", pdf_bytes(javascript="app.alert('xin chao')"))

    clean = stored(attachment)
    with pikepdf.open(io.BytesIO(clean)) as pdf:
        assert "/OpenAction" not in pdf.Root
        assert len(pdf.pages) == 1
    assert b"app.alert" not in clean
    assert "thao tác tự chạy khi mở tệp" in attachment.sanitised
    assert attachment.size == len(clean)


def test_a_pdf_with_an_embedded_file_loses_it(citizen, draft, component):
    attachment = add(citizen, draft, component, "don.pdf", pdf_bytes(embedded=b"MZ\x90\x00 a program"))

    with pikepdf.open(io.BytesIO(stored(attachment))) as pdf:
        assert len(pdf.attachments) == 0
    assert "tệp đính kèm bên trong" in attachment.sanitised


def test_a_clean_pdf_is_stored_byte_for_byte(citizen, draft, component):
    attachment = add(citizen, draft, component, "don.pdf", PDF)

    assert stored(attachment) == PDF
    assert attachment.sanitised == ""


def test_encrypted_and_broken_pdfs_are_refused_with_a_reason(citizen, draft, component):
    locked = io.BytesIO()
    with pikepdf.open(io.BytesIO(PDF)) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="chu", user="mat-khau"))

    with pytest.raises(FileEncrypted) as encrypted:
        add(citizen, draft, component, "khoa.pdf", locked.getvalue())
    with pytest.raises(FileBroken) as broken:
        add(citizen, draft, component, "hong.pdf", b"%PDF-1.4\nkhong phai pdf\n")

    assert "có đặt mật khẩu" in str(encrypted.value)
    assert "bị hỏng" in str(broken.value)
    assert draft.attachments.count() == 0


def test_a_pdf_that_is_also_a_web_page_is_refused(citizen, draft, component):
    polyglot = PDF[:9] + b"%<html><body><script>alert(document.cookie)</script></body></html>\n" + PDF[9:]

    with pytest.raises(FileLooksLikeWebPage) as refused:
        add(citizen, draft, component, "giay-to.pdf", polyglot)

    assert "mã của trang web" in str(refused.value)
    assert draft.attachments.count() == 0


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares its size and carries almost no data: a few bytes, gigabytes once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_pixel_bomb_is_refused_before_it_is_decoded(citizen, draft, component):
    with pytest.raises(FileImageTooLarge) as refused:
        add(citizen, draft, component, "anh.png", png_header_only(50_000, 50_000))

    assert "có 2.500 triệu điểm ảnh, vượt quá 60 triệu" in str(refused.value)
    assert draft.attachments.count() == 0


def test_a_photo_keeps_its_pixels_and_loses_its_exif_and_gps(citizen, draft, component):
    photo = image_bytes("JPEG", (32, 24), exif_gps=True)
    assert Image.open(io.BytesIO(photo)).getexif()  # the upload has them

    attachment = add(citizen, draft, component, "cccd.jpg", photo)

    clean = Image.open(io.BytesIO(stored(attachment)))
    assert clean.size == (32, 24)
    assert not clean.getexif()
    assert "EXIF" in attachment.sanitised


def test_the_officer_sees_what_was_removed(client, office, citizen, draft, component):
    from dossiers.drafts.services import draft_submit

    add(citizen, draft, component, "don.pdf", pdf_bytes(javascript="app.alert(1)"))
    dossier = draft_submit(draft=draft, declaration=True)
    client.force_login(office["people"]["reception_officer"])

    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()

    assert "hệ thống đã loại bỏ khỏi tệp: thao tác tự chạy khi mở tệp" in page
