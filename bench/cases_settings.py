"""Bench-only settings for bench/cases.py: the product settings plus a URLconf with a bare view.
Never used by the product."""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-key")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("XIAONENG_SMS_BACKEND", "xiaoneng.core.sms.MemorySmsBackend")

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.cases_urls"
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
MIDDLEWARE = ["bench.cases_urls.echo_seq", *MIDDLEWARE]  # noqa: F405
