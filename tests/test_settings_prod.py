"""Production settings: the stand-in outside systems are off unless asked for."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django, json; django.setup(); from django.conf import settings; from django.urls import resolve, Resolver404\n"
    "try:\n    resolve('/mock/oauth/token'); mounted = True\nexcept Resolver404:\n    mounted = False\n"
    "print(json.dumps({'enabled': settings.MOCK_PORTAL_ENABLED, 'mounted': mounted,"
    " 'apps': [a for a in settings.INSTALLED_APPS if 'mock' in a]}))"
)


def probe(**extra: str) -> dict:
    env = {
        **{k: v for k, v in os.environ.items() if k != "MOCK_PORTAL_ENABLED"},
        "DJANGO_SETTINGS_MODULE": "dvctt.settings.prod",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "dichvucong.example.vn",
        **extra,
    }
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
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
