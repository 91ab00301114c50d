"""Production: secrets only from the environment; refuses to start without them."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEV_SECRETS, env

# Production refuses to start on what is only right on a laptop, naming what to set.
if env.bool("DEBUG", default=False):
    raise ImproperlyConfigured("DEBUG=True comes from the environment: production never runs in debug mode.")
DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # no default: a missing key stops start-up
for _name, _development_value in DEV_SECRETS.items():
    if globals()[_name] in ("", _development_value):
        raise ImproperlyConfigured(f"{_name} is empty or the development value: set it in the environment.")
# Object storage's keys: set, and not MinIO's well-known default (anyone could read the bucket).
if S3_BUCKET:  # noqa: F405
    for _name in ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"):
        if globals()[_name] in ("", "minioadmin"):
            raise ImproperlyConfigured(f"{_name} is empty or MinIO's default: set the bucket's own key.")
# Where mail and text messages go is a decision, not a default (files under var/ and the console).
for _name in ("EMAIL_BACKEND", "SMS_BACKEND"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"{_name} is not set: name the backend for production explicitly.")
# Citizens' files are scanned for malware in production, always (docs/antivirus.md).
CLAMAV_ENABLED = env.bool("CLAMAV_ENABLED", default=True)
if not CLAMAV_ENABLED:
    raise ImproperlyConfigured("CLAMAV_ENABLED=false: production never accepts uploads unscanned.")
# Signing keys stay behind PKCS#11 (an HSM, the CA's token) in production: key files are for the
# embedded default only (docs/signing.md).
SIGNING_KEY_BACKEND = env.str("SIGNING_KEY_BACKEND", default="pkcs11")
if SIGNING_KEY_BACKEND != "pkcs11":
    raise ImproperlyConfigured("SIGNING_KEY_BACKEND must be pkcs11 in production: signing keys never live in files.")
LOG_FORMAT = env.str("LOG_FORMAT", default="json")  # one JSON object per line for the log collector
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # type: ignore[index]  # noqa: F405
LOGGING["handlers"]["console"]["stream"] = "ext://sys.stdout" if LOG_FORMAT == "json" else "ext://sys.stderr"  # type: ignore[index]  # noqa: F405
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
LANGUAGE_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The probes answer over plain HTTP on the machine itself (docs/deployment.md: curl …/readyz).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"

# The stand-in outside systems are for development, tests and demonstrations: off in production
# unless asked for (docker-compose's demo stack asks, and points the clients at its own process).
MOCK_PORTAL_ENABLED = env.bool("MOCK_PORTAL_ENABLED", default=False)
if not MOCK_PORTAL_ENABLED:
    INSTALLED_APPS = [app for app in INSTALLED_APPS if not app.startswith("emc_sync.mock_portal")]  # noqa: F405
