"""Signing a dossier's result and legal forms, and verifying signed PDFs (the public page).

`dossier_sign` is what the Celery task calls (after the leader's "approve and sign" and the
clerk's issuing step); `dossier_signing_request` records that a signature is due (in the
approving transaction); `signature_verify_upload` / `signature_get_by_code` serve the public page.
"""

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from dossiers.constants import AttachmentRole
from dossiers.documents.rendering import portal_url
from dossiers.events import DossierSigningRequested, publish, use_case
from dossiers.models import Attachment, DocumentSignature, Dossier, DossierDocument, DossierSigning

from . import pades
from .config import PKCS11, SigningConfig, signing_config
from .exceptions import NotAPdf, PdfTooLarge, PinWrong, SigningUnavailable

logger = logging.getLogger(__name__)

PDF = "application/pdf"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
CODE_LENGTH = 12
# PINs the token refused in this process: never tried again (a real token locks after a few wrong
# tries). A corrected PIN comes with a restart (it is read from the environment), so it is tried.
_refused_pins: set[str] = set()


def verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verification_url(code: str) -> str:
    return portal_url(f"/xac-thuc/{code}/")


def dossier_signing_request(*, dossier: Dossier, actor: User | None, at: dt.datetime) -> DossierSigning:
    """In the approving transaction: a signature is due for this dossier, by `actor` (kept on the
    row so the task and a later "Ký số lại" sign in the leader's name). Idempotent per dossier."""
    signing, created = DossierSigning.objects.get_or_create(
        dossier=dossier, defaults={"requested_by": actor, "requested_at": at}
    )
    if not created and signing.signed_at is not None:
        # The clerk's issuing step after the leader signed: sign what was added since (a form).
        signing.signed_at = None
        signing.save(update_fields=["signed_at"])
    return signing


@use_case
def dossier_signing_retry(*, dossier_id: int, actor: User) -> DossierSigning:
    """ "Ký số lại": ask for the dossier's signature again (after a token was plugged back or a
    certificate renewed). Side effect: the signing task, after commit. Idempotent."""
    from dossiers import access

    dossier = Dossier.objects.get(pk=dossier_id)
    access.require_act_on_dossier(actor, dossier)
    signing = dossier_signing_request(dossier=dossier, actor=actor, at=timezone.now())
    publish(DossierSigningRequested(at=timezone.now(), actor_id=actor.pk, dossier_id=dossier.pk))
    return signing


def _pending(dossier: Dossier) -> list[Attachment | DossierDocument]:
    results = list(
        dossier.attachments.filter(role=AttachmentRole.RESULT, content_type=PDF, signature__isnull=True).order_by("pk")
    )
    forms = list(dossier.documents.filter(signature__isnull=True).order_by("pk"))
    return [*results, *forms]


def _title(item: Attachment | DossierDocument) -> str:
    if isinstance(item, Attachment):
        return f"Kết quả giải quyết: {item.dossier.procedure.result_document or item.dossier.procedure.name}"  # type: ignore[union-attr]
    return f"Mẫu {item.kind}: {item.get_kind_display()}"


def dossier_sign(*, dossier_id: int) -> list[DocumentSignature]:
    """Sign every result PDF and legal form of the dossier that has no signature yet, with its
    agency's certificate, in the requesting leader's name; returns the new signatures.

    Idempotent: a file is signed once (its DocumentSignature row; the signing row is locked while
    signing, so two workers never sign the same file twice). Raises SigningUnavailable (wrong PIN,
    locked or missing token, expired or revoked certificate) with nothing signed and the failure
    recorded on the DossierSigning row for the leader to read; the caller retries.
    """
    config = signing_config()
    pin_key = hashlib.sha256(config.pin.encode()).hexdigest()
    try:
        if config.backend == PKCS11 and pin_key in _refused_pins:
            raise PinWrong()
        return _dossier_sign(config, dossier_id)
    except SigningUnavailable as exc:
        if isinstance(exc, PinWrong):
            _refused_pins.add(pin_key)
        # The signing transaction rolled back (no file half signed); the failure is kept.
        DossierSigning.objects.filter(dossier_id=dossier_id).update(
            last_error=str(exc)[:500], last_error_at=timezone.now(), attempts=F("attempts") + 1
        )
        logger.warning("dossier %s not signed: %s", dossier_id, exc)
        raise


