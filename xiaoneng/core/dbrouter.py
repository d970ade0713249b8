"""Read replicas (docs/operations.md, "Read replicas"): dashboards, public pages, statistics and exports
read from the `replica` database; everything else, and every read that must see a write, from the
primary.

A model cannot tell whether it is read for a dashboard or for an action that is about to write it, so
the router does not guess by model: a read goes to the replica only

* inside `replica_reads()` — entered for the pages named in `REPLICA_VIEWS` by `ReplicaMiddleware`
  (one list, here, rather than a decorator in every app), or by a task that builds an export;
* when the deployment has a replica (`XIAONENG_READ_REPLICA`, set from `XIAONENG_REPLICA_URL`);
* when nothing in this request has written yet and the primary is not inside a transaction (a read
  inside an action's transaction must see its own writes and hold its locks);
* when the browser has not written in the last `XIAONENG_REPLICA_STICKY_SECONDS` (a clerk who has
  just saved sees the saved row on the next page although the replica may lag; the middleware marks
  such a browser with a short-lived cookie after any unsafe request).

Writes always go to the primary; migrations run on the primary only.
"""

from __future__ import annotations

__all__ = [
    "PRIMARY",
    "REPLICA",
    "REPLICA_VIEWS",
    "ReplicaMiddleware",
    "ReplicaRouter",
    "replica_reads",
]

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"
STICKY_COOKIE = "xn_primary"

# The pages whose reads may lag the primary by a few seconds: figures for supervisors and leaders, the
# public lists and statistics, and the exports built from them. No page that writes is here.
REPLICA_VIEWS = frozenset(
    {
        "public",
        "catalog:index",
        "catalog:item",
        "catalog:flowchart",
        "complaints:public_stats",
        "complaints:stats",
        "ratings:public_stats",
        "ratings:survey_results",
        "ratings:survey_export",
        "cases:ledger",
        "supervision:dashboard",
        "supervision:overdue",
        "supervision:efficiency",
        "supervision:warnings",
        "supervision:leader",
        "supervision:bulletins",
        "supervision:bulletin",
        "supervision:bulletin_download",
        "open311:services",
        "open311:requests",
    }
)


@dataclass
class _State:
    active: bool = False
    wrote: bool = False


_state: ContextVar[_State | None] = ContextVar("xiaoneng_replica_state", default=None)


def replica_enabled() -> bool:
    return bool(getattr(settings, "XIAONENG_READ_REPLICA", False)) and REPLICA in settings.DATABASES


@contextmanager
def replica_reads(*, sticky: bool = False) -> Iterator[None]:
    """Reads inside this block may go to the replica (see the module docstring). `sticky`: the caller
    knows this browser wrote a moment ago, so the block reads from the primary after all."""
    token = _state.set(_State(active=not sticky))
    try:
        yield
    finally:
        _state.reset(token)


class ReplicaRouter:
    """DATABASE_ROUTERS entry: the decisions described in the module docstring."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        state = _state.get()
        if state is None or not state.active or state.wrote or not replica_enabled():
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        state = _state.get()
        if state is not None:
            state.wrote = True  # read-after-write: the rest of this request reads the primary
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY


class ReplicaMiddleware:
    """Enters `replica_reads()` for the views in REPLICA_VIEWS; marks a browser that has just written."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _state.set(None)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if request.method not in ("GET", "HEAD", "OPTIONS") and replica_enabled():
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=settings.XIAONENG_REPLICA_STICKY_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if match is not None and match.view_name in REPLICA_VIEWS and request.method in ("GET", "HEAD"):
            _state.set(_State(active=STICKY_COOKIE not in request.COOKIES))
