"""Settings shared by every environment.

Every value that differs between machines is read here, once, from the environment
(django-environ). With no environment at all the portal runs as the embedded default:
SQLite file, Celery tasks executed in-process, stand-in national portals under /mock/.
"""

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from dvctt import formats

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Development values of every secret: fine on a laptop, in tests and in the demo; settings/prod.py
# refuses to start with any of them (or an empty one), naming the variable.
DEV_SECRETS = {
    "SECRET_KEY": "dev-only-insecure-key-change-me",
    "PAYMENT_SECRET": "payment-secret",
    "VNEID_CLIENT_SECRET": "dvctt-secret",
    "NATIONAL_PORTAL_CLIENT_SECRET": "dvctt-secret",
    "POPULATION_REGISTRY_CLIENT_SECRET": "dvctt-secret",
}
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRETS["SECRET_KEY"])
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Our apps, lowest floor first (see ARCHITECTURE.md); dvctt wires them (demo data).
    "procedures",
    "accounts",
    "eforms",
    "workflows",
    "dossiers",
    "emc_sync",
    "indicators",
    "console",
    "dvctt",
]
# The stand-in national portal, EMC, VNeID, payment platform and population registry: mounted
# under /mock/ unless switched off (production points the clients at the real systems).
MOCK_PORTAL_ENABLED = env.bool("MOCK_PORTAL_ENABLED", default=True)
if MOCK_PORTAL_ENABLED:
    INSTALLED_APPS += ["emc_sync.mock_portal", "emc_sync.mock_portal.citizen"]

MIDDLEWARE = [
    "dvctt.request_log.RequestIdMiddleware",  # first: its access line times the whole request
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "dvctt.load_shedding.LoadSheddingMiddleware",  # overload: 503 busy before any session or view
    "django.middleware.security.SecurityMiddleware",
    "dvctt.middleware.ResponseHeadersMiddleware",  # outside WhiteNoise: static files get them too
    "dvctt.csp.PortalCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dvctt.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "common.replica.ReplicaPinMiddleware",  # a browser that wrote reads from the primary for a while
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "accounts.middleware.OfficerTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dvctt.middleware.RejectLongAddressMiddleware",
    "dvctt.middleware.RejectNulMiddleware",  # after auth and messages: its 400 page is a full page
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # a refused request gets the 429 page
    "axes.middleware.AxesMiddleware",  # turns a locked-out login into the login page with its message
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last
]

# Load shedding (dvctt/load_shedding.py): 503 "busy" with Retry-After when a request waited
# longer than this in the queue in front of the workers (nginx's X-Request-Start), or when this
# process already runs more than LOAD_SHED_MAX_IN_FLIGHT requests (threaded servers). 0: off.
LOAD_SHED_MAX_QUEUE_MS = env.float("LOAD_SHED_MAX_QUEUE_MS", default=5000.0)
LOAD_SHED_MAX_IN_FLIGHT = env.int("LOAD_SHED_MAX_IN_FLIGHT", default=0)
LOAD_SHED_RETRY_AFTER_SECONDS = env.int("LOAD_SHED_RETRY_AFTER_SECONDS", default=10)

# The longest address (path and query, in bytes) the portal answers; longer gets 414.
MAX_ADDRESS_LENGTH = env.int("MAX_ADDRESS_LENGTH", default=4000)

# Security headers (docs/security.md). These hold over plain HTTP too (dev, tests); the
# HTTPS-only ones (secure cookies, HSTS, redirect) are in settings/prod.py.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # our scripts read the token from the form, never from the cookie
CSRF_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy (django-csp): nothing inline, nothing from elsewhere. dvctt.csp adds
# the origins of the payment platform and VNeID (form-action) and of EMC's page-view script,
# read from PAYMENT_URL, VNEID_ISSUER and EMC_TRACKING_URL. The stand-in under /mock/ is not
# production and has its own inline styles: left out of the policy.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/mock/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

ROOT_URLCONF = "dvctt.urls"
WSGI_APPLICATION = "dvctt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "dvctt.context_processors.portal",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL (postgres://...) for the full stack.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# Connections to PostgreSQL (docs/deployment.md, "PostgreSQL connections"). DATABASE_POOL: each
# process keeps a psycopg pool (Django's "pool" option) and a request borrows a connection from it;
# otherwise a process keeps its one connection for CONN_MAX_AGE seconds (60; 0 closes it after each
# request). Django refuses CONN_MAX_AGE with a pool: the pool decides how long connections live.
DATABASE_POOL = IS_POSTGRES and env.bool("DATABASE_POOL", default=False)
if DATABASE_POOL:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
        # A request waits this long for a free connection, then fails (PoolTimeout): better a
        # visible error than a queue that grows without end.
        "timeout": env.float("DATABASE_POOL_TIMEOUT_SECONDS", default=10.0),
        "max_idle": env.float("DATABASE_POOL_MAX_IDLE_SECONDS", default=300.0),
        "max_lifetime": env.float("DATABASE_POOL_MAX_LIFETIME_SECONDS", default=1800.0),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if IS_POSTGRES else 0))
