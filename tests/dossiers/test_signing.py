"""Digital signatures on results and forms (issue 17): PAdES through a SoftHSM2 token, verified with
pyHanko; the token's and the certificate's failures; signing once; the return refused unsigned."""

import datetime as dt
import io
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from accounts.constants import Role
from dossiers.attachments.services import attachment_add
from dossiers.constants import AttachmentRole
from dossiers.exceptions import PaperResultNotConfirmed, ResultNotSigned
from dossiers.models import DocumentSignature, Dossier, DossierSigning
from dossiers.services import dossier_act
from dossiers.signing import pades, pki
from dossiers.signing.config import signing_config
from dossiers.signing.exceptions import (
    CertificateExpired,
    CertificateRevoked,
    PinWrong,
    TokenLocked,
    TokenMissing,
)
from dossiers.signing.services import dossier_sign, signature_verify_upload
from dossiers.signing.tasks import dossier_sign_task
from procedures.constants import ResultDelivery
from tests.factories import DossierFactory
from tests.signing_support import PIN, env_pin_reset, provision, use_files, use_token
from workflows.constants import Action, Status

R, S, L, C = Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.LEADER, Role.CLERK


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    env_pin_reset()
    yield
    env_pin_reset()


@pytest.fixture
def token(settings, tmp_path, monkeypatch):
    use_token(settings, tmp_path, monkeypatch)


def result_pdf(text: str = "Giấy khai sinh số 123/2026") -> bytes:
    import weasyprint

    return weasyprint.HTML(string=f"<h1>Quyết định</h1><p>{text}</p>").write_pdf()


def to_approval(office, *, delivery=ResultDelivery.ELECTRONIC, with_result=True) -> Dossier:
    """A dossier at the leader's step, its result PDF uploaded by the specialist."""
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"], result_delivery=delivery)
    people = office["people"]
    dossier_act(dossier_id=dossier.pk, actor=people[R], action=Action.RECEIVE)
    dossier_act(dossier_id=dossier.pk, actor=people[R], action=Action.FORWARD, to_step="tham_dinh")
    if with_result:
        attachment_add(
            owner_user=people[S], dossier=dossier, component=None, role=AttachmentRole.RESULT,
            upload=SimpleUploadedFile("ket-qua.pdf", result_pdf(), content_type="application/pdf"),
        )  # fmt: skip
    dossier_act(dossier_id=dossier.pk, actor=people[S], action=Action.FORWARD, to_step="phe_duyet")
    return dossier


def approve_and_dispatch(office, dossier):
    dossier_act(dossier_id=dossier.pk, actor=office["people"][L], action=Action.APPROVE)
    dossier_act(dossier_id=dossier.pk, actor=office["people"][C], action=Action.NUMBER_DISPATCH)


def result_bytes(dossier) -> bytes:
    attachment = dossier.attachments.get(role=AttachmentRole.RESULT)
    with attachment.file.open("rb") as handle:
        return handle.read()


def flip_one_byte(pdf: bytes) -> bytes:
    """One bit of one byte inside the page's content stream (covered by the signature)."""
    at = pdf.index(b"stream", 100) + 30
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]


def test_the_leaders_approval_signs_the_result_through_softhsm_and_one_changed_byte_breaks_it(office, token):
    # given the agency's key on the SoftHSM2 token and a dossier at the leader's step
    certificate = provision(office["agency"])
    dossier = to_approval(office)
    original = result_bytes(dossier)

    # when the leader approves and signs (the task the approval queued after commit)
    dossier_act(dossier_id=dossier.pk, actor=office["people"][L], action=Action.APPROVE)
    signing = DossierSigning.objects.get(dossier=dossier)
    assert (signing.requested_by, signing.signed_at) == (office["people"][L], None)
    ids = dossier_sign_task.apply(args=(dossier.pk,)).get()

    # then the result file is the signed PDF, recorded with its hash, certificate and code
    signature = DocumentSignature.objects.get(pk__in=ids, attachment__isnull=False)
    signed = result_bytes(dossier)
    assert signed[: len(original)] == original  # an incremental update: the original bytes untouched
    assert signature.sha256 == pades.sha256_hex(signed) == dossier.attachments.get(role="result").sha256
    assert signature.original_sha256 == pades.sha256_hex(original)
    assert signature.certificate_serial == format(certificate.serial_number, "X")
    assert (signature.signer_name, signature.agency_name) == ("Cán bộ leader", "Sở Tư pháp")
    assert "Sở Tư pháp" in signature.certificate_subject
    assert len(signature.code) == 12
    # and pyHanko validates it against the demo root: intact, trusted, PAdES, chain embedded
    reader = PdfFileReader(io.BytesIO(signed))
    (embedded,) = reader.embedded_signatures
    status = validate_pdf_signature(embedded, pades.validation_context(signing_config()))
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    embedded_subjects = {c.chosen.subject.native["common_name"] for c in embedded.signed_data["certificates"]}
    assert embedded_subjects == {"Sở Tư pháp", pki.CA_NAME}
    # and the stamp is visible on the last page (a widget with an area), in the leader's name
    widget = embedded.sig_field
    rect = [float(v) for v in widget["/Rect"]]
    assert rect[2] - rect[0] > 200
    assert rect[3] - rect[1] > 50
    assert embedded.sig_object["/Name"] == "Cán bộ leader"
    # and one flipped byte reads "modified"
    (check,) = pades.pdf_verify(signing_config(), signed)
    assert (check.untouched, check.trusted) == (True, True)
    (tampered,) = pades.pdf_verify(signing_config(), flip_one_byte(signed))
    assert tampered.untouched is False
    assert tampered.intact is False
    DossierSigning.objects.get(dossier=dossier, signed_at__isnull=False, last_error="")


