"""Test settings: fast hashing, immediate tasks, in-memory mail and SMS."""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")

from config.settings.base import *  # noqa: F403
from config.settings.base import DATA_DIR, DATABASES

# a second alias on the same database: the router's decisions are exercised against a real second
# connection (xiaoneng/core/tests/test_dbrouter.py); reads reach it only where a test enables the replica
if "replica" not in DATABASES:
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
XIAONENG_READ_REPLICA = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}  # mail.outbox
XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.MemorySmsBackend"
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = DATA_DIR / "test-media"
ALLOWED_HOSTS = ["*"]
XIAONENG_CALENDAR_RECHECK_SECONDS = 0
# rate-limit counts in this process only; cleared before each test (root conftest)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "xn-test"}}