# A kept connection the server closed meanwhile (restart, failover) is replaced, not a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind pgbouncer in transaction mode a request's statements may reach different server
# connections, where a server-side cursor (what .iterator() uses on PostgreSQL) does not exist:
# DISABLE_SERVER_SIDE_CURSORS=true makes .iterator() fetch with ordinary cursors. (Prepared
# statements, the other thing such a pooler breaks, Django already leaves off with psycopg 3.)
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
# A read replica (common/replica.py): the dashboards, reports and public catalogue read from it,
# except for a browser that wrote within REPLICA_PIN_SECONDS; a replica that is down or lags more
# than REPLICA_MAX_LAG_SECONDS is skipped (asked again every REPLICA_CHECK_SECONDS). Writes and
# migrations go to the primary only.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL and IS_POSTGRES:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        **{k: DATABASES["default"][k] for k in ("ATOMIC_REQUESTS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")},
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
        # a replica that does not answer is skipped within seconds, not after a long TCP timeout
        "OPTIONS": {**DATABASES["default"].get("OPTIONS", {}), "connect_timeout": 2},
    }
DATABASE_REPLICA_READS = "replica" in DATABASES
DATABASE_ROUTERS = ["common.replica.ReplicaRouter"]
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=15)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=5.0)

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Passwords (docs/security.md): Django's validators, whose messages Django translates into
# Vietnamese (the length rule's own message is ours: Django's Vietnamese one is out of date);
# similarity also to the full name, citizen id number and phone number.
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=10)
# Argon2id at OWASP's minimum (dvctt/hashers.py); the others only read older hashes, which are
# rewritten with the first at the next sign-in.
PASSWORD_HASHERS = [
    "dvctt.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email", "citizen_id", "phone")},
    },
    {
        "NAME": "accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one user name
# from one address, that pair is locked for LOGIN_LOCKOUT_MINUTES (counted from the lock, not
# extended by further tries); the login page says so in Vietnamese (accounts.views.login_locked_out).
# The first backend only watches; ModelBackend checks the password.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=30)
AXES_ENABLED = env.bool("LOGIN_LOCKOUT_ENABLED", default=True)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # accounts.AuthEvent is the login log
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip_for_axes"
AXES_VERBOSE = False
# Behind nginx every request comes from the proxy: the client is the last X-Forwarded-For entry
# when the direct peer is one of these (accounts.security.client_ip; rate limits and lockouts).
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=["127.0.0.1", "::1"])

# Two-factor authentication (TOTP, django-otp) for officers, province admins and staff: after
# the password, a 6-digit code from an authenticator app (accounts.middleware).
OFFICER_2FA_REQUIRED = env.bool("OFFICER_2FA_REQUIRED", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="DVCTT")
# The Django admin never shows a device's secret, its QR code or unused backup codes: an admin
# resets a lost device by deleting it, and cannot read another officer's second factor.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sessions end after SESSION_IDLE_MINUTES without a request (accounts.middleware.SessionIdleMiddleware);
# static/js/session-timeout.js warns SESSION_WARNING_SECONDS before and offers to go on.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=120)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Rate limits (django-ratelimit, counted in the cache: Redis in production). "N/period" with
# period s, m, h or d (e.g. "20/10m"). A load test raises them through the environment.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "accounts.views.rate_limited"
RATELIMIT_IP_META_KEY = "accounts.security.client_ip"
RATELIMIT_USE_CACHE = "limits"
# A limit that cannot be counted (its Redis is down) lets the request through: pages keep working
# and the incident shows in the log and in dvctt_store_errors_total.
RATELIMIT_FAIL_OPEN = True
LOGIN_RATE_PER_ADDRESS = env.str("LOGIN_RATE_PER_ADDRESS", default="30/10m")  # login form posts
REGISTER_RATE_PER_ADDRESS = env.str("REGISTER_RATE_PER_ADDRESS", default="10/h")  # registration posts
UPLOAD_RATE_PER_USER = env.str("UPLOAD_RATE_PER_USER", default="60/10m")  # citizen file uploads
# Public lookup (tra cứu hồ sơ): answers per address, and wrong answers per dossier code.
LOOKUP_RATE_PER_ADDRESS = env.str("LOOKUP_RATE_PER_ADDRESS", default="30/h")
# Wrong answers for one code from one guesser (address and browser): the 6th waits 15 minutes.
LOOKUP_FAILURES_PER_CODE = env.str("LOOKUP_FAILURES_PER_CODE", default="5/15m")
# Wrong answers for one code from everyone in a day: a guesser spread over many addresses.
LOOKUP_FAILURES_PER_CODE_DAY = env.str("LOOKUP_FAILURES_PER_CODE_DAY", default="200/d")
# Bytes a citizen may upload per calendar day (Asia/Ho_Chi_Minh), all dossiers together.
UPLOAD_DAILY_QUOTA_MB = env.int("UPLOAD_DAILY_QUOTA_MB", default=300)
# Largest image accepted, in pixels (a 50 MP phone photo passes; a 50,000 × 50,000 "pixel bomb" of
# a few kilobytes would take gigabytes to open): checked from the header, before decoding.
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=60_000_000)