def test_signing_twice_adds_no_second_signature(office, token):
    # given a signed dossier
    provision(office["agency"])
    dossier = to_approval(office)
    approve_and_dispatch(office, dossier)  # approval and issuing both ask for the signature
    first = dossier_sign(dossier_id=dossier.pk)
    signed = result_bytes(dossier)

    # when the task runs again (a redelivery, the clerk's step, "Ký số lại")
    again = dossier_sign(dossier_id=dossier.pk)

    # then nothing more was signed
    assert again == []
    assert [s.pk for s in first] == list(DocumentSignature.objects.filter(dossier=dossier).values_list("pk", flat=True))
    assert result_bytes(dossier) == signed


def test_a_wrong_pin_tells_the_leader_keeps_the_dossier_and_signs_once_the_pin_is_right(
    client, office, token, settings
):
    # given a token whose PIN the settings have wrong
    provision(office["agency"])
    dossier = to_approval(office)
    approve_and_dispatch(office, dossier)
    settings.SIGNING_PIN = "000000"

    # when the task runs
    with pytest.raises(PinWrong):
        dossier_sign_task.apply(args=(dossier.pk,)).get()
    # and again with the same wrong PIN: the token is not tried again (a real one would lock)
    with mock.patch("dossiers.signing.pades.agency_signer") as signer, pytest.raises(PinWrong):
        dossier_sign(dossier_id=dossier.pk)
    signer.assert_not_called()

    # then nothing is signed, the leader reads why, and the dossier cannot be returned unsigned
    signing = DossierSigning.objects.get(dossier=dossier)
    assert signing.signed_at is None
    assert signing.attempts == 2
    assert signing.last_error.startswith("Mã PIN của thiết bị ký số không đúng.")
    assert not DocumentSignature.objects.filter(dossier=dossier).exists()
    with pytest.raises(ResultNotSigned):
        dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.RETURN_RESULT)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSED
    client.force_login(office["people"][L])
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Chưa ký số được kết quả: Mã PIN của thiết bị ký số không đúng." in page
    assert "Ký số lại" in page

    # when the PIN is corrected (a restarted worker) and the task retries
    env_pin_reset()
    settings.SIGNING_PIN = PIN
    dossier_sign_task.apply(args=(dossier.pk,)).get()

    # then the result is signed and goes back to the citizen
    assert DossierSigning.objects.get(dossier=dossier).last_error == ""
    returned = dossier_act(dossier_id=dossier.pk, actor=office["people"][R], action=Action.RETURN_RESULT)
    assert returned.status == Status.RETURNED


def test_an_unplugged_token_is_said_plainly_and_a_locked_one_too(office, token, tmp_path):
    provision(office["agency"])
    dossier = to_approval(office)
    approve_and_dispatch(office, dossier)
    config = signing_config()

    # a token that is not there (the tokens folder emptied: unplugged)
    for path in sorted((tmp_path / "tokens").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    pki.pkcs11_lib(config).reinitialize()
    with pytest.raises(TokenMissing) as missing:
        dossier_sign(dossier_id=dossier.pk)
    assert "Không tìm thấy thiết bị ký số (token “dvctt-test”)" in str(missing.value)

    # a locked token (SoftHSM2 never locks: the module's answer stands in for a real token's)
    from pkcs11 import exceptions as p11

    with (
        mock.patch("pyhanko.sign.pkcs11.open_pkcs11_session", side_effect=p11.PinLocked()),
        pytest.raises(TokenLocked) as locked,
    ):
        dossier_sign(dossier_id=dossier.pk)
    assert "đã bị khóa" in str(locked.value)
    assert DossierSigning.objects.get(dossier=dossier).last_error == str(locked.value)


def test_an_expired_certificate_is_refused_before_signing(office, token):
    now = dt.datetime.now(dt.UTC)
    provision(office["agency"], not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=2))
    dossier = to_approval(office)
    approve_and_dispatch(office, dossier)

    with pytest.raises(CertificateExpired) as expired:
        dossier_sign(dossier_id=dossier.pk)

    expected_day = (now - dt.timedelta(days=2)).astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y")
    assert str(expired.value) == (
        f"Chứng thư số của cơ quan đã hết hạn ngày {expected_day}. Vui lòng gia hạn chứng thư số rồi ký lại."
    )
    assert not DocumentSignature.objects.exists()


