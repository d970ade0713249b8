"""Mail goes through Django 6.1's MAILERS, not the deprecated EMAIL_BACKEND; the backend is chosen by
the environment (DJANGO_EMAIL_BACKEND), and tests use the in-memory outbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.mail import mailers

from config.settings import base, test

ROOT = Path(__file__).resolve().parents[3]

PRINT_MAILERS = (
    "import warnings, django, json; warnings.simplefilter('error', PendingDeprecationWarning); "
    "django.setup(); from django.conf import settings; print(json.dumps(settings.MAILERS))"
)


def _mailers(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_EMAIL", "DJANGO_DEBUG"))}
    out = subprocess.run(
        [sys.executable, "-c", PRINT_MAILERS],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": "k" * 50, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_settings_define_mailers_and_no_deprecated_email_backend():

    assert "default" in settings.MAILERS
    assert not hasattr(base, "EMAIL_BACKEND")
    assert not hasattr(test, "EMAIL_BACKEND")


def test_tests_send_to_the_in_memory_outbox():
    # when
    mail.send_mail("主题", "正文", None, ["a@example.invalid"], using="default")
    # then
    assert [m.subject for m in mail.outbox] == ["主题"]
    assert type(mailers.default).__module__ == "django.core.mail.backends.locmem"


def test_production_defaults_to_smtp_on_localhost():
    m = _mailers()
    assert m["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert m["default"]["OPTIONS"]["host"] == "localhost"


def test_the_environment_chooses_the_backend_and_smtp_options():
    m = _mailers(DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    assert m == {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend", "OPTIONS": {}}}
    m = _mailers(DJANGO_EMAIL_HOST="smtp.example.invalid", DJANGO_EMAIL_PORT="465", DJANGO_EMAIL_USE_SSL="1")
    opts = m["default"]["OPTIONS"]
    assert (opts["host"], opts["port"], opts["use_ssl"], opts["use_tls"]) == ("smtp.example.invalid", 465, True, False)


def test_development_defaults_to_the_console():
    m = _mailers(DJANGO_DEBUG="1")
    assert m["default"]["BACKEND"] == "django.core.mail.backends.console.EmailBackend"