# Vietnamese first, English second. Times stored in UTC, shown in Asia/Ho_Chi_Minh.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Vietnamese dates are typed dd/mm/yyyy ("05/03/2027" is 5 March), in both languages; ISO
# (what <input type="date"> sends) is accepted too. dvctt/formats/ gives the same lists to the "vi"
# and "en" locales, whose own formats (Django's "en": mm/dd/yyyy) would otherwise win.
FORMAT_MODULE_PATH = ["dvctt.formats"]
DATE_INPUT_FORMATS = formats.DATE_INPUT_FORMATS
DATETIME_INPUT_FORMATS = formats.DATETIME_INPUT_FORMATS

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Files: citizens' uploads, the document store, legal forms and receipts (common/storage.py).
# A local folder by default; S3-compatible object storage (AWS S3, MinIO, Ceph…) when S3_BUCKET is
# set, so that every web and worker machine reads what another wrote (docs/deployment.md, "Files").
S3_BUCKET = env.str("S3_BUCKET", default="")
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="")  # empty: AWS itself
# Where browsers reach the storage, when not at S3_ENDPOINT_URL (signed download addresses).
S3_PUBLIC_ENDPOINT_URL = env.str("S3_PUBLIC_ENDPOINT_URL", default="")
S3_REGION = env.str("S3_REGION", default="us-east-1")
S3_ACCESS_KEY_ID = env.str("S3_ACCESS_KEY_ID", default="")
S3_SECRET_ACCESS_KEY = env.str("S3_SECRET_ACCESS_KEY", default="")
S3_PREFIX = env.str("S3_PREFIX", default="")  # a folder inside the bucket, e.g. "dvctt"
# How a permitted download is answered: "presigned" (a redirect to a signed address good for
# FILE_URL_SECONDS), "stream" (through the web process) or "accel" (nginx X-Accel-Redirect to
# FILE_ACCEL_PREFIX, an internal location aliasing MEDIA_ROOT). The access check comes first in all three.
FILE_DOWNLOADS = env.str("FILE_DOWNLOADS", default="presigned" if S3_BUCKET else "stream")
if FILE_DOWNLOADS not in ("presigned", "stream", "accel"):
    raise ImproperlyConfigured(f"FILE_DOWNLOADS={FILE_DOWNLOADS!r}: one of presigned, stream, accel.")
FILE_URL_SECONDS = env.int("FILE_URL_SECONDS", default=60)
FILE_ACCEL_PREFIX = env.str("FILE_ACCEL_PREFIX", default="/protected-media/")


def s3_storage(
    *,
    bucket: str,
    endpoint_url: str = "",
    public_endpoint_url: str = "",
    region: str = "us-east-1",
    access_key: str = "",
    secret_key: str = "",
    prefix: str = "",
    url_seconds: int = 60,
    addressing_style: str = "path",
    connect_timeout: float = 2.0,
    read_timeout: float = 30.0,
) -> dict[str, object]:
    """STORAGES["default"] for an S3-compatible bucket (common.s3storage.PortalS3Storage)."""
    from botocore.config import Config

    return {
        "BACKEND": "common.s3storage.PortalS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "public_endpoint_url": public_endpoint_url,
            "region_name": region,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "location": prefix,
            "default_acl": None,  # private: the bucket's policy, never public-read
            "querystring_auth": True,
            "querystring_expire": url_seconds,
            "file_overwrite": False,  # a second file of the same name gets a name of its own
            "max_memory_size": 2_621_440,  # a file read back spools to disk past 2.5 MB
            # An unreachable storage answers within seconds (the upload says "thử lại sau"),
            # not after botocore's long default retries.
            "client_config": Config(
                s3={"addressing_style": addressing_style},
                signature_version="s3v4",
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"mode": "standard", "max_attempts": 3},
            ),
        },
    }


if S3_BUCKET:
    _files_storage = s3_storage(
        bucket=S3_BUCKET,
        endpoint_url=S3_ENDPOINT_URL,
        public_endpoint_url=S3_PUBLIC_ENDPOINT_URL,
        region=S3_REGION,
        access_key=S3_ACCESS_KEY_ID,
        secret_key=S3_SECRET_ACCESS_KEY,
        prefix=S3_PREFIX,
        url_seconds=FILE_URL_SECONDS,
        addressing_style=env.str("S3_ADDRESSING_STYLE", default="path"),
        connect_timeout=env.float("S3_CONNECT_TIMEOUT_SECONDS", default=2.0),
        read_timeout=env.float("S3_READ_TIMEOUT_SECONDS", default=30.0),
    )
