"""Housekeeping of the database task backend's table (scheduled daily by core.tasks)."""

from __future__ import annotations

__all__ = ["task_results_prune"]

from django.conf import settings
from django.core.management import call_command


def task_results_prune(*, keep_days: int | None = None, failed_keep_days: int | None = None) -> int:
    """Delete finished rows of the database task backend's table: successful ones older than
    `XIAONENG_TASK_RESULTS_KEEP_DAYS` (7), failed ones older than `XIAONENG_TASK_FAILURES_KEEP_DAYS`
    (30, kept longer: they are the record of messages that could not be sent). Ready and running rows
    are never touched. Uses django-tasks-db's own `prune_db_task_results`; a no-op with another
    task backend. Returns the number of rows deleted."""
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    backend = task_backends["default"]
    if not isinstance(backend, DatabaseBackend):
        return 0
    from django_tasks_db.models import DBTaskResult

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
