"""Settings of the processes bench/load.py starts (gunicorn, the Celery worker, its own seeding).

Production as far as one machine allows: DEBUG off, PostgreSQL, Redis as broker and cache, the
real password hasher, middleware and templates, Celery tasks run by a real worker. What differs,
and why (bench/load.py prints this list, and RESULTS.md repeats it):

- Rate limits: the whole load comes from 127.0.0.1, so a limit keyed on the client address would
  throttle 100 simulated people as if they were one. Every rate keyed on the address
  (`*_RATE_PER_ADDRESS`: login, registration, public lookup) is raised 1000-fold; those keyed on
  the user (`UPLOAD_RATE_PER_USER`) stay as configured: each citizen journey signs in as its own
  account (thousands are seeded), as real citizens do.
- Officers' second factor (`OFFICER_2FA_REQUIRED`) is off: the simulated officers sign in with a
  password only.
- Nothing leaves the machine: national sync rows are written (SYNC_ENABLED, as in production) but
  not delivered (no portal to deliver to), no inbound polling, no page-view script, e-mail to the
  dummy backend, text messages to the log.
"""

import re

from dvctt.settings.base import *  # noqa: F403

DEBUG = False
MOCK_PORTAL_ENABLED = False
CELERY_TASK_ALWAYS_EAGER = False
SYNC_ENABLED = True
SYNC_DELIVERY_ENABLED = False
SYNC_INBOUND_ENABLED = False
EMC_TRACKING_ENABLED = False
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

RATE = re.compile(r"^(\d+)/(\d*[smhd])$")
RATE_FACTOR = 1000
# (setting, configured value, value in force here): bench/load.py prints them.
LOAD_OVERRIDES: list[tuple[str, object, object]] = []
for _name, _value in list(globals().items()):
    if _name.endswith("_RATE_PER_ADDRESS") and isinstance(_value, str):
        _match = RATE.match(_value)
        if _match:
            _raised = f"{int(_match.group(1)) * RATE_FACTOR}/{_match.group(2)}"
            globals()[_name] = _raised
            LOAD_OVERRIDES.append((_name, _value, _raised))
if "OFFICER_2FA_REQUIRED" in globals():
    LOAD_OVERRIDES.append(("OFFICER_2FA_REQUIRED", globals()["OFFICER_2FA_REQUIRED"], False))
OFFICER_2FA_REQUIRED = False

# Static files as they are in static/: the benchmark does not run the release's collectstatic.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}  # noqa: F405
