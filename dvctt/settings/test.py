"""Test runs: whatever DATABASE_URL / REDIS_URL say (PostgreSQL and Redis in CI)."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "dossiers.notifications.MemorySmsBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Files written by tests (PDF forms, uploads) go to a throwaway folder, not the repo's var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="dvctt-test-media-"))

# Tests that do not test the national sync must not reach for a server; tests/emc_sync turns
# delivery on (with outbound HTTP mocked or a live stand-in).
SYNC_DELIVERY_ENABLED = env.bool("SYNC_DELIVERY_ENABLED", default=False)  # noqa: F405
SYNC_INBOUND_ENABLED = env.bool("SYNC_INBOUND_ENABLED", default=False)  # noqa: F405
EMC_TRACKING_ENABLED = env.bool("EMC_TRACKING_ENABLED", default=False)  # noqa: F405 - pages without outside scripts
