"""The demo (`./xn run`) shows the project's own Chinese 404 and 500 pages, not Django's English debug
pages (issue 9); the 500 page renders with no request and no database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
r = Client().get("/no-such-page/", HTTP_HOST="127.0.0.1:8000")
print(json.dumps({"debug": settings.DEBUG, "status": r.status_code, "body": r.content.decode()}))
"""


def _xn_run_env() -> dict[str, str]:
    """The settings module and XIAONENG_DEBUG that `./xn run` exports (read from the script itself)."""
    script = (ROOT / "xn").read_text()
    body = script[script.index("cmd_run() {") : script.index("cmd_test() {")]
    settings_module = re.search(r"export DJANGO_SETTINGS_MODULE=(\S+)", body)
    debug = re.search(r'export XIAONENG_DEBUG="\$\{XIAONENG_DEBUG:-(\d)\}"', body)
    assert settings_module, "./xn run must export DJANGO_SETTINGS_MODULE and XIAONENG_DEBUG"
    assert debug, "./xn run must export DJANGO_SETTINGS_MODULE and XIAONENG_DEBUG"
    assert "--insecure" in body  # DEBUG off: runserver must still serve the static files
    return {"DJANGO_SETTINGS_MODULE": settings_module[1], "XIAONENG_DEBUG": debug[1]}


def test_xn_run_serves_the_projects_chinese_404_page(tmp_path):
    # given the environment ./xn run starts the site with (and none of the test settings' variables)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XIAONENG_"))}
    env.update(_xn_run_env(), XIAONENG_DATA_DIR=str(tmp_path), DJANGO_ALLOW_ASYNC_UNSAFE="true")
    # when a missing page is requested
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # then DEBUG is off and the page is the project's, in Chinese, in the site's layout
    assert result["debug"] is False
    assert result["status"] == 404
    assert "页面不存在" in result["body"]
    assert "您要找的页面不存在，或您无权查看。" in result["body"]
    assert "Page not found" not in result["body"]
    assert "URLconf" not in result["body"]


def test_developers_keep_the_debug_pages_with_xiaoneng_debug(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XIAONENG_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", XIAONENG_DEBUG="1", XIAONENG_DATA_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1])["debug"] is True


def _boom(request):
    raise RuntimeError("something broke")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
def test_an_unhandled_error_renders_the_projects_500_page(settings):
    # given a view that fails, with DEBUG off as in the demo and production
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    # when
    r = Client(raise_request_exception=False).get("/boom/")
    # then the project's page, in Chinese
    assert r.status_code == 500
    body = r.content.decode()
    assert "服务暂时不可用" in body
    assert "请稍后再试" in body
    assert "Server Error" not in body


def test_the_500_page_renders_without_a_request_or_database():
    # no django_db mark: any query would raise; no request: no context processors, no user
    html = render_to_string("500.html")
    assert "服务暂时不可用" in html
    assert "/static/css/xiaoneng.css" in html
