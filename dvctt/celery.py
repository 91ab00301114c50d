"""Celery application. Broker and behaviour come from Django settings (CELERY_* keys)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dvctt.settings.dev")

app = Celery("dvctt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The capability packages' tasks are named in settings (CELERY_IMPORTS): autodiscovery looks
# only at <app>.tasks.
