"""Production settings: the stand-in outside systems are off unless asked for."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dvctt.settings.base import DEV_SECRETS

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django, json; django.setup(); from django.conf import settings; from django.urls import resolve, Resolver404\n"
    "try:\n    resolve('/mock/oauth/token'); mounted = True\nexcept Resolver404:\n    mounted = False\n"
    "print(json.dumps({'enabled': settings.MOCK_PORTAL_ENABLED, 'mounted': mounted,"
    " 'apps': [a for a in settings.INSTALLED_APPS if 'mock' in a]}))"
)


# What a production deployment must set; each value differs from the development one.
PRODUCTION = {
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "dichvucong.example.vn",
    "PAYMENT_SECRET": "a-real-payment-secret",
    "VNEID_CLIENT_SECRET": "a-real-vneid-secret",
    "NATIONAL_PORTAL_CLIENT_SECRET": "a-real-national-secret",
    "POPULATION_REGISTRY_CLIENT_SECRET": "a-real-registry-secret",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SMS_BACKEND": "dossiers.notifications.services.ConsoleSmsBackend",
}
OURS = {
    *PRODUCTION,
    "MOCK_PORTAL_ENABLED",
    "DEBUG",
    "CLAMAV_ENABLED",
    "S3_BUCKET",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
}


def run_prod(code: str, **extra: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in OURS}
    env.update({"DJANGO_SETTINGS_MODULE": "dvctt.settings.prod", **PRODUCTION})
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)


def probe(**extra: str) -> dict:
    out = run_prod(PROBE, **extra)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_serves_no_stand_in_by_default():
    assert probe() == {"enabled": False, "mounted": False, "apps": []}


def test_a_demonstration_stack_can_ask_for_it():
    answer = probe(MOCK_PORTAL_ENABLED="true")

    assert answer == {
        "enabled": True,
        "mounted": True,
        "apps": ["emc_sync.mock_portal", "emc_sync.mock_portal.citizen"],
    }


@pytest.mark.parametrize(
    "name",
    [
        "SECRET_KEY",
        "PAYMENT_SECRET",
        "VNEID_CLIENT_SECRET",
        "NATIONAL_PORTAL_CLIENT_SECRET",
        "POPULATION_REGISTRY_CLIENT_SECRET",
    ],
)
@pytest.mark.parametrize("value", ["development", "", None])
def test_production_refuses_a_development_empty_or_missing_secret_and_names_it(name, value):
    chosen = DEV_SECRETS[name] if value == "development" else value

    out = run_prod("import django; django.setup()", **{name: chosen})

    assert out.returncode != 0
    assert name in out.stderr.splitlines()[-1]


def test_production_refuses_debug_from_the_environment():
    out = run_prod("import django; django.setup()", DEBUG="true")

    assert out.returncode != 0
    assert "DEBUG" in out.stderr.splitlines()[-1]


@pytest.mark.parametrize("name", ["EMAIL_BACKEND", "SMS_BACKEND"])
def test_production_wants_the_mail_and_sms_backends_named(name):
    out = run_prod("import django; django.setup()", **{name: None})

    assert out.returncode != 0
    assert name in out.stderr.splitlines()[-1]


HTTP_PROBE = (
    "import django; django.setup(); from django.test import Client; c = Client();"
    "print(c.get('/readyz').status_code in (200, 503), c.get('/healthz').status_code in (200, 503),"
    " c.get('/').status_code)"
)


def test_the_documented_probes_answer_over_plain_http_while_pages_go_to_https():
    out = run_prod(HTTP_PROBE, ALLOWED_HOSTS="testserver")

    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1].split() == ["True", "True", "301"]


def test_production_scans_uploads_and_refuses_to_run_without_the_scanner():
    """Uploads are never accepted unscanned in production (dossiers/attachments/antivirus.py)."""
    on = run_prod("import django; django.setup(); from django.conf import settings; print(settings.CLAMAV_ENABLED)")
    off = run_prod("import django; django.setup()", CLAMAV_ENABLED="false")

    assert on.returncode == 0, on.stderr
    assert on.stdout.strip().splitlines()[-1] == "True"
    assert off.returncode != 0
    assert "CLAMAV_ENABLED=false: production never accepts uploads unscanned." in off.stderr


def test_production_signs_through_pkcs11_and_refuses_key_files():
    """Agency signing keys live in an HSM or token in production (docs/signing.md)."""
    on = run_prod(
        "import django; django.setup(); from django.conf import settings; print(settings.SIGNING_KEY_BACKEND)"
    )
    files = run_prod("import django; django.setup()", SIGNING_KEY_BACKEND="file")

    assert on.returncode == 0, on.stderr
    assert on.stdout.strip().splitlines()[-1] == "pkcs11"
    assert files.returncode != 0
    assert "SIGNING_KEY_BACKEND must be pkcs11 in production" in files.stderr


S3 = {"S3_BUCKET": "dvctt-files", "S3_ACCESS_KEY_ID": "a-real-key-id", "S3_SECRET_ACCESS_KEY": "a-real-secret-key"}


@pytest.mark.parametrize("name", ["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"])
@pytest.mark.parametrize("value", ["minioadmin", "", None])
def test_production_with_a_bucket_refuses_an_empty_or_default_key_and_names_it(name, value):
    out = run_prod("import django; django.setup()", **{**S3, name: value})

    assert out.returncode != 0
    assert name in out.stderr.splitlines()[-1]


def test_production_with_a_bucket_and_its_keys_stores_files_there():
    code = (
        "import django; django.setup(); from django.conf import settings; from django.core.files.storage import storages;"
        "s = storages['default']; print(type(s).__name__, s.bucket_name, settings.FILE_DOWNLOADS)"
    )
    out = run_prod(code, **S3)

    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "PortalS3Storage dvctt-files presigned"


def test_an_unknown_download_mode_stops_start_up():
    out = run_prod("import django; django.setup()", FILE_DOWNLOADS="public")

    assert out.returncode != 0
    assert "FILE_DOWNLOADS='public'" in out.stderr.splitlines()[-1]
