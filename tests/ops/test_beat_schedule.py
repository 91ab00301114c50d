"""Every periodic task in the beat schedule names a task the worker knows: a typo there would
never fail loudly, the job would just never run."""

from django.conf import settings

from dvctt.celery import app


def test_every_beat_entry_is_a_registered_task():
    app.loader.import_default_modules()  # what a worker imports at start (autodiscovery)

    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "dossiers.notifications.tasks.notifications_resend_task" in names
    assert names - set(app.tasks) == set()