def test_a_revoked_certificate_is_refused_and_a_new_one_signs(office, settings, tmp_path):
    # given the file backend (the embedded default) and a CRL revoking the agency's certificate
    use_files(settings, tmp_path)
    revoked = provision(office["agency"])
    crl = pki.crl_create(signing_config(), revoked_serials=[revoked.serial_number], path=tmp_path / "demo.crl")
    settings.SIGNING_CRLS = [str(crl)]
    dossier = to_approval(office)
    approve_and_dispatch(office, dossier)

    with pytest.raises(CertificateRevoked):
        dossier_sign(dossier_id=dossier.pk)
    assert not DocumentSignature.objects.exists()

    # when the agency gets a new certificate, the retry signs
    provision(office["agency"], replace=True)
    (signature, *_forms) = dossier_sign(dossier_id=dossier.pk)
    assert signature.attachment is not None
    answer = signature_verify_upload(data=result_bytes(dossier))
    assert answer.untouched
    assert answer.trusted
    assert answer.record == signature


def test_the_task_retries_a_token_failure_through_the_broker(office, token, settings):
    provision(office["agency"])
    dossier = to_approval(office)
    approve_and_dispatch(office, dossier)
    settings.SIGNING_PIN = "000000"

    # when a worker (not eager) runs the task and the token refuses
    dossier_sign_task.push_request(id="sign-1", retries=2, is_eager=False, called_directly=False)
    try:
        with mock.patch.object(dossier_sign_task, "apply_async") as published, pytest.raises(Retry) as retry:
            dossier_sign_task.run(dossier.pk)
    finally:
        dossier_sign_task.pop_request()

    # then it is scheduled again with backoff (15 s doubling, capped at 10 minutes)
    assert isinstance(retry.value.exc, PinWrong)
    assert published.call_args.kwargs["countdown"] == 60


def test_the_return_is_refused_until_signed_or_the_paper_result_is_confirmed(office, settings, tmp_path):
    use_files(settings, tmp_path)
    provision(office["agency"])
    # an electronic result: only once signed
    electronic = to_approval(office)
    approve_and_dispatch(office, electronic)
    with pytest.raises(ResultNotSigned):
        dossier_act(dossier_id=electronic.pk, actor=office["people"][R], action=Action.RETURN_RESULT)
    dossier_sign(dossier_id=electronic.pk)
    assert dossier_act(dossier_id=electronic.pk, actor=office["people"][R], action=Action.RETURN_RESULT).returned_at
    # a paper result collected at the desk, no file: once the officer confirms it is ready
    paper = to_approval(office, delivery=ResultDelivery.DESK, with_result=False)
    approve_and_dispatch(office, paper)
    with pytest.raises(PaperResultNotConfirmed):
        dossier_act(dossier_id=paper.pk, actor=office["people"][R], action=Action.RETURN_RESULT)
    assert Dossier.objects.get(pk=paper.pk).status == Status.PROCESSED
    returned = dossier_act(
        dossier_id=paper.pk, actor=office["people"][R], action=Action.RETURN_RESULT, data={"paper_result_ready": True}
    )
    assert returned.status == Status.RETURNED


def test_sign_again_asks_for_the_signing_task_after_commit(
    client, office, settings, tmp_path, django_capture_on_commit_callbacks
):
    # given a result uploaded after the leader signed (nothing to sign then)
    use_files(settings, tmp_path)
    provision(office["agency"])
    dossier = to_approval(office, with_result=False)
    approve_and_dispatch(office, dossier)
    assert dossier_sign(dossier_id=dossier.pk) == []
    attachment_add(
        owner_user=office["people"][R], dossier=dossier, component=None, role=AttachmentRole.RESULT,
        upload=SimpleUploadedFile("ket-qua.pdf", result_pdf(), content_type="application/pdf"),
    )  # fmt: skip
    client.force_login(office["people"][R])

    # when the officer presses "Ký số lại"
    with (
        mock.patch("dossiers.signing.handlers.publish_now") as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("dossiers:sign_again", args=[dossier.code]), follow=True)

    # then the signing task is queued for the dossier, and it signs the new result
    assert "Đã yêu cầu ký số lại kết quả và các văn bản của hồ sơ." in response.content.decode()
    published.assert_called_once_with(dossier_sign_task, (dossier.pk,))
    (signature,) = dossier_sign_task.apply(args=published.call_args.args[1]).get()
    assert DocumentSignature.objects.get(pk=signature).attachment.name == "ket-qua.pdf"
