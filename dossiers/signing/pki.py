"""The demo public-key infrastructure made at set-up (`manage.py signing_setup`): a demo root CA
and one certificate per agency, the agency's key generated inside the PKCS#11 token (it never
leaves it) or, for the embedded default only, written to a file.

A province replaces all of this with its real CA's certificates and its HSM or tokens
(docs/signing.md); nothing else in the code knows the keys came from here.
"""

import datetime as dt
import os
import shutil
import subprocess  # noqa: S404 - softhsm2-util, a fixed program with fixed arguments
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .config import FILE, PKCS11, SigningConfig, key_label

CA_NAME = "DVCTT Demo Root CA"
# Where the demo CA's revocation list is published (the portal serves it: dossiers/signing/views.py);
# named in every agency certificate, so a validator knows to check it ("require" mode fetches it).
CRL_PATH = "/xac-thuc/ca-demo.crl"
CRL_FILE = "ca.crl"
DEMO_YEARS = 5


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write(path: Path, data: bytes, *, secret: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if secret:
        path.chmod(0o600)


def ca_create(config: SigningConfig, *, now: dt.datetime | None = None) -> tuple[x509.Certificate, RSAPrivateKey]:
    """The demo root CA (kept when it exists: certificates issued before stay valid)."""
    if config.ca_cert.exists() and config.ca_key.exists():
        cert = x509.load_pem_x509_certificate(config.ca_cert.read_bytes())
        key = serialization.load_pem_private_key(config.ca_key.read_bytes(), password=None)
        assert isinstance(key, RSAPrivateKey)  # noqa: S101 - we wrote it
        return cert, key
    now = now or dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = _name(CA_NAME, "DVCTT Demo")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * DEMO_YEARS * 2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(config.ca_key, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()), secret=True)  # fmt: skip
    _write(config.ca_cert, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def agency_certificate(
    *,
    ca: tuple[x509.Certificate, RSAPrivateKey],
    public_key: RSAPublicKey,
    agency_name: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
    crl_url: str,
) -> x509.Certificate:
    """A signing certificate for an agency (the organisation's certificate, Decree 23/2025)."""
    ca_cert, ca_key = ca
    return (
        x509.CertificateBuilder()
        .subject_name(_name(agency_name, agency_name))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )  # fmt: skip
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def demo_crl_url() -> str:
    from dossiers.documents.rendering import portal_url

    return portal_url(CRL_PATH)


def crl_create(
    config: SigningConfig, *, revoked_serials: Iterable[int], path: Path | None = None, now: dt.datetime | None = None
) -> Path:
    """A CRL of the demo CA revoking `revoked_serials` (none: the empty list `signing_setup` publishes),
    written to `path` (default: the one the portal serves)."""
    path = path or config.directory / CRL_FILE
    ca_cert, ca_key = ca_create(config)
    now = now or dt.datetime.now(dt.UTC)
    builder = x509.CertificateRevocationListBuilder().issuer_name(ca_cert.subject)
    builder = builder.last_update(now - dt.timedelta(minutes=1)).next_update(now + dt.timedelta(days=7))
    builder = builder.add_extension(x509.CRLNumber(1), critical=False)
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
        critical=False,
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - dt.timedelta(minutes=1))
            .build()
        )
    crl = builder.sign(ca_key, hashes.SHA256())
    _write(path, crl.public_bytes(serialization.Encoding.DER))
    return path