else:
    _files_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _files_storage,
    # Hashed names (css/portal.3f2a….css) and a manifest written by collectstatic: a changed file
    # gets a new address, so nginx's and WhiteNoise's year-long "immutable" caching is right.
    # Development and tests serve the files as they are (settings/dev.py, settings/test.py).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads (dossiers.attachments): files over FILE_UPLOAD_MAX_MEMORY_SIZE stream to a temporary
# file, so a 10 MB scan never sits in memory; DATA_UPLOAD_MAX_MEMORY_SIZE counts form fields
# only, not files. A request body over UPLOAD_MAX_REQUEST_MB is refused before it is read.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
UPLOAD_MAX_REQUEST_MB = env.int("UPLOAD_MAX_REQUEST_MB", default=60)
# All the citizen's files of one dossier together (each component also limits one file).
DOSSIER_MAX_TOTAL_MB = env.int("DOSSIER_MAX_TOTAL_MB", default=50)
# Antivirus (dossiers/attachments/antivirus.py, docs/antivirus.md): every upload is scanned by
# ClamAV's daemon before it is accepted; when the daemon cannot answer, uploads are refused.
# Off only in the embedded default (`make run`, no daemon); production settings turn it on.
CLAMAV_ENABLED = env.bool("CLAMAV_ENABLED", default=False)
# clamd's unix socket (Debian's clamav-daemon: /run/clamav/clamd.ctl), or tcp://host:port.
CLAMAV_SOCKET = env.str("CLAMAV_SOCKET", default="/run/clamav/clamd.ctl")
CLAMAV_TIMEOUT_SECONDS = env.float("CLAMAV_TIMEOUT_SECONDS", default=30.0)

# Redis: broker and caches when REDIS_URL is set; otherwise in-process tasks and memory caches.
# One Redis per role when a deployment wants it (docs/deployment.md, "Redis by role"): each of
# these defaults to REDIS_URL. The caches never break a page: a Redis that is down is a miss (the
# cache degrades to none) and a rate limit that cannot count lets the request through, each
# logged by the "dvctt.stores" logger and counted in dvctt_store_errors_total.
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_BROKER_URL = env.str("REDIS_BROKER_URL", default=REDIS_URL)
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=REDIS_URL)
REDIS_LIMITS_URL = env.str("REDIS_LIMITS_URL", default=REDIS_URL)  # rate limits, counters, daily locks
# Sentinel: "host:26379,host2:26379"; the role URLs then name the master, e.g. redis://mymaster/1.
REDIS_SENTINELS = env.list("REDIS_SENTINELS", default=[])
REDIS_SENTINEL_MASTER = env.str("REDIS_SENTINEL_MASTER", default="mymaster")


def redis_cache(url: str) -> dict[str, object]:
    options: dict[str, object] = {
        "IGNORE_EXCEPTIONS": True,  # a miss, not a 500
        "SOCKET_CONNECT_TIMEOUT": 0.5,
        "SOCKET_TIMEOUT": 1.0,
    }
    if REDIS_SENTINELS:
        options["CLIENT_CLASS"] = "django_redis.client.SentinelClient"
        options["SENTINELS"] = [
            (host, int(port)) for host, _colon, port in (s.rpartition(":") for s in REDIS_SENTINELS)
        ]
    return {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "OPTIONS": options}


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_CACHE_URL), "limits": redis_cache(REDIS_LIMITS_URL)}
    # A task a killed worker held (acks_late, never acknowledged) is given to another worker once
    # it has been out this long, checked every BROKER_RESTORE_SECONDS. Longer than any countdown
    # (retries wait up to an hour): a task waiting for its countdown would be handed out twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("BROKER_VISIBILITY_TIMEOUT_SECONDS", default=3600 + 300),
        "unacked_restore_interval": env.int("BROKER_RESTORE_SECONDS", default=60),
        "unacked_restore_throttle": 1,
    }
    if REDIS_SENTINELS:
        CELERY_BROKER_URL = ";".join(f"sentinel://{s}" for s in REDIS_SENTINELS)
        CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = REDIS_SENTINEL_MASTER
    else:
        CELERY_BROKER_URL = REDIS_BROKER_URL
    CELERY_TASK_ALWAYS_EAGER = False
    # A beat that fails over (celery-redbeat): several beat processes may run; the one holding
    # the lock in Redis schedules, renewing it every loop; killed, its lock lapses and another
    # takes over within CELERY_REDBEAT_LOCK_TIMEOUT + one loop (docs/deployment.md). Our subclass
    # outlives an outage of that Redis (RedBeat's own beat exits on the first error: common/beat.py).
    CELERY_BEAT_SCHEDULER = "common.beat.PortalRedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_LIMITS_URL
    CELERY_REDBEAT_KEY_PREFIX = "dvctt:redbeat"
    CELERY_REDBEAT_LOCK_TIMEOUT = env.int("BEAT_LOCK_TIMEOUT_SECONDS", default=30)
    CELERY_BEAT_MAX_LOOP_INTERVAL = 5
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"},
    }
    CELERY_BROKER_URL = "memory://"
    # Tasks are enqueued with transaction.on_commit, so "eager" means "right after commit".
    CELERY_TASK_ALWAYS_EAGER = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "dvctt.stores"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Workers log through LOGGING below (JSON in production, citizen ids masked), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Periodic tasks (celery beat): each feature adds its own key.
