"""Test runs: whatever DATABASE_URL / REDIS_URL say (PostgreSQL and Redis in CI)."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Files written by tests (PDF forms, uploads) go to a throwaway folder, not the repo's var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="dvctt-test-media-"))
