import subprocess
import sys

from .live import ROOT

PROBE = """
import django
django.setup()
from django.apps import apps
from django.urls import Resolver404, resolve
paths = ["/mock/oauth/token", "/mock/dvcqg/hoso/them", "/mock/control/received", "/mock/vneid/authorize"]
reachable = []
for path in paths:
    try:
        resolve(path)
        reachable.append(path)
    except Resolver404:
        pass
print(reachable, apps.is_installed("emc_sync.mock_portal"), apps.is_installed("emc_sync.mock_portal.citizen"))
"""


def probe(enabled):
    environment = {"DJANGO_SETTINGS_MODULE": "dvctt.settings.test", "MOCK_PORTAL_ENABLED": enabled, "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip()


def test_nothing_under_mock_is_reachable_when_the_stand_in_is_switched_off():
    # when
    switched_off = probe("False")
    switched_on = probe("True")

    # then
    assert switched_off == "[] False False"
    assert switched_on == (
        "['/mock/oauth/token', '/mock/dvcqg/hoso/them', '/mock/control/received', '/mock/vneid/authorize'] True True"
    )