CELERY_BEAT_SCHEDULE = {
    "payments-check-pending": {"task": "dossiers.payments.tasks.payments_check_pending", "schedule": 5 * 60.0},
    "drafts-expire": {"task": "dossiers.drafts.tasks.drafts_expire_task", "schedule": crontab(hour=2, minute=30)},
    # 07:15 on working days: officers hear which dossiers fall due within a working day (form 04).
    "apology-reminders": {
        "task": "dossiers.notifications.tasks.apology_reminders_task",
        "schedule": crontab(hour=7, minute=15, day_of_week="mon-sat"),
    },
    # Applicants' e-mails and texts that were never sent (broker down, task gave up).
    "notifications-resend": {"task": "dossiers.notifications.tasks.notifications_resend_task", "schedule": 5 * 60.0},
    # National sync (docs/national-sync.md): due and abandoned outbox rows; new dossiers from the portal.
    "sync-outbox-sweep": {"task": "emc_sync.tasks.outbox_sweep_task", "schedule": 30.0},
    "sync-inbound-poll": {"task": "emc_sync.tasks.inbound_poll_task", "schedule": 60.0},
    # Population-registry checks of dossiers filed while the broker or the registry was away.
    "population-sweep": {"task": "dossiers.population.tasks.population_sweep_task", "schedule": 10 * 60.0},
    # Uploads that came while ClamAV could not answer: scanned once it is back (docs/antivirus.md).
    "attachments-scan-waiting": {
        "task": "dossiers.attachments.tasks.attachments_scan_waiting_task",
        "schedule": 60.0,
    },
    # 03:10 nightly: delivered outbox rows, attempts, sessions, login counters, old notifications.
    # Components replaced by national data (Resolution 66.7) still waiting on a database.
    "components-reread": {"task": "dossiers.replacements.tasks.components_reread_sweep_task", "schedule": 15 * 60.0},
    "retention-prune": {"task": "dvctt.tasks.retention_prune_task", "schedule": crontab(hour=3, minute=10)},
}
# How long operational rows are kept, in days (dvctt/retention.py says what is kept for good).
RETENTION_SYNC_DAYS = env.int("RETENTION_SYNC_DAYS", default=90)
RETENTION_LOGIN_ATTEMPT_DAYS = env.int("RETENTION_LOGIN_ATTEMPT_DAYS", default=30)
RETENTION_NOTIFICATION_DAYS = env.int("RETENTION_NOTIFICATION_DAYS", default=365)
# Tasks of the capability packages (autodiscovery looks only at <app>.tasks).
CELERY_IMPORTS = (
    "dossiers.attachments.tasks",
    "dossiers.documents.tasks",
    "dossiers.drafts.tasks",
    "dossiers.notifications.tasks",
    "dossiers.payments.tasks",
    "dossiers.population.tasks",
    "dossiers.replacements.tasks",
)
CELERY_TASK_ROUTES = {"emc_sync.tasks.*": {"queue": "sync"}}

# With no mail server configured, messages are written as files under var/mail/ (read them there).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "var" / "mail")
# Text messages to applicants: a class with send(phone=, text=); the default writes them to the log.
SMS_BACKEND = env.str("SMS_BACKEND", default="dossiers.notifications.services.ConsoleSmsBackend")
# Messages to applicants not sent within this many minutes of the event are resent by a beat
# task, for events up to this many hours old (dossiers.notifications.services.events_missing_notifications).
NOTIFICATION_RESEND_AFTER_MINUTES = env.int("NOTIFICATION_RESEND_AFTER_MINUTES", default=10)
NOTIFICATION_RESEND_HOURS = env.int("NOTIFICATION_RESEND_HOURS", default=24)
# Sweeps that may resend one event's messages before giving up (an address always refused).
NOTIFICATION_RESEND_ATTEMPTS = env.int("NOTIFICATION_RESEND_ATTEMPTS", default=3)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cổng Dịch vụ công <no-reply@dichvucong.example.vn>")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "dvctt.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DVCTT API",
    "DESCRIPTION": "API công khai của Cổng dịch vụ công trực tuyến: thủ tục hành chính, lĩnh vực, cơ quan.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A dossier's status and an event's from/to status are one choice set: one name in the schema.
    "ENUM_NAME_OVERRIDES": {"DossierStatusEnum": "workflows.constants.Status"},
}

