"""Test settings: fast hashing, immediate tasks, in-memory mail and SMS."""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")

from .base import *  # noqa: F403
from .base import DATA_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}  # mail.outbox
XIAONENG_SMS_BACKEND = "xiaoneng.core.sms.MemorySmsBackend"
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = DATA_DIR / "test-media"
ALLOWED_HOSTS = ["*"]
XIAONENG_CALENDAR_RECHECK_SECONDS = 0
# rate-limit counts in this process only; cleared before each test (root conftest)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "xn-test"}}
