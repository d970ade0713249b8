"""gunicorn.conf.py, the settings every web process gets (docs/operations.md): a connection reaches a
worker only with its request, and each worker's start-up objects are out of the garbage collector's
reach (issue 9, docs/performance.md)."""

import gc
import os
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[3]
CONF = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

linux_only = pytest.mark.skipif(not hasattr(socket, "TCP_DEFER_ACCEPT"), reason="TCP_DEFER_ACCEPT is Linux's")


def _listener() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock


@linux_only
def test_the_listening_sockets_defer_accept_until_the_request_arrives(monkeypatch):
    monkeypatch.delenv("XIAONENG_DEFER_ACCEPT", raising=False)
    with _listener() as sock:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT) == 0
        CONF["when_ready"](SimpleNamespace(LISTENERS=[sock]))
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT) > 0


@linux_only
def test_defer_accept_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("XIAONENG_DEFER_ACCEPT", "0")
    with _listener() as sock:
        CONF["when_ready"](SimpleNamespace(LISTENERS=[sock]))
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT) == 0


@pytest.mark.parametrize("value", ["five", "-1", "1.5", "", "99999999999"])
def test_a_bad_defer_accept_value_stops_the_start_with_a_clear_message(monkeypatch, value):
    monkeypatch.setenv("XIAONENG_DEFER_ACCEPT", value)
    with _listener() as sock, pytest.raises(SystemExit, match="XIAONENG_DEFER_ACCEPT must be a whole number"):
        CONF["when_ready"](SimpleNamespace(LISTENERS=[sock]))


def test_a_worker_freezes_what_it_loaded_at_start():
    try:
        CONF["post_worker_init"](None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int) -> float:
    """Seconds until a plain GET on a new connection is answered."""
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=15) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert conn.recv(64).startswith(b"HTTP/1.1 200")
    return time.monotonic() - t0


@linux_only
def test_a_silent_connection_does_not_hold_a_worker_while_a_request_waits():
    """One worker with one thread. A client connects and sends nothing yet (a browser's preconnect, a
    load generator that connects ahead of its request): without deferred accept the worker's thread
    waits up to five seconds on it, and a request arriving meanwhile queues behind it."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("XIAONENG_DEFER_ACCEPT", None)
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-k", "gthread"]
    command += ["-w", "1", "--threads", "1", "-b", f"127.0.0.1:{port}", "xiaoneng.core.tests.wsgi_hello:app"]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:  # wait for the worker: the first answer
            try:
                _get(port)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", port)) as silent:
            time.sleep(0.3)  # the silent connection is established before the request comes
            took = _get(port)
            silent.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert silent.recv(64).startswith(b"HTTP/1.1 200")
        assert took < 2.0, f"the request waited {took:.1f} s behind a connection that sent nothing"
    finally:
        server.terminate()
        server.wait(timeout=20)