@transaction.atomic
def _dossier_sign(config: SigningConfig, dossier_id: int) -> list[DocumentSignature]:
    signing = (
        DossierSigning.objects.select_for_update(of=("self",))
        .select_related("dossier__agency", "dossier__procedure", "requested_by")
        .get(dossier_id=dossier_id)
    )
    pending = _pending(signing.dossier)
    signed = _sign_all(config, signing, pending) if pending else []
    if signed or signing.signed_at is None:
        signing.signed_at, signing.last_error = timezone.now(), ""
        signing.attempts += 1
        signing.save(update_fields=["signed_at", "last_error", "attempts"])
    return signed


def _sign_all(
    config: SigningConfig, signing: DossierSigning, pending: list[Attachment | DossierDocument]
) -> list[DocumentSignature]:
    dossier = signing.dossier
    agency = dossier.agency
    signer_name = str(signing.requested_by) if signing.requested_by else agency.name
    made = []
    with pades.agency_signer(config, agency_code=agency.code, agency_name=agency.name) as signer:
        cert = signer.signing_cert
        for item in pending:
            with item.file.open("rb") as handle:
                original = handle.read()
            code = verification_code()
            now = timezone.now()
            signed = pades.pdf_sign(
                config, original, signer=signer,
                stamp=pades.Stamp(agency=agency.name, signer=signer_name, url=verification_url(code)), at=now,
            )  # fmt: skip
            original_name = item.file.name
            digest = pades.sha256_hex(signed)
            item.file.save(f"{dossier.code}-ky-so.pdf", ContentFile(signed), save=False)
            item.sha256 = digest
            if isinstance(item, Attachment):
                item.size = len(signed)
                item.save(update_fields=["file", "sha256", "size"])
            else:
                item.save(update_fields=["file", "sha256"])
            made.append(
                DocumentSignature.objects.create(
                    dossier=dossier,
                    attachment=item if isinstance(item, Attachment) else None,
                    document=item if isinstance(item, DossierDocument) else None,
                    code=code,
                    title=_title(item)[:255],
                    sha256=digest,
                    original_sha256=pades.sha256_hex(original),
                    original_file=original_name,
                    signer=signing.requested_by,
                    signer_name=signer_name,
                    agency_name=agency.name,
                    certificate_subject=cert.subject.human_friendly[:500],
                    certificate_serial=format(cert.serial_number, "X"),
                    signed_at=now,
                )  # fmt: skip
            )
    return made


def dossier_result_signed(*, dossier: Dossier) -> bool:
    """Every result file of the dossier carries its signature (and there is at least one)."""
    results = list(dossier.attachments.filter(role=AttachmentRole.RESULT).values_list("signature__id", flat=True))
    return bool(results) and all(s is not None for s in results)


def signature_get_by_code(*, code: str) -> DocumentSignature | None:
    return DocumentSignature.objects.filter(code=code.strip().upper()).first()


@dataclass(frozen=True)
class VerificationAnswer:
    """What the public page shows for one PDF: each signature's check, and our record of the file
    (found by its hash: the signed file exactly as we issued it) when there is one."""

    checks: list[pades.Verification]
    record: DocumentSignature | None

    @property
    def untouched(self) -> bool:
        return bool(self.checks) and all(c.untouched for c in self.checks)

    @property
    def trusted(self) -> bool:
        return bool(self.checks) and all(c.trusted for c in self.checks)


def pdf_check(*, data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise PdfTooLarge(limit=max_bytes // (1024 * 1024))
    if not data.lstrip()[:5] == b"%PDF-":
        raise NotAPdf()


def signature_verify_upload(*, data: bytes) -> VerificationAnswer:
    """Check an uploaded PDF; stores nothing. NotAPdf, PdfTooLarge, PdfUnreadable, PdfUnsigned."""
    from django.conf import settings

    pdf_check(data=data, max_bytes=settings.SIGNING_VERIFY_MAX_BYTES)
    checks = pades.pdf_verify(signing_config(), data)
    record = DocumentSignature.objects.filter(sha256=pades.sha256_hex(data)).first()
    return VerificationAnswer(checks=checks, record=record)


def signature_verify_record(*, signature: DocumentSignature) -> VerificationAnswer:
    """Check the signed file we keep for `signature` (the page a QR code opens)."""
    item = signature.attachment or signature.document
    assert item is not None  # noqa: S101 - the row's check constraint
    with item.file.open("rb") as handle:
        data = handle.read()
    return VerificationAnswer(checks=pades.pdf_verify(signing_config(), data), record=signature)
