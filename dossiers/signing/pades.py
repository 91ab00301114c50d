"""PAdES baseline signatures with pyHanko: opening the agency's key (PKCS#11 or a file), checking
its certificate before use, signing with a visible stamp and a QR code, validating a signed PDF.

Pure of the database: paths, bytes and names in, bytes and plain results out.
"""

import asyncio
import datetime as dt
import hashlib
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from .config import FILE, SigningConfig, key_label
from .exceptions import (
    CertificateExpired,
    CertificateMissing,
    CertificateRevoked,
    CertificateUntrusted,
    PdfUnreadable,
    PdfUnsigned,
    PinWrong,
    TokenLocked,
    TokenMissing,
)

FIELD_NAME = "ChuKySo"
# The stamp, bottom left of the last page (points): below the signature block of the forms.
STAMP_BOX = (40, 20, 330, 96)
_font_lock = threading.Lock()
_scaled_fonts: dict[Path, Path] = {}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stamp_font(config: SigningConfig) -> Path:
    """The stamp's typeface (Liberation Serif: every Vietnamese letter) scaled to 1000 units per em,
    the unit pyHanko's OpenType layout assumes (Liberation has 2048: glyphs would overlap). Made
    once, kept beside the keys."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    target = config.directory / "fonts" / f"{config.stamp_font.stem}-1000upem.ttf"
    with _font_lock:
        made = _scaled_fonts.get(config.stamp_font)
        if made is not None and made.exists():
            return made  # scaled once per process (a test run changes the signing folder often)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            font = TTFont(str(config.stamp_font))
            if font["head"].unitsPerEm != 1000:
                scale_upem(font, 1000)
            partial = target.with_suffix(".part")
            font.save(str(partial))
            partial.replace(target)
        _scaled_fonts[config.stamp_font] = target
    return target


def _load_pem_certs(path: Path) -> list[Any]:
    from asn1crypto import pem, x509

    data = path.read_bytes()
    if not pem.detect(data):
        return [x509.Certificate.load(data)]
    return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]


def trust_roots(config: SigningConfig) -> list[Any]:
    roots: list[Any] = []
    for path in config.roots():
        if path.exists():
            roots.extend(_load_pem_certs(path))
    return roots


def validation_context(config: SigningConfig, *, moment: dt.datetime | None = None) -> Any:
    """Trust roots, local CRLs and the revocation mode from the settings (no network fetch unless the
    mode needs one: certificates of a real CA name their CRL and OCSP addresses)."""
    from asn1crypto import crl
    from pyhanko_certvalidator import ValidationContext

    # The configured CRL files; none configured: the demo CA's own list, when signing_setup wrote one.
    paths = config.crls or (config.directory / "ca.crl",)
    crls = [crl.CertificateList.load(p.read_bytes()) for p in paths if p.exists()]
    return ValidationContext(
        trust_roots=trust_roots(config),
        crls=crls,
        revocation_mode=config.revocation_mode,
        allow_fetching=config.revocation_mode != "soft-fail",
        moment=moment,
    )


def certificate_check(config: SigningConfig, cert: Any) -> None:
    """Refuse a certificate that is expired, revoked or not issued under the trust roots, before
    anything is signed with it (a signature made with it would never verify)."""
    from pyhanko_certvalidator import CertificateValidator
    from pyhanko_certvalidator.errors import PathValidationError, RevokedError

    now = timezone.now()
    if cert.not_valid_after < now:
        raise CertificateExpired(date=timezone.localtime(cert.not_valid_after).strftime("%d/%m/%Y"))
    validator = CertificateValidator(cert, validation_context=validation_context(config, moment=now))
    try:
        asyncio.run(validator.async_validate_usage({"digital_signature"}))
    except RevokedError:
        raise CertificateRevoked() from None
    except PathValidationError as exc:
        if "revoked" in str(exc).lower():
            raise CertificateRevoked() from None
        raise CertificateUntrusted(reason=str(exc)) from None


@contextmanager
def agency_signer(config: SigningConfig, *, agency_code: str, agency_name: str) -> Iterator[Any]:
    """A pyHanko signer for the agency's key, its certificate checked, chain to the root embedded.

    PKCS#11 errors become SigningUnavailable subclasses with a message for the leader."""
    from pkcs11 import exceptions as p11
    from pyhanko.sign import signers

    chain = trust_roots(config)
    if config.backend == FILE:
        cert_path, key_path = config.agency_cert(agency_code), config.agency_key(agency_code)
        if not (cert_path.exists() and key_path.exists()):
            raise CertificateMissing(agency=agency_name)
        signer = signers.SimpleSigner.load(str(key_path), str(cert_path), ca_chain_files=())
        if signer is None:
            raise CertificateMissing(agency=agency_name)
        signer.cert_registry.register_multiple(chain)
        certificate_check(config, signer.signing_cert)
        yield signer
        return
    from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session

    from .pki import pkcs11_lib

    label = key_label(agency_code)
    try:
        pkcs11_lib(config)
        session = open_pkcs11_session(
            config.pkcs11_module, token_criteria=TokenCriteria(label=config.token_label), user_pin=config.pin
        )
    except p11.PinIncorrect:
        raise PinWrong() from None
    except p11.PinLocked:
        raise TokenLocked() from None
    except (p11.NoSuchToken, p11.TokenNotPresent, p11.DeviceRemoved, p11.DeviceError):
        raise TokenMissing(label=config.token_label) from None
    except Exception as exc:  # pyHanko wraps "no token with this label" in its own error
        if "token" in str(exc).lower():
            raise TokenMissing(label=config.token_label) from None
        raise
    try:
        try:
            signer = PKCS11Signer(session, cert_label=label, key_label=label, ca_chain=chain)
            cert = signer.signing_cert
        except Exception as exc:
            if isinstance(exc, p11.PKCS11Error) and isinstance(exc, p11.DeviceRemoved):
                raise TokenMissing(label=config.token_label) from None
            raise CertificateMissing(agency=agency_name) from None
        certificate_check(config, cert)
        yield signer
    finally:
        session.close()


