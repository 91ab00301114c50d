"""Settings of the gunicorn server that bench/submit.py drives (and of its seeding process).

The production stack as far as this machine allows: DEBUG off, PostgreSQL from DATABASE_URL,
the real password hasher and middleware, Celery tasks published to a broker and never run in
the web request (REDIS_URL set: the real Redis, no worker; unset: kombu's in-memory transport,
which accepts every message and keeps it in the worker process). Only the URLconf differs:
dvctt.urls plus the baseline view (bench/submit_urls.py).
"""

from dvctt.settings.base import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "submit_urls"  # bench/ is on the path, after the repository (gunicorn --pythonpath)
CELERY_TASK_ALWAYS_EAGER = False
# The national sync writes its outbox rows in the submit transaction and asks for a delivery
# task after commit, as in production; nothing delivers them (no worker).
SYNC_ENABLED = True
SYNC_DELIVERY_ENABLED = True
SYNC_INBOUND_ENABLED = False

# Static files as they are in static/: the benchmark does not run the release's collectstatic.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}  # noqa: F405
