"""The stand-in portal as a WSGI application, for gunicorn (bench/sync_throughput.py --stand-in gunicorn):
served the way a real receiver would be (several worker processes on PostgreSQL), not by
`run_mock_portal`'s one threaded process.

    DJANGO_SETTINGS_MODULE=dvctt.settings.test DATABASE_URL=... \
        PYTHONPATH=bench gunicorn -w 4 -k gthread --threads 4 stand_in_wsgi:application  # from the repository root
"""

import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dvctt.settings.test")
django.setup()
settings.ROOT_URLCONF = "emc_sync.mock_portal.standalone_urls"  # as run_mock_portal does

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402 - after the settings above

application = WSGIHandler()
