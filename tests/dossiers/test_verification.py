"""The public verification page (/xac-thuc/): by code (the stamp's QR code) or by uploading the PDF;
bad uploads answered plainly with nothing stored; only what the document itself shows; and the
"paper value" wording only on a signed result."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.constants import Role
from dossiers.models import Attachment, DocumentSignature, StoredDocument
from dossiers.services import dossier_act
from tests.dossiers.test_signing import flip_one_byte, result_bytes, to_approval
from tests.files import PDF
from tests.signing_support import env_pin_reset, sign
from workflows.constants import Action

PAPER_VALUE = "có giá trị như bản giấy"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_DIR = str(tmp_path / "signing")
    env_pin_reset()


@pytest.fixture
def signed(office):
    dossier = to_approval(office)
    dossier_act(dossier_id=dossier.pk, actor=office["people"][Role.LEADER], action=Action.APPROVE)
    (signature,) = sign(dossier)
    return {"dossier": dossier, "signature": signature, "pdf": result_bytes(dossier)}


def upload(client, name, data, content_type="application/pdf"):
    return client.post(reverse("verification:verify"), {"file": SimpleUploadedFile(name, data, content_type)})


def counts():
    return (Attachment.objects.count(), DocumentSignature.objects.count(), StoredDocument.objects.count())


def test_the_qr_code_opens_the_documents_check_with_no_personal_data(client, signed):
    # when anyone opens the code printed under the stamp's QR code
    signature = signed["signature"]
    page = client.get(reverse("verification:by_code", args=[signature.code]))

    # then it says intact, names the agency, signer, time and hash, and nothing of the applicant
    text = page.content.decode()
    assert page.status_code == 200
    assert "Văn bản nguyên vẹn" in text
    assert "nguyên vẹn" in text
    assert "đã bị sửa đổi" not in text
    for shown in ("Sở Tư pháp", "Cán bộ leader", signature.sha256, signature.code, "Kết quả giải quyết"):
        assert shown in text
    dossier = signed["dossier"]
    hidden = [
        v for v in (dossier.applicant_name, dossier.applicant_id_number, dossier.applicant_phone, dossier.code) if v
    ]
    assert dossier.applicant_name in hidden
    for value in hidden:
        assert value not in text
    # and a code typed in lowercase, with spaces, finds it too
    typed = client.get(reverse("verification:verify"), {"code": f"  {signature.code.lower()} "})
    assert typed.status_code == 302
    assert typed.url == reverse("verification:by_code", args=[signature.code])


def test_an_uploaded_signed_pdf_is_intact_and_one_changed_byte_is_modified(client, signed):
    before = counts()

    good = upload(client, "ket-qua.pdf", signed["pdf"]).content.decode()
    bad = upload(client, "ket-qua.pdf", flip_one_byte(signed["pdf"])).content.decode()

    assert "Văn bản nguyên vẹn" in good
    assert "trùng khớp" in good  # the very file we issued
    assert "Văn bản đã bị sửa đổi" in bad
    assert "Văn bản nguyên vẹn" not in bad
    assert counts() == before  # nothing uploaded is kept


@pytest.mark.parametrize(
    ("name", "data", "answer"),
    [
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "Tệp tải lên không phải tệp PDF."),
        ("chua-ky.pdf", PDF, "Tệp PDF này không mang chữ ký số nào: không xác thực được."),
        ("hong.pdf", b"%PDF-1.7\n garbage with no objects", "Không đọc được tệp PDF này"),
    ],
)
def test_a_bad_upload_gets_a_plain_answer_and_nothing_is_stored(client, db, name, data, answer):
    before = counts()

    response = upload(client, name, data)

    assert response.status_code == 400
    assert answer in response.content.decode()
    assert counts() == before


def test_a_huge_upload_is_refused_by_its_size(client, db, settings):
    settings.SIGNING_VERIFY_MAX_BYTES = 1024 * 1024

    response = upload(client, "lon.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))

    assert response.status_code == 400
    assert "Tệp quá lớn (tối đa 1 MB)." in response.content.decode()


def test_an_unknown_code_is_a_404_that_says_so(client, db):
    response = client.get(reverse("verification:by_code", args=["ABCDEFGHJKLM"]))

    assert response.status_code == 404
    assert "Không có văn bản nào mang mã xác thực “ABCDEFGHJKLM”." in response.content.decode()


def test_a_pdf_signed_by_a_certificate_outside_the_trust_roots_is_not_accepted(client, signed, settings, tmp_path):
    # given the page trusts another root only
    from dossiers.signing import pki
    from dossiers.signing.config import signing_config

    settings.SIGNING_DIR = str(tmp_path / "other")
    pki.ca_create(signing_config())

    text = upload(client, "ket-qua.pdf", signed["pdf"]).content.decode()

    assert "không được chứng thực bởi tổ chức tin cậy" in text


def test_the_paper_value_wording_shows_only_on_a_signed_result(client, office):
    # given two returned dossiers of the citizen, one result signed, one not (a paper result)
    citizen = office["people"][Role.CITIZEN]
    signed_one = to_approval(office)
    unsigned = to_approval(office, delivery="desk")
    for dossier in (signed_one, unsigned):
        dossier.applicant = citizen
        dossier.save(update_fields=["applicant"])
        dossier_act(dossier_id=dossier.pk, actor=office["people"][Role.LEADER], action=Action.APPROVE)
        dossier_act(dossier_id=dossier.pk, actor=office["people"][Role.CLERK], action=Action.NUMBER_DISPATCH)
    sign(signed_one)
    reception = office["people"][Role.RECEPTION_OFFICER]
    dossier_act(dossier_id=signed_one.pk, actor=reception, action=Action.RETURN_RESULT)
    # (the paper one: its uploaded copy left unsigned)
    Attachment.objects.filter(dossier=unsigned).update(name="ban-sao.pdf")
    DocumentSignature.objects.filter(dossier=unsigned).delete()
    dossier_act(dossier_id=unsigned.pk, actor=reception, action=Action.RETURN_RESULT, data={"paper_result_ready": True})
    client.force_login(citizen)

    signed_page = client.get(reverse("dossiers:my_dossier", args=[signed_one.code])).content.decode()
    unsigned_page = client.get(reverse("dossiers:my_dossier", args=[unsigned.code])).content.decode()

    assert PAPER_VALUE in signed_page
    assert reverse("verification:by_code", args=[signed_one.signatures.get().code]) in signed_page
    assert PAPER_VALUE not in unsigned_page
    assert "ban-sao.pdf" in unsigned_page