# Back-office mode (Official Letter 623/TTg-KSTT: from 1 July 2025 citizens file on Cổng DVCQG):
# False turns the citizen filing front off. The catalogue, the public lookup, "Hồ sơ của tôi" for
# dossiers already filed here, and the officers' and admins' sides stay; "Nộp hồ sơ" leads to the
# procedure on the national portal (NATIONAL_PORTAL_PROCEDURE_URL, {code} = the procedure's code).
CITIZEN_FILING_ENABLED = env.bool("CITIZEN_FILING_ENABLED", default=True)
NATIONAL_PORTAL_PROCEDURE_URL = env.str(
    "NATIONAL_PORTAL_PROCEDURE_URL",
    default="https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh.html?keyword={code}",
)

# Public address of the portal, printed in QR codes on the legal forms.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# What the portal calls itself, shown in the header and page titles.
PORTAL_NAME = env.str("PORTAL_NAME", default="Cổng Dịch vụ công tỉnh Ninh Bình")
PORTAL_PROVINCE_CODE = env.int("PORTAL_PROVINCE_CODE", default=37)
# The date line's place on a paper whose issuer names no administrative unit ("" = the province's name).
DOCUMENT_PLACE_NAME = env.str("DOCUMENT_PLACE_NAME", default="")
# Office hours (Asia/Ho_Chi_Minh), e.g. "07:00-11:30,13:30-17:00": 8 working hours = 1 working day.
OFFICE_HOURS = env.str("OFFICE_HOURS", default="07:00-11:30,13:30-17:00")
# Civil-status and certification procedures: received after this time, due the next working day.
SAME_DAY_CUTOFF = env.str("SAME_DAY_CUTOFF", default="15:00")
# A dossier received on a working day before opening time: "same_day" counts it from that day's
# opening (the hours model: 06:30 → 07:00); "next_day" counts it from the next working day, as the
# Civil Code (2015, art. 147) counts a time limit in days: from the day after the event.
RECEIPT_BEFORE_OPENING = env.str("RECEIPT_BEFORE_OPENING", default="same_day")
# Officer queues and the console warn this many days before 1 January while the coming year's
# calendar (holidays and make-up days) is not confirmed by its official letter.
CALENDAR_CONFIRM_WARNING_DAYS = env.int("CALENDAR_CONFIRM_WARNING_DAYS", default=90)
# Working days a consulted agency has to answer (lấy ý kiến), unless the officer says otherwise.
CONSULTATION_WORKING_DAYS = env.int("CONSULTATION_WORKING_DAYS", default=3)
# Drafts never submitted are deleted with their files after this many days without a change.
DRAFT_RETENTION_DAYS = env.int("DRAFT_RETENTION_DAYS", default=90)

