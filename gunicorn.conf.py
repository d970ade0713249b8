"""gunicorn reads this file from its working directory (the checkout) by default: settings for every
web process, whatever the command line says about workers and binding (docs/operations.md)."""

import gc
import os
import socket
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Move what the worker loaded at start (Django, the apps, the URLconf) out of the cyclic garbage
    collector's reach: those objects live as long as the process, and otherwise every full
    collection walks them all again. An opinion request allocates enough to trigger collections
    often: measured 0.44 → 0.03 ms of collection per request (docs/performance.md, issue 9)."""
    gc.collect()
    gc.freeze()


def when_ready(server: Any) -> None:
    """Hand a connection to a worker only once its request has arrived (Linux TCP_DEFER_ACCEPT, as
    nginx's `listen … deferred`). A gthread worker's thread otherwise waits up to five seconds on
    each connection it accepted for the first bytes, while the requests behind it in that worker
    queue: a client that connects ahead of sending (a load generator, a browser's preconnect, a slow
    link) holds a thread idle. Measured with bench/cases.py: the paced opinion's tail was made of
    such waits, up to connections ÷ rate ≈ 0.5 s, while no request spent more than 54 ms in Django
    (docs/performance.md, issue 9). The listening sockets are set here, before the workers fork.
    XIAONENG_DEFER_ACCEPT: the seconds the kernel holds a silent connection before passing it on all
    the same (default 5, gthread's own wait; 0 switches it off)."""
    value = os.environ.get("XIAONENG_DEFER_ACCEPT", "5")
    if not value.strip().isdigit() or int(value) > 3600:
        raise SystemExit(f"XIAONENG_DEFER_ACCEPT must be a whole number of seconds, 0 to 3600 (0 = off), not {value!r}")
    seconds = int(value)
    if seconds <= 0 or not hasattr(socket, "TCP_DEFER_ACCEPT"):
        return
    for listener in server.LISTENERS:
        if listener.family in (socket.AF_INET, socket.AF_INET6):
            listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, seconds)
