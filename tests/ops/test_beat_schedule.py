"""Every periodic task in the beat schedule names a task the worker knows: a typo there would
never fail loudly, the job would just never run."""

import json
import os
import subprocess
import sys

from django.conf import settings

# What a worker does at start, in a process of its own: the test process has imported and
# patched many task modules by the time this runs, so its registry proves nothing about a worker.
WORKER_START = (
    "import json, django; django.setup(); from dvctt.celery import app; "
    "app.loader.import_default_modules(); print(json.dumps(sorted(app.tasks)))"
)


def registered_by_a_starting_worker() -> set[str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
    out = subprocess.run(
        [sys.executable, "-c", WORKER_START], env=environment, capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_every_beat_entry_is_a_registered_task():
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "dossiers.notifications.tasks.notifications_resend_task" in names
    assert names - registered_by_a_starting_worker() == set()
