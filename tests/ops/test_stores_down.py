"""Redis down for the caches (the default cache and the rate-limit store): pages keep working. A
cache that cannot answer is a miss, a limit that cannot count lets the request through, and each
error is logged and counted (dvctt_store_errors_total). In a drill with Redis killed, every upload,
the sign-in and the public lookup had answered 500."""

import pytest
from django.test import override_settings
from django.urls import reverse

from dvctt.metrics import STORE_ERRORS
from dvctt.settings.base import redis_cache
from tests.accounts.test_rate_limits import PDF, draft_setup, post_file  # noqa: F401 - fixture
from tests.dossiers.conftest import office  # noqa: F401 - fixture
from tests.dossiers.test_public_status import dossier, lookup  # noqa: F401 - fixture

# The caches as production configures them, on a port where nothing listens: each call fails at
# once, as a killed Redis does.
DEAD = redis_cache("redis://127.0.0.1:1/0")
STORES_DOWN = override_settings(CACHES={"default": DEAD, "limits": DEAD})


def errors_counted() -> float:
    return STORE_ERRORS._value.get()


@pytest.mark.django_db
@STORES_DOWN
def test_sign_in_works_and_the_errors_are_counted(client):
    before = errors_counted()

    wrong = client.post(reverse("accounts:login"), {"username": "037090001234", "password": "sai"})

    assert wrong.status_code == 200  # the form again, with its message: no 500, no 429
    assert 'name="password"' in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    assert errors_counted() > before


@STORES_DOWN
def test_the_public_lookup_answers(client, dossier):  # noqa: F811
    assert lookup(client, dossier.code, "4321").status_code == 200
    assert lookup(client, dossier.code, "0000").status_code == 404


@STORES_DOWN
def test_an_upload_is_stored(client, draft_setup):  # noqa: F811
    citizen, draft, component = draft_setup
    client.force_login(citizen)

    answer = post_file(client, draft, component, "to-khai.pdf", PDF)

    assert answer.status_code == 201
    assert list(draft.attachments.values_list("name", flat=True)) == ["to-khai.pdf"]


def test_each_role_has_its_own_redis_and_sentinel_is_understood():
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.CELERY_BROKER_URL, s.CELERY_BROKER_TRANSPORT_OPTIONS['master_name'],"
        " s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], s.CACHES['default']['LOCATION'], s.CACHES['limits']['LOCATION'], s.CACHES['limits']['OPTIONS']['SENTINELS']]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dvctt.settings.test",
        "REDIS_URL": "redis://mymaster/0",
        "REDIS_CACHE_URL": "redis://mymaster/1",
        "REDIS_LIMITS_URL": "redis://mymaster/2",
        "REDIS_SENTINELS": "10.0.0.1:26379,10.0.0.2:26379",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)

    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        "sentinel://10.0.0.1:26379;sentinel://10.0.0.2:26379",
        "mymaster",
        3900,  # a killed worker's task goes to another after the longest countdown (1 h) and more
        "redis://mymaster/1",
        "redis://mymaster/2",
        [["10.0.0.1", 26379], ["10.0.0.2", 26379]],
    ]
