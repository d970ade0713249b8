"""Settings shared by every deployment; everything that differs comes from the environment.

No DATABASE_URL means the embedded SQLite database (demo and development); production sets
DATABASE_URL to PostgreSQL. See docs/operations.md.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# The development key is only used when DEBUG is on; production must set DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "ninja",
    "xiaoneng.core",
    "xiaoneng.orgs",
    "xiaoneng.workdays",
    "xiaoneng.catalog",
    "xiaoneng.cases",
    "xiaoneng.complaints",
    "xiaoneng.disclosure",
    "xiaoneng.inspections",
    "xiaoneng.enterprise",
    "xiaoneng.normative",
    "xiaoneng.proposals",
    "xiaoneng.ratings",
    "xiaoneng.oversight",
    "xiaoneng.supervision",
    "xiaoneng.evaluation",
    "xiaoneng.portal",
    "xiaoneng.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # the read replica for the pages that may lag (xiaoneng.core.dbrouter)
    "xiaoneng.core.dbrouter.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # a NUL byte in a parameter is a 400, not a DataError deep in a view (xiaoneng.core.middleware)
    "xiaoneng.core.middleware.NulByteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Lockout after repeated failed logins; must be last (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xiaoneng" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "xiaoneng.portal.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATA_DIR = Path(os.environ.get("XIAONENG_DATA_DIR", BASE_DIR / "var"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "xiaoneng.sqlite3"),
            # Web server, task worker and scheduler share one file: WAL lets readers run beside the
            # writer, IMMEDIATE takes the write lock at BEGIN (no upgrade deadlocks), and the busy
            # timeout makes a second writer wait instead of failing with "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
# Read replica (docs/operations.md): dashboards, public pages, statistics and exports read from it,
# writes and read-after-write from the primary (xiaoneng.core.dbrouter decides)
if os.environ.get("XIAONENG_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["XIAONENG_REPLICA_URL"], conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
XIAONENG_READ_REPLICA = "replica" in DATABASES
# a browser that has just written reads from the primary for this long (replication lag)
XIAONENG_REPLICA_STICKY_SECONDS = int(os.environ.get("XIAONENG_REPLICA_STICKY_SECONDS", "15"))
DATABASE_ROUTERS = ["xiaoneng.core.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "xiaoneng.orgs.backends.PhoneOrUsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"  # staff → workbench, applicants → home
LOGOUT_REDIRECT_URL = "home"
# Lockout: 5 failures for the same username from the same address locks for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("XIAONENG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("XIAONENG_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Forgotten passwords (docs/operations.md): an e-mailed link valid this long, or a 6-digit SMS code
# valid XIAONENG_RESET_CODE_MINUTES, refused after XIAONENG_RESET_CODE_MAX_ATTEMPTS wrong entries; one
# code per phone a minute, XIAONENG_RESET_CODES_PER_HOUR per phone and …_PER_ADDRESS_HOUR per address.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("XIAONENG_RESET_LINK_SECONDS", "3600"))
XIAONENG_RESET_CODE_MINUTES = int(os.environ.get("XIAONENG_RESET_CODE_MINUTES", "10"))
XIAONENG_RESET_CODE_MAX_ATTEMPTS = int(os.environ.get("XIAONENG_RESET_CODE_MAX_ATTEMPTS", "5"))
XIAONENG_RESET_CODE_RESEND_SECONDS = int(os.environ.get("XIAONENG_RESET_CODE_RESEND_SECONDS", "60"))
XIAONENG_RESET_CODES_PER_HOUR = int(os.environ.get("XIAONENG_RESET_CODES_PER_HOUR", "5"))
XIAONENG_RESET_CODES_PER_ADDRESS_HOUR = int(os.environ.get("XIAONENG_RESET_CODES_PER_ADDRESS_HOUR", "20"))
# Session timeout: 30 minutes of inactivity (sliding), and always at browser close.
SESSION_COOKIE_AGE = int(os.environ.get("XIAONENG_SESSION_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# --- I18n ----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "xiaoneng" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("XIAONENG_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "xiaoneng" / "static"]
# Uploaded materials are stored outside the web root and served only through permission checks.
MEDIA_ROOT = Path(os.environ.get("XIAONENG_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media-not-served/"
# Where uploaded materials, evidence and generated files live: the local filesystem (MEDIA_ROOT) by
# default; an S3-compatible object store (MinIO, Ceph RGW, a government cloud's OSS) when several web
# nodes must share them — XIAONENG_STORAGE=s3 and the bucket settings below (django-storages).
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("XIAONENG_STORAGE", "filesystem") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["XIAONENG_S3_BUCKET"],
            "endpoint_url": os.environ.get("XIAONENG_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("XIAONENG_S3_REGION") or None,
            "access_key": os.environ.get("XIAONENG_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("XIAONENG_S3_SECRET_KEY") or None,
            # private objects: materials are streamed by views that check who may see them, never linked
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "location": os.environ.get("XIAONENG_S3_PREFIX", ""),
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Tasks, mail, SMS ------------------------------------------------------------------------
TASKS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": os.environ.get("XIAONENG_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Celery as the task backend when scaling out (config/celery.py; docs/operations.md): the broker is Redis
# (redis://…) or RabbitMQ (amqp://…); results are not needed (the tasks write their effects and events)
if TASKS["default"]["BACKEND"] == "django_tasks_celery.CeleryBackend":
    TASKS["default"]["OPTIONS"] = {"CELERY_APP": "config.celery.app"}
CELERY_BROKER_URL = os.environ.get("XIAONENG_CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is redelivered (at least once, like the database backend)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Mail through Django 6.1's MAILERS (EMAIL_BACKEND and the other EMAIL_* settings are deprecated).
# DJANGO_EMAIL_BACKEND chooses the backend: the console while DEBUG is on, SMTP otherwise, configured
# by DJANGO_EMAIL_HOST (default localhost), _PORT, _HOST_USER, _HOST_PASSWORD, _USE_TLS, _USE_SSL,
# _TIMEOUT; the file backend writes to DJANGO_EMAIL_FILE_PATH.
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG else _SMTP_BACKEND
)
_EMAIL_OPTIONS: dict[str, object] = {}
if _EMAIL_BACKEND == _SMTP_BACKEND:
    _EMAIL_OPTIONS = {
        "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
        "port": int(os.environ["DJANGO_EMAIL_PORT"]) if os.environ.get("DJANGO_EMAIL_PORT") else None,
        "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
        "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("DJANGO_EMAIL_USE_TLS"),
        "use_ssl": env_bool("DJANGO_EMAIL_USE_SSL"),
        "timeout": float(os.environ["DJANGO_EMAIL_TIMEOUT"]) if os.environ.get("DJANGO_EMAIL_TIMEOUT") else 10.0,
    }
elif _EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
    _EMAIL_OPTIONS = {"file_path": os.environ.get("DJANGO_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))}
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "xiaoneng@localhost")
XIAONENG_SMS_BACKEND = os.environ.get("XIAONENG_SMS_BACKEND", "xiaoneng.core.sms.ConsoleSmsBackend")
# E-mail and SMS leave from the task worker (core.tasks.message_send): a failed send is retried after
# 1, 2, 4, 8 … × the base delay, at most MAX_ATTEMPTS times, then logged and kept as a failed task row.
XIAONENG_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("XIAONENG_NOTIFY_MAX_ATTEMPTS", "5"))
XIAONENG_NOTIFY_RETRY_BASE_SECONDS = int(os.environ.get("XIAONENG_NOTIFY_RETRY_BASE_SECONDS", "60"))
# The scheduler prunes finished task rows daily: successful ones after 7 days, failed ones after 30.
XIAONENG_TASK_RESULTS_KEEP_DAYS = int(os.environ.get("XIAONENG_TASK_RESULTS_KEEP_DAYS", "7"))
XIAONENG_TASK_FAILURES_KEEP_DAYS = int(os.environ.get("XIAONENG_TASK_FAILURES_KEEP_DAYS", "30"))
# One scheduler at a time: a PostgreSQL advisory lock, or this lock file on SQLite (docs/operations.md).
XIAONENG_SCHEDULER_LOCK_FILE = Path(os.environ.get("XIAONENG_SCHEDULER_LOCK_FILE", DATA_DIR / "scheduler.lock"))
# A task row left RUNNING longer than this (a worker that died) no longer stops the scheduler enqueueing it.
XIAONENG_SCHEDULER_STALE_RUNNING_SECONDS = int(os.environ.get("XIAONENG_SCHEDULER_STALE_RUNNING_SECONDS", "3600"))
# The key of the Event trail's daily anchors (core.trail): unset, one derived from SECRET_KEY. Keep it
# where the database's administrators cannot read it; changing it leaves older anchors uncheckable.
XIAONENG_TRAIL_KEY = os.environ.get("XIAONENG_TRAIL_KEY", "")

# --- Cache and rate limits -------------------------------------------------------------------
# One cache shared by every process (web workers, task worker), so rate-limit counts hold across them.
# XIAONENG_CACHE_URL: unset = the database table xiaoneng_cache (created by migrate), redis://… or
# rediss://… = Redis (Django's RedisCache; `pip install redis`), file:///path = files, locmem:// =
# this process only (tests). docs/operations.md.
_CACHE_URL = os.environ.get("XIAONENG_CACHE_URL", "").strip()
if _CACHE_URL.startswith(("redis://", "rediss://")):
    _CACHE: dict[str, object] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
elif _CACHE_URL.startswith("file://"):
    _CACHE = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": _CACHE_URL[7:]}
elif _CACHE_URL.startswith("locmem://"):
    _CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": _CACHE_URL[9:] or "xn"}
elif not _CACHE_URL:
    _CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "xiaoneng_cache"}
else:
    raise RuntimeError("XIAONENG_CACHE_URL must start with redis://, rediss://, file:// or locmem://")
CACHES = {"default": {**_CACHE, "KEY_PREFIX": "xn"}}
# Requests per client address ("count/period", period s/m/h/d with an optional multiplier; "" = no
# limit): public tracking look-ups by number + query code (pages and API), and Open311 POST.
XIAONENG_THROTTLE_RATES = {
    "track": os.environ.get("XIAONENG_THROTTLE_TRACK", "20/10m"),
    "open311_post": os.environ.get("XIAONENG_THROTTLE_OPEN311_POST", "60/h"),
    "public_comment": os.environ.get("XIAONENG_THROTTLE_PUBLIC_COMMENT", "20/h"),  # DEC-2 comments
    # forgotten passwords: requests (e-mail or SMS) per client address, and reset mails per e-mail address
    "password_reset": os.environ.get("XIAONENG_THROTTLE_PASSWORD_RESET", "20/h"),
    "password_reset_email": os.environ.get("XIAONENG_THROTTLE_PASSWORD_RESET_EMAIL", "3/h"),
}

# --- Platform --------------------------------------------------------------------------------
XIAONENG_SITE_NAME = _("效能政务服务平台")
# The public address, for links that leave the site: the rating QR code on decision notices, SMS links.
XIAONENG_PUBLIC_URL = os.environ.get("XIAONENG_PUBLIC_URL", "http://127.0.0.1:8000")
# The TrueType CJK font embedded in every PDF (xiaoneng/core/pdf.py); empty = AR PL UMing (fonts-arphic-uming).
XIAONENG_PDF_FONT = os.environ.get("XIAONENG_PDF_FONT", "")
XIAONENG_PDF_FONT_INDEX = int(os.environ.get("XIAONENG_PDF_FONT_INDEX", "0"))
# CLK-4: years before this one come from the chinese-calendar seed; later years from notices.
XIAONENG_CALENDAR_SEED_YEARS = (2004, 2026)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XIAONENG_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Production hardening (all on unless DEBUG) ------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