def softhsm_conf_ensure(config: SigningConfig) -> None:
    """SoftHSM2 reads its token folder from SOFTHSM2_CONF: write that file (and the folder) when the
    variable names a file that does not exist yet; unset, use one inside the signing folder."""
    conf = Path(os.environ.get("SOFTHSM2_CONF") or config.directory / "softhsm2.conf")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    if conf.exists():
        return
    tokens = conf.parent / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    _write(conf, f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n".encode())


_loaded_with: dict[str, str] = {}


def pkcs11_lib(config: SigningConfig) -> Any:
    """The PKCS#11 module, loaded once per process; loaded again when SOFTHSM2_CONF changed since
    (SoftHSM2 reads its token folder at load: a test's own token, a token set up after start-up)."""
    import pkcs11

    lib = pkcs11.lib(config.pkcs11_module)
    conf = os.environ.get("SOFTHSM2_CONF", "")
    if _loaded_with.setdefault(config.pkcs11_module, conf) != conf:
        lib.reinitialize()
        _loaded_with[config.pkcs11_module] = conf
    return lib


def token_ensure(config: SigningConfig) -> None:
    """The token named SIGNING_TOKEN_LABEL, initialised with SIGNING_PIN when SoftHSM2 has none."""
    softhsm_conf_ensure(config)
    lib = pkcs11_lib(config)
    if any(slot.get_token().label == config.token_label for slot in lib.get_slots(token_present=True)):
        return
    if not config.pin:
        raise ValueError("SIGNING_PIN is empty: set the token's user PIN in the environment")
    util = shutil.which("softhsm2-util")
    if util is None:
        raise ValueError("softhsm2-util is not installed (Debian package softhsm2: `make softhsm`)")
    subprocess.run(  # noqa: S603 - a fixed program, our own arguments
        [
            util, "--init-token", "--free", "--label", config.token_label,
            "--pin", config.pin, "--so-pin", config.so_pin or config.pin,
        ],
        check=True, capture_output=True, env=os.environ.copy(),
    )  # fmt: skip
    # The module read its token folder when it was loaded in this process: reload it to see the new token.
    lib.reinitialize()


def agency_provision(
    config: SigningConfig,
    *,
    agency_code: str,
    agency_name: str,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    replace: bool = False,
) -> x509.Certificate:
    """An agency's key and certificate, on the token (pkcs11) or in files (file); kept when present
    unless `replace` (a new certificate, for instance after one expired or was revoked)."""
    now = dt.datetime.now(dt.UTC)
    not_before = not_before or now - dt.timedelta(days=1)
    not_after = not_after or now + dt.timedelta(days=365 * DEMO_YEARS)
    ca = ca_create(config)
    cert_path = config.agency_cert(agency_code)
    if config.backend == FILE:
        if cert_path.exists() and not replace:
            return x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = agency_certificate(
            ca=ca,
            public_key=key.public_key(),
            agency_name=agency_name,
            not_before=not_before,
            not_after=not_after,
            crl_url=demo_crl_url(),
        )
        _write(config.agency_key(agency_code), key.private_bytes(serialization.Encoding.PEM,
               serialization.PrivateFormat.PKCS8, serialization.NoEncryption()), secret=True)  # fmt: skip
        _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        return cert
    assert config.backend == PKCS11  # noqa: S101 - signing_config() checked it
    return _token_provision(config, ca=ca, agency_code=agency_code, agency_name=agency_name,
                            not_before=not_before, not_after=not_after, replace=replace)  # fmt: skip


def _token_provision(
    config: SigningConfig,
    *,
    ca: tuple[x509.Certificate, RSAPrivateKey],
    agency_code: str,
    agency_name: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
    replace: bool,
) -> x509.Certificate:
    from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass
    from pkcs11.util.rsa import encode_rsa_public_key

    token_ensure(config)
    label = key_label(agency_code)
    token = pkcs11_lib(config).get_token(token_label=config.token_label)
    with token.open(rw=True, user_pin=config.pin) as session:
        found = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: label}))
        if found and not replace:
            return x509.load_der_x509_certificate(bytes(found[0][Attribute.VALUE]))
        for old in session.get_objects({Attribute.LABEL: label}):
            old.destroy()
        key_id = label.encode()
        public, _private = session.generate_keypair(KeyType.RSA, 2048, id=key_id, label=label, store=True)
        loaded = serialization.load_der_public_key(encode_rsa_public_key(public))
        assert isinstance(loaded, RSAPublicKey)  # noqa: S101 - an RSA pair was asked for
        cert = agency_certificate(
            ca=ca,
            public_key=loaded,
            agency_name=agency_name,
            not_before=not_before,
            not_after=not_after,
            crl_url=demo_crl_url(),
        )
        der = cert.public_bytes(serialization.Encoding.DER)
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: key_id, Attribute.VALUE: der,
                Attribute.SUBJECT: cert.subject.public_bytes(),
            }
        )  # fmt: skip
    _write(config.agency_cert(agency_code), cert.public_bytes(serialization.Encoding.PEM))
    return cert
