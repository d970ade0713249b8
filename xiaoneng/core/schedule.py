"""Periodic tasks: apps register them; `manage.py run_scheduler` enqueues each when it is due.

The scheduler only enqueues (through Django's task backend); the worker runs. Three guards keep a
job from running twice (docs/operations.md):

* one scheduler at a time — `scheduler_lock()` takes a PostgreSQL advisory lock on a dedicated
  connection (held for the scheduler's life: the lock goes when the process or its connection dies),
  or, on SQLite, an exclusive `flock` on a lock file beside the database (SQLite is one machine);
* a job whose previous run is still queued or running is not enqueued again (`periodic_pending`);
* every periodic task is idempotent anyway.
"""

from __future__ import annotations

__all__ = [
    "SCHEDULER_LOCK_KEY",
    "Periodic",
    "SchedulerLock",
    "periodic_pending",
    "periodic_tasks",
    "register_periodic",
    "scheduler_lock",
]

import fcntl
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.db import connections
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Any  # a django.tasks Task
    every_seconds: int


_REGISTRY: dict[str, Periodic] = {}


def register_periodic(name: str, task: Any, every_seconds: int) -> None:
    _REGISTRY[name] = Periodic(name, task, every_seconds)


def periodic_tasks() -> list[Periodic]:
    return list(_REGISTRY.values())


# A fixed 64-bit key for pg_try_advisory_lock: the bytes of "xn-sched" (advisory locks are per database,
# so two Xiaoneng databases on one server do not collide).
SCHEDULER_LOCK_KEY = int.from_bytes(b"xn-sched", "big") & 0x7FFF_FFFF_FFFF_FFFF


class SchedulerLock:
    """The held scheduler lock; `release()` (or process exit) gives it up."""

    def __init__(self, *, connection: Any = None, file: IO[bytes] | None = None) -> None:
        self._connection = connection
        self._file = file

    @property
    def kind(self) -> str:
        return "postgresql advisory lock" if self._connection is not None else f"lock file {self._file_name()}"

    def _file_name(self) -> str:
        return str(getattr(self._file, "name", ""))

    def alive(self) -> bool:
        """False when the PostgreSQL connection holding the lock has gone (the lock went with it)."""
        if self._connection is None:
            return True
        try:
            with self._connection.cursor() as cur:
                cur.execute("SELECT 1")
            return True
        except Exception:  # any driver error means the session, and the lock, is gone
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                with self._connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock(%s)", [SCHEDULER_LOCK_KEY])
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def scheduler_lock(using: str = "default") -> SchedulerLock | None:
    """Take the one-scheduler lock without waiting; None if another scheduler holds it."""
    if connections[using].vendor == "postgresql":
        # a connection of its own, never handed to the ORM: closing or recycling the ORM's connection
        # (CONN_MAX_AGE) must not drop the lock
        conn = connections.create_connection(using)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s)", [SCHEDULER_LOCK_KEY])
            (got,) = cur.fetchone()
        if not got:
            conn.close()
            return None
        return SchedulerLock(connection=conn)
    path = settings.XIAONENG_SCHEDULER_LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    f = open(path, "a+b")  # noqa: SIM115 — held open for the scheduler's life, closed by release()
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        return None
    f.truncate(0)
    f.write(f"{os.getpid()}\n".encode())
    f.flush()
    return SchedulerLock(file=f)


def periodic_pending(p: Periodic) -> bool:
    """True when a run of this job is already queued or running in the database task backend, so
    enqueueing it again would only double it. A RUNNING row older than
    XIAONENG_SCHEDULER_STALE_RUNNING_SECONDS is taken as a dead worker's and does not block."""

    backend = task_backends[p.task.backend]
    if not isinstance(backend, DatabaseBackend):
        return False  # the immediate backend runs at enqueue: nothing can be pending
    rows = DBTaskResult.objects.filter(task_path=p.task.module_path, backend_name=backend.alias)
    stale = timezone.now() - timedelta(seconds=settings.XIAONENG_SCHEDULER_STALE_RUNNING_SECONDS)
    return (
        rows.filter(status=TaskResultStatus.READY).exists()
        or rows.filter(status=TaskResultStatus.RUNNING, started_at__gte=stale).exists()
    )
