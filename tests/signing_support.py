"""Signing keys for tests: a SoftHSM2 token of the test's own (`make test` installs softhsm2) in a
temporary SOFTHSM2_CONF folder, or key files; the demo CA made by dossiers.signing.pki either way."""

import os
import shutil
import threading
from pathlib import Path

import pytest

from dossiers.signing import pki
from dossiers.signing.config import signing_config

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "246810"
SO_PIN = "13579135"


def softhsm_available() -> bool:
    return shutil.which("softhsm2-util") is not None and Path(SOFTHSM_MODULE).exists()


def use_token(settings, tmp_path: Path, monkeypatch) -> None:
    """SIGNING_KEY_BACKEND=pkcs11 on a fresh SoftHSM2 token in `tmp_path` (its own SOFTHSM2_CONF)."""
    if not softhsm_available():
        pytest.fail("softhsm2 is not installed: `make softhsm` (make test does it)")
    conf = tmp_path / "softhsm2.conf"
    (tmp_path / "tokens").mkdir()
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    settings.SIGNING_KEY_BACKEND = "pkcs11"
    settings.SIGNING_PKCS11_MODULE = SOFTHSM_MODULE
    settings.SIGNING_TOKEN_LABEL = "dvctt-test"
    settings.SIGNING_PIN = PIN
    settings.SIGNING_SO_PIN = SO_PIN
    settings.SIGNING_DIR = str(tmp_path / "signing")
    pki.token_ensure(signing_config())


def use_files(settings, tmp_path: Path) -> None:
    settings.SIGNING_KEY_BACKEND = "file"
    settings.SIGNING_DIR = str(tmp_path / "signing")


def provision(agency, **kwargs):
    return pki.agency_provision(signing_config(), agency_code=agency.code, agency_name=agency.name, **kwargs)


def env_pin_reset() -> None:
    """Forget the PINs a token refused in this process (a new worker after the PIN was corrected)."""
    from dossiers.signing import services

    services._refused_pins.clear()
    os.environ.pop("SIGNING_PIN", None)


PAPER_READY = {"paper_result_ready": True}


def returning(action) -> dict | None:
    """The officer's confirmation that the paper result is ready, for the return (others: none)."""
    return PAPER_READY if action == "return_result" else None


def sign(dossier) -> list:
    """Sign the dossier's result and forms now with the agency's key (made if missing), as the task
    queued by the leader's approval does; the test settings' file keys in a throwaway folder."""
    from dossiers.signing.services import dossier_sign

    provision(dossier.agency)
    return dossier_sign(dossier_id=dossier.pk)


def off_the_loop(work):
    """Run `work` in a thread of its own: Playwright's sync API holds an event loop in this one,
    and pyHanko signs through asyncio."""
    from django.db import connections

    out = {}

    def run():
        try:
            out["value"] = work()
        finally:
            connections.close_all()  # this thread's own connection: the test database is dropped after

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out["value"]
