"""The signing settings, read in one place (dvctt/settings/base.py sets them from the environment)."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

PKCS11 = "pkcs11"
FILE = "file"
BACKENDS = (PKCS11, FILE)
# pyhanko-certvalidator's revocation modes: "soft-fail" (checked when the information is at hand),
# "hard-fail" (an unreachable CRL fails), "require" (every certificate must have a CRL/OCSP answer).
REVOCATION_MODES = ("soft-fail", "hard-fail", "require")


@dataclass(frozen=True)
class SigningConfig:
    backend: str
    directory: Path
    pkcs11_module: str
    token_label: str
    pin: str
    so_pin: str
    trust_roots: tuple[Path, ...]
    crls: tuple[Path, ...]
    revocation_mode: str
    stamp_font: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.cert.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key.pem"

    def agency_cert(self, agency_code: str) -> Path:
        return self.directory / "agencies" / f"{agency_code}.cert.pem"

    def agency_key(self, agency_code: str) -> Path:
        return self.directory / "agencies" / f"{agency_code}.key.pem"

    def roots(self) -> tuple[Path, ...]:
        """The configured trust roots; none configured: the demo CA made by `signing_setup`."""
        return self.trust_roots or (self.ca_cert,)


def key_label(agency_code: str) -> str:
    """The label of an agency's key and certificate on the token."""
    return f"agency-{agency_code}"


def signing_config() -> SigningConfig:
    backend = settings.SIGNING_KEY_BACKEND
    if backend not in BACKENDS:
        raise ValueError(f"SIGNING_KEY_BACKEND must be one of {BACKENDS}, not {backend!r}")
    mode = settings.SIGNING_REVOCATION_MODE
    if mode not in REVOCATION_MODES:
        raise ValueError(f"SIGNING_REVOCATION_MODE must be one of {REVOCATION_MODES}, not {mode!r}")
    return SigningConfig(
        backend=backend,
        directory=Path(settings.SIGNING_DIR),
        pkcs11_module=settings.SIGNING_PKCS11_MODULE,
        token_label=settings.SIGNING_TOKEN_LABEL,
        pin=settings.SIGNING_PIN,
        so_pin=settings.SIGNING_SO_PIN,
        trust_roots=tuple(Path(p) for p in settings.SIGNING_TRUST_ROOTS),
        crls=tuple(Path(p) for p in settings.SIGNING_CRLS),
        revocation_mode=mode,
        stamp_font=Path(settings.SIGNING_STAMP_FONT),
    )
