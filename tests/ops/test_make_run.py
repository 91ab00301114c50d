"""`make run PORT=…` serves the portal at that port and every link it writes (payment return,
receipt, QR codes, e-mails) points there: the base URL follows the port served."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_make_run_sets_the_base_url_from_the_port():
    # Under `make test` (CI) MAKEFLAGS and MAKELEVEL are inherited, and a nested make prints
    # "Entering/Leaving directory" lines around the recipe: find the recipe's own line.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "PORT=8201"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    line = next(line for line in dry_run.stdout.splitlines() if "runserver" in line)
    assert "runserver 127.0.0.1:8201" in line
    assert "PORTAL_BASE_URL=${PORTAL_BASE_URL:-http://127.0.0.1:8201}" in line


def test_the_stand_in_and_payment_links_follow_the_base_url():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.PORTAL_BASE_URL, s.MOCK_PORTAL_URL, s.PAYMENT_URL)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dvctt.settings.dev", "PORTAL_BASE_URL": "http://127.0.0.1:8201"}
    env.pop("MOCK_PORTAL_URL", None)
    env.pop("PAYMENT_URL", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)

    assert out.stdout.split()[-3:] == [
        "http://127.0.0.1:8201",
        "http://127.0.0.1:8201/mock",
        "http://127.0.0.1:8201/mock/thanhtoan",
    ]
