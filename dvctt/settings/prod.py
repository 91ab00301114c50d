"""Production: secrets only from the environment; refuses to start without them."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # no default: a missing key stops start-up
LOG_FORMAT = env.str("LOG_FORMAT", default="json")  # one JSON object per line for the log collector
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # type: ignore[index]  # noqa: F405
LOGGING["handlers"]["console"]["stream"] = "ext://sys.stdout" if LOG_FORMAT == "json" else "ext://sys.stderr"  # type: ignore[index]  # noqa: F405
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
LANGUAGE_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"

# The stand-in outside systems are for development, tests and demonstrations: off in production
# unless asked for (docker-compose's demo stack asks, and points the clients at its own process).
MOCK_PORTAL_ENABLED = env.bool("MOCK_PORTAL_ENABLED", default=False)
if not MOCK_PORTAL_ENABLED:
    INSTALLED_APPS = [app for app in INSTALLED_APPS if not app.startswith("emc_sync.mock_portal")]  # noqa: F405