# Outside systems (docs/stand-in-portal.md). The defaults point at the stand-in mounted on
# this server; CI drills and docker-compose run it as its own process.
MOCK_PORTAL_URL = env.str("MOCK_PORTAL_URL", default=PORTAL_BASE_URL + "/mock")
# Login with the national identity (VNeID), OpenID Connect authorization code flow with PKCE.
# Endpoints and signing keys come from the issuer's discovery document.
VNEID_ISSUER = env.str("VNEID_ISSUER", default=MOCK_PORTAL_URL + "/vneid")
VNEID_CLIENT_ID = env.str("VNEID_CLIENT_ID", default="dvctt")
VNEID_CLIENT_SECRET = env.str("VNEID_CLIENT_SECRET", default=DEV_SECRETS["VNEID_CLIENT_SECRET"])
VNEID_SCOPES = env.str("VNEID_SCOPES", default="openid profile email phone address")
VNEID_TIMEOUT_SECONDS = env.float("VNEID_TIMEOUT_SECONDS", default=5.0)
# Fee payment through the national payment platform (signed redirects, notifications, queries).
PAYMENT_URL = env.str("PAYMENT_URL", default=MOCK_PORTAL_URL + "/thanhtoan")
PAYMENT_MERCHANT = env.str("PAYMENT_MERCHANT", default="dvctt")
PAYMENT_SECRET = env.str("PAYMENT_SECRET", default=DEV_SECRETS["PAYMENT_SECRET"])
# A payment still pending this long after it started is asked about (dossiers.payments.tasks.payments_check_pending).
PAYMENT_PENDING_CHECK_AFTER_MINUTES = env.int("PAYMENT_PENDING_CHECK_AFTER_MINUTES", default=15)
# National sync (emc_sync, docs/national-sync.md): the national portal (Cổng DVCQG) and EMC.
NATIONAL_PORTAL_URL = env.str("NATIONAL_PORTAL_URL", default=MOCK_PORTAL_URL)
NATIONAL_PORTAL_TOKEN_URL = env.str("NATIONAL_PORTAL_TOKEN_URL", default=NATIONAL_PORTAL_URL + "/oauth/token")
NATIONAL_PORTAL_CLIENT_ID = env.str("NATIONAL_PORTAL_CLIENT_ID", default="dvctt")
NATIONAL_PORTAL_CLIENT_SECRET = env.str(
    "NATIONAL_PORTAL_CLIENT_SECRET", default=DEV_SECRETS["NATIONAL_PORTAL_CLIENT_SECRET"]
)
EMC_URL = env.str("EMC_URL", default=MOCK_PORTAL_URL + "/emc")
# Population registry (CSDLQG về dân cư) for e-form prefill (eforms/prefill.py): looked up
# by citizen id, client credentials token; a slow or failing registry means no prefill.
POPULATION_REGISTRY_URL = env.str("POPULATION_REGISTRY_URL", default=MOCK_PORTAL_URL + "/dancu")
# Sector databases replacing dossier components (Resolution 66.7/2025): /<MaCSDL>/<number>, same token.
NATIONAL_DATABASES_URL = env.str("NATIONAL_DATABASES_URL", default=MOCK_PORTAL_URL + "/csdl")
POPULATION_REGISTRY_TOKEN_URL = env.str("POPULATION_REGISTRY_TOKEN_URL", default=MOCK_PORTAL_URL + "/oauth/token")
POPULATION_REGISTRY_CLIENT_ID = env.str("POPULATION_REGISTRY_CLIENT_ID", default="dvctt")
POPULATION_REGISTRY_CLIENT_SECRET = env.str(
    "POPULATION_REGISTRY_CLIENT_SECRET", default=DEV_SECRETS["POPULATION_REGISTRY_CLIENT_SECRET"]
)
POPULATION_REGISTRY_TIMEOUT_SECONDS = env.float("POPULATION_REGISTRY_TIMEOUT_SECONDS", default=3.0)
# Every newly filed dossier's applicant is checked against the registry in the background
# (dossiers/population.py; Decision 766 indicator 4.5).
POPULATION_CHECK_ENABLED = env.bool("POPULATION_CHECK_ENABLED", default=True)
# How far back the sweep looks for dossiers whose registry check never got an answer.
POPULATION_SWEEP_DAYS = env.int("POPULATION_SWEEP_DAYS", default=7)
# ... and how old a dossier must be before the sweep takes it (the normal path had its chance).
POPULATION_SWEEP_AFTER_MINUTES = env.int("POPULATION_SWEEP_AFTER_MINUTES", default=10)
# Indicators (indicators/selectors.py): counts of periods that have ended are kept this long in
# the cache; 0 computes every time. Later writes to a finished month show within this delay.
INDICATORS_CACHE_SECONDS = env.int("INDICATORS_CACHE_SECONDS", default=900)
# Periods up to this many days read their dossiers through the GiST index of processing spans on
# PostgreSQL (dossiers.periods); longer ones (a year: half the table) scan it. 0: never the index.
INDICATORS_SPAN_INDEX_MAX_DAYS = env.int("INDICATORS_SPAN_INDEX_MAX_DAYS", default=92)
EMC_SITE_ID = env.str("EMC_SITE_ID", default="dvctt-ninhbinh")
# Where browsers load the page-view script from (EMC_URL is where the workers post events).
EMC_TRACKING_URL = env.str("EMC_TRACKING_URL", default=EMC_URL)
EMC_TRACKING_ENABLED = env.bool("EMC_TRACKING_ENABLED", default=True)
# SYNC_ENABLED: write outbox rows with every dossier change; SYNC_DELIVERY_ENABLED: ask for a
# delivery task after each commit (the beat sweeper delivers in any case).
SYNC_ENABLED = env.bool("SYNC_ENABLED", default=True)
SYNC_DELIVERY_ENABLED = env.bool("SYNC_DELIVERY_ENABLED", default=True)
SYNC_INBOUND_ENABLED = env.bool("SYNC_INBOUND_ENABLED", default=True)
SYNC_HTTP_TIMEOUT = env.float("SYNC_HTTP_TIMEOUT", default=10.0)  # seconds to wait for an answer
SYNC_BACKOFF_BASE_SECONDS = env.float("SYNC_BACKOFF_BASE_SECONDS", default=2.0)
SYNC_BACKOFF_CAP_SECONDS = env.float("SYNC_BACKOFF_CAP_SECONDS", default=600.0)
SYNC_LEASE_SECONDS = env.int("SYNC_LEASE_SECONDS", default=300)  # longer than a task's time limit
SYNC_DRAIN_BATCH = env.int("SYNC_DRAIN_BATCH", default=100)  # rows claimed at a time
SYNC_RECORD_BATCH = env.int("SYNC_RECORD_BATCH", default=20)  # dossier records per add/update request
SYNC_DRAIN_SECONDS = env.float("SYNC_DRAIN_SECONDS", default=60.0)  # one delivery task's budget
SYNC_SWEEP_FANOUT = env.int("SYNC_SWEEP_FANOUT", default=4)  # delivery tasks the sweeper may ask for
# Sends of one drain at a time (threads; per-dossier order kept), and the receiver breaker
# (emc_sync.breaker): open after this many unanswered requests in a row, probe (one drain of at
# most SYNC_BREAKER_PROBE_ROWS rows) after 5 s, then every 10 s. A claim's lease is sized
# to its batch (margin + rounds of HTTP timeouts), at most SYNC_LEASE_SECONDS. A row's own first
# SYNC_BACKOFF_HEALTHY_TRIES (12) retries wait at most SYNC_BACKOFF_HEALTHY_CAP_SECONDS (the breaker,
# not the row's backoff, handles an outage); after them the backoff grows to SYNC_BACKOFF_CAP_SECONDS.
SYNC_SEND_CONCURRENCY = env.int("SYNC_SEND_CONCURRENCY", default=8)
SYNC_BREAKER_FAILURES = env.int("SYNC_BREAKER_FAILURES", default=10)
SYNC_BREAKER_OPEN_SECONDS = env.float("SYNC_BREAKER_OPEN_SECONDS", default=5.0)
SYNC_BREAKER_OPEN_MAX_SECONDS = env.float("SYNC_BREAKER_OPEN_MAX_SECONDS", default=10.0)
SYNC_BREAKER_PROBE_ROWS = env.int("SYNC_BREAKER_PROBE_ROWS", default=3)
SYNC_LEASE_MARGIN_SECONDS = env.float("SYNC_LEASE_MARGIN_SECONDS", default=10.0)
SYNC_BACKOFF_HEALTHY_TRIES = env.int("SYNC_BACKOFF_HEALTHY_TRIES", default=12)
SYNC_BACKOFF_HEALTHY_CAP_SECONDS = env.float("SYNC_BACKOFF_HEALTHY_CAP_SECONDS", default=10.0)
# Longest search text accepted; longer input is refused with a message, never truncated silently.
SEARCH_MAX_LENGTH = 200

