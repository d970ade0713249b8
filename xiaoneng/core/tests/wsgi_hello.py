"""A WSGI application with nothing in it, for test_gunicorn_conf.py: starts in milliseconds, so the
test measures gunicorn's handling of connections, not Django's start-up."""

from collections.abc import Callable, Iterable
from typing import Any


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
