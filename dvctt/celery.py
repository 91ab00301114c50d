"""Celery application. Broker and behaviour come from Django settings (CELERY_* keys)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dvctt.settings.dev")

app = Celery("dvctt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The capability packages' tasks (autodiscovery above looks only at <app>.tasks).
app.autodiscover_tasks(
    ["dossiers.documents", "dossiers.drafts", "dossiers.notifications", "dossiers.payments", "dossiers.population"]
)