@dataclass(frozen=True)
class Stamp:
    agency: str
    signer: str
    url: str


def pdf_sign(config: SigningConfig, pdf: bytes, *, signer: Any, stamp: Stamp, at: dt.datetime) -> bytes:
    """`pdf` with one PAdES baseline-B signature (signer's chain embedded, SHA-256) and its visible
    stamp on the last page: the agency, the signer, the time and a QR code to `stamp.url`."""
    from pyhanko import stamp as stamps
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        last_page = int(PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"]) - 1
    except Exception as exc:
        raise PdfUnreadable() from exc
    style = stamps.QRStampStyle(
        stamp_text="Ký bởi: %(agency)s\nNgười ký: %(signer)s\nThời gian ký: %(when)s\nXác thực: %(url)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(stamp_font(config))), font_size=7),
        border_width=1,
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Phê duyệt, ký kết quả giải quyết thủ tục hành chính",
        location=stamp.agency,
        name=stamp.signer,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=last_page, box=STAMP_BOX),
    )
    out = io.BytesIO()
    pdf_signer.sign_pdf(
        writer,
        output=out,
        appearance_text_params={
            "agency": stamp.agency,
            "signer": stamp.signer,
            "when": timezone.localtime(at).strftime("%H:%M %d/%m/%Y"),
            "url": stamp.url,
        },
    )
    return out.getvalue()


@dataclass(frozen=True)
class Verification:
    """What the public page shows of one signature: nothing about the applicant."""

    intact: bool  # the signed bytes are those the signer signed
    trusted: bool  # the certificate chains to a configured trust root (and is not revoked)
    valid: bool  # the cryptographic signature itself checks
    covers_whole_file: bool  # nothing was appended after the signature
    signer: str
    organisation: str
    serial: str
    signed_at: dt.datetime | None
    sha256: str
    summary: str  # pyHanko's own line, for the record

    @property
    def untouched(self) -> bool:
        return self.intact and self.valid and self.covers_whole_file


def pdf_verify(config: SigningConfig, pdf: bytes) -> list[Verification]:
    """Every signature of `pdf`, validated against the trust roots. PdfUnreadable when it does not
    parse as a PDF, PdfUnsigned when it has no signature."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        raise PdfUnreadable() from exc
    if not embedded:
        raise PdfUnsigned()
    results = []
    for signature in embedded:
        cert = signature.signer_cert
        subject = cert.subject.native
        try:
            status = validate_pdf_signature(signature, validation_context(config))
            intact, valid, trusted = status.intact, status.valid, status.trusted and not status.revoked
            covers = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
            summary = status.summary()
            signed_at = status.signer_reported_dt
        except Exception as exc:  # a mangled signature dictionary: it does not vouch for anything
            intact = valid = trusted = covers = False
            summary, signed_at = f"{type(exc).__name__}: {exc}", None
        results.append(
            Verification(
                intact=intact, valid=valid, trusted=trusted, covers_whole_file=covers,
                signer=subject.get("common_name", ""), organisation=subject.get("organization_name", ""),
                serial=format(cert.serial_number, "X"), signed_at=signed_at, sha256=sha256_hex(pdf), summary=summary,
            )
        )  # fmt: skip
    return results