# Prometheus (dvctt/metrics.py): /metrics answers loopback and these addresses or networks
# (e.g. "10.0.5.7,10.0.6.0/24"); anyone else gets 404.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])

# Logs: LOG_FORMAT=json (production's default) writes one JSON object per line to stdout;
# "text" stays readable. Every line carries the request id (dvctt/request_log.py); citizen ids
# are masked. dvctt.access writes one line per request: method, path, status, duration_ms.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
# Error mails to ADMINS ("Name <address>, ..."; none by default) carry the traceback and the
# request: every citizen id number in them is masked (accounts.privacy).
ADMINS = [
    (name.strip(), address.strip().rstrip(">"))
    for name, _sep, address in (entry.partition("<") for entry in env.list("ADMINS", default=[]))
]
DEFAULT_EXCEPTION_REPORTER = "accounts.privacy.MaskingExceptionReporter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request": {"()": "dvctt.request_log.RequestContextFilter"},
        "mask": {"()": "dvctt.request_log.CitizenIdMaskFilter"},
        "store_errors": {"()": "dvctt.metrics.StoreErrorCounter"},
    },
    "formatters": {
        "json": {"()": "dvctt.request_log.JsonFormatter"},
        "text": {"()": "dvctt.request_log.PlainFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # JSON to stdout for the collector; text to stderr (as before), away from any tool reading stdout
            "stream": "ext://sys.stdout" if LOG_FORMAT == "json" else "ext://sys.stderr",
            "filters": ["request", "mask"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step at INFO.
    # django-axes logs every login at INFO; the login log (accounts.AuthEvent) keeps them.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        "dvctt.stores": {"filters": ["store_errors"]},
    },
}

# Digital signatures on results and legal forms (dossiers/signing, docs/signing.md). Keys behind
# PKCS#11 ("pkcs11": an HSM, the national CA's token, SoftHSM2 for the demo); "file" keys are for
# the embedded default only (prod refuses them). The PIN comes from the environment, never a file.
SIGNING_KEY_BACKEND = env.str("SIGNING_KEY_BACKEND", default="file")
SIGNING_DIR = env.str("SIGNING_DIR", default=str(BASE_DIR / "var" / "signing"))
SIGNING_PKCS11_MODULE = env.str("SIGNING_PKCS11_MODULE", default="/usr/lib/softhsm/libsofthsm2.so")
SIGNING_TOKEN_LABEL = env.str("SIGNING_TOKEN_LABEL", default="dvctt")
SIGNING_PIN = env.str("SIGNING_PIN", default="")
SIGNING_SO_PIN = env.str("SIGNING_SO_PIN", default="")
# PEM files of the CAs whose certificates the verification page trusts (empty: the demo CA).
SIGNING_TRUST_ROOTS = env.list("SIGNING_TRUST_ROOTS", default=[])
# Local CRL files (DER) besides what a certificate's own CRL/OCSP addresses give.
SIGNING_CRLS = env.list("SIGNING_CRLS", default=[])
# "soft-fail", "hard-fail" or "require" (pyhanko-certvalidator's revocation modes).
SIGNING_REVOCATION_MODE = env.str("SIGNING_REVOCATION_MODE", default="soft-fail")
SIGNING_STAMP_FONT = env.str(
    "SIGNING_STAMP_FONT", default="/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
)
# Largest PDF the public verification page reads (bytes).
SIGNING_VERIFY_MAX_BYTES = env.int("SIGNING_VERIFY_MAX_BYTES", default=20 * 1024 * 1024)
