"""Local development and the demo: plain HTTP on 127.0.0.1, console e-mail.

XIAONENG_DEBUG (default 1) sets DEBUG. `./xn run` sets it to 0, so the demo shows what citizens see —
the project's own Chinese 404 and 500 pages, not Django's English debug pages — and serves static
files with `runserver --insecure`. Developers keep Django's debug pages with `XIAONENG_DEBUG=1 ./xn run`
or by running manage.py directly. DJANGO_DEBUG, when set, still wins."""

import os

os.environ.setdefault("DJANGO_DEBUG", os.environ.get("XIAONENG_DEBUG", "1"))
# with DEBUG off these stay development values: a fixed key, no HTTPS redirect or secure-only cookies
# (the demo is plain HTTP on 127.0.0.1), and the console instead of an SMTP relay
os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_HSTS_SECONDS", "0")
os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

from config.settings.base import *  # noqa: F403
