"""The release step `collectstatic` hashes the static files, and production serves the hashed
names as immutable: a changed file gets a new address, so a year of caching is right."""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.test_settings_prod import PRODUCTION

ROOT = Path(__file__).resolve().parent.parent.parent
SERVE = (
    "import django; django.setup(); from django.templatetags.static import static;"
    "from django.test import Client; url = static('css/portal.css'); r = Client().get(url);"
    "print(url, r.status_code, r.headers.get('Cache-Control'))"
)


def test_collected_files_are_hashed_and_served_immutable(tmp_path):
    env = {**os.environ, **PRODUCTION, "STATIC_ROOT": str(tmp_path), "ALLOWED_HOSTS": "testserver"}
    env["SECURE_SSL_REDIRECT"] = "false"

    # when the release collects the files (as the Dockerfile does) and production serves them
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env={**env, "DJANGO_SETTINGS_MODULE": "dvctt.settings.base"},
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    out = subprocess.run(
        [sys.executable, "-c", SERVE],
        env={**env, "DJANGO_SETTINGS_MODULE": "dvctt.settings.prod"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    url, status, cache_control = out.stdout.strip().splitlines()[-1].split(" ", 2)

    # then the page names the hashed file, which is there and cached for good
    assert (tmp_path / "staticfiles.json").exists()
    assert re.fullmatch(r"/static/css/portal\.[0-9a-f]{12}\.css", url)
    assert status == "200"
    assert "immutable" in cache_control
