"""Test runs: whatever DATABASE_URL / REDIS_URL say (PostgreSQL and Redis in CI)."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "dossiers.notifications.services.MemorySmsBackend"
WHITENOISE_USE_FINDERS = True
# Test threads (live servers, concurrency tests) come and go: each closes its connection at once
# unless a test run asks otherwise, so a run never holds more connections than it uses.
if not DATABASE_POOL:  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)  # noqa: F405
# On PostgreSQL a "replica" alias on the same server and test database (a mirror), so the router's
# tests run on real connections; reads go to it only where a test turns DATABASE_REPLICA_READS on.
if IS_POSTGRES and "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {  # noqa: F405
        **DATABASES["default"],  # noqa: F405
        "OPTIONS": {**DATABASES["default"].get("OPTIONS", {}), "connect_timeout": 2},  # noqa: F405
    }
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # noqa: F405
DATABASE_REPLICA_READS = env.bool("DATABASE_REPLICA_READS", default=False)  # noqa: F405

# Files written by tests (PDF forms, uploads) go to a throwaway folder, not the repo's var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="dvctt-test-media-"))
# The demo CA and agency keys of a test run (signing_setup from seed_demo): a throwaway folder too.
SIGNING_DIR = env.str("SIGNING_DIR", default=tempfile.mkdtemp(prefix="dvctt-test-signing-"))  # noqa: F405

# Tests that do not test the national sync must not reach for a server; tests/emc_sync turns
# delivery on (with outbound HTTP mocked or a live stand-in).
SYNC_DELIVERY_ENABLED = env.bool("SYNC_DELIVERY_ENABLED", default=False)  # noqa: F405
SYNC_INBOUND_ENABLED = env.bool("SYNC_INBOUND_ENABLED", default=False)  # noqa: F405
EMC_TRACKING_ENABLED = env.bool("EMC_TRACKING_ENABLED", default=False)  # noqa: F405 - pages without outside scripts
# Filing a dossier does not ask the population registry unless a test turns it on
# (tests/dossiers/test_population.py, against the stand-in over a socket).
POPULATION_CHECK_ENABLED = env.bool("POPULATION_CHECK_ENABLED", default=False)  # noqa: F405
# Indicator tests change data and score again: no cached counts unless a test turns them on.
INDICATORS_CACHE_SECONDS = env.int("INDICATORS_CACHE_SECONDS", default=0)  # noqa: F405

# Most tests log officers in with force_login: two-factor authentication is switched on by the
# tests of it (tests/accounts/test_two_factor.py) and the officer browser journey.
OFFICER_2FA_REQUIRED = env.bool("OFFICER_2FA_REQUIRED", default=False)  # noqa: F405
# Rate-limit counters live in the cache (Redis in CI), which outlives a test and a run: the
# suite's many logins and registrations from 127.0.0.1 must not trip them. The tests of the
# limits (tests/accounts/test_rate_limits.py) set small ones and clear the cache.
LOGIN_RATE_PER_ADDRESS = "100000/m"
REGISTER_RATE_PER_ADDRESS = "100000/m"
UPLOAD_RATE_PER_USER = "100000/m"

# Files as they are in static/ (no collectstatic, no manifest): the release step hashes them.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}  # noqa: F405
