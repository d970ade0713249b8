"""Housekeeping of the database task backend's table (scheduled daily by core.tasks)."""

from __future__ import annotations

__all__ = ["task_results_prune", "task_results_recover"]

from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def task_results_prune(*, keep_days: int | None = None, failed_keep_days: int | None = None) -> int:
    """Delete finished rows of the database task backend's table: successful ones older than
    `XIAONENG_TASK_RESULTS_KEEP_DAYS` (7), failed ones older than `XIAONENG_TASK_FAILURES_KEEP_DAYS`
    (30, kept longer: they are the record of messages that could not be sent). Ready and running rows
    are never touched. Uses django-tasks-db's own `prune_db_task_results`; a no-op with another
    task backend. Returns the number of rows deleted."""

    backend = task_backends["default"]
    if not isinstance(backend, DatabaseBackend):
        return 0

    keep = settings.XIAONENG_TASK_RESULTS_KEEP_DAYS if keep_days is None else keep_days
    failed_keep = settings.XIAONENG_TASK_FAILURES_KEEP_DAYS if failed_keep_days is None else failed_keep_days

    before = DBTaskResult.objects.count()
    # string arguments: argparse converts them (the command's --backend option takes an alias)
    call_command(
        "prune_db_task_results",
        f"--backend={backend.alias}",
        "--queue-name=*",
        f"--min-age-days={keep}",
        f"--failed-min-age-days={failed_keep}",
        verbosity=0,
    )
    return before - DBTaskResult.objects.count()


def task_results_recover(*, stale_seconds: int | None = None) -> int:
    """Put back in the queue the tasks whose worker died while running them (killed, out of memory,
    machine lost): a RUNNING row started more than `XIAONENG_SCHEDULER_STALE_RUNNING_SECONDS` ago
    (longer than any task of ours runs) becomes READY again, keeping the list of workers that
    claimed it. So a task is run at least once, never lost; every task here is idempotent (the scan,
    the detections and the escalations re-read the state; a notification may be sent twice, which is
    the lesser evil). Returns the number of rows put back; a no-op with another task backend."""

    if not any(isinstance(b, DatabaseBackend) for b in task_backends.all()):
        return 0
    seconds = settings.XIAONENG_SCHEDULER_STALE_RUNNING_SECONDS if stale_seconds is None else stale_seconds
    before = timezone.now() - timedelta(seconds=seconds)
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=before).update(
        status=TaskResultStatus.READY, started_at=None
    )
