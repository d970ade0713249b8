"""run_scheduler: one scheduler at a time, no duplicate enqueue, pruning of finished task rows (issue 9)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from xiaoneng.core import schedule
from xiaoneng.core.housekeeping import task_results_prune
from xiaoneng.core.schedule import periodic_tasks, scheduler_lock

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def lock_file(settings, tmp_path):
    settings.XIAONENG_SCHEDULER_LOCK_FILE = tmp_path / "var" / "scheduler.lock"
    return settings.XIAONENG_SCHEDULER_LOCK_FILE


@pytest.fixture
def held(lock_file):
    """Another scheduler, holding the lock."""
    lock = scheduler_lock()
    assert lock is not None
    yield lock
    lock.release()


def _run(*args: str) -> str:
    out = StringIO()
    call_command("run_scheduler", *args, stdout=out)
    return out.getvalue()


# --- one scheduler at a time ----------------------------------------------------------------------


def test_sqlite_a_second_scheduler_lock_is_refused_until_the_first_is_released(lock_file):
    if connection.vendor != "sqlite":
        pytest.skip("the lock file is the SQLite path; PostgreSQL uses an advisory lock (test below)")
    # given one scheduler holding the lock
    first = scheduler_lock()
    assert first is not None
    assert "lock file" in first.kind
    # when a second tries, then it is refused
    assert scheduler_lock() is None
    # and once the first stops, the lock can be taken again
    first.release()
    again = scheduler_lock()
    assert again is not None
    again.release()


@pytest.mark.postgres
def test_postgres_a_second_scheduler_lock_is_refused_until_the_first_is_released():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (pg_try_advisory_lock)")
    # given one scheduler holding the advisory lock on its own connection
    first = scheduler_lock()
    assert first is not None
    assert first.kind == "postgresql advisory lock"
    try:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND (classid::bigint << 32 | objid::bigint) = %s",
                [schedule.SCHEDULER_LOCK_KEY],
            )
            assert cur.fetchone()[0] == 1
        # when a second scheduler tries, then it is refused
        assert scheduler_lock() is None
        assert first.alive()
    finally:
        first.release()
    # and after the first stops the lock is free
    again = scheduler_lock()
    assert again is not None
    again.release()


def test_a_second_scheduler_with_once_refuses_to_run(held, settings):
    settings.TASKS = DB_TASKS
    with pytest.raises(CommandError, match="another scheduler is running"):
        _run("--once")
    assert DBTaskResult.objects.count() == 0


def test_a_second_scheduler_stands_by_and_takes_over_when_the_first_stops(held, settings, monkeypatch):
    settings.TASKS = DB_TASKS
    sleeps: list[float] = []

    class Stop(Exception):
        pass

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 1:
            assert DBTaskResult.objects.count() == 0  # nothing enqueued while standing by
            held.release()  # the first scheduler stops
        else:
            raise Stop

    monkeypatch.setattr("xiaoneng.core.management.commands.run_scheduler.time.sleep", sleep)
    out = StringIO()
    with pytest.raises(Stop):
        call_command("run_scheduler", "--tick=0.01", stdout=out)
    text = out.getvalue()
    assert "standing by" in text
    assert "scheduler lock taken" in text
    assert DBTaskResult.objects.count() == len(periodic_tasks())


# --- no duplicate enqueue -------------------------------------------------------------------------


def test_a_job_still_queued_or_running_is_not_enqueued_again(lock_file, settings):
    settings.TASKS = DB_TASKS
    jobs = periodic_tasks()
    assert any(p.name == "core.task_results_prune" for p in jobs)
    # given one pass of the scheduler
    out = _run("--once")
    assert out.count("enqueued ") == len(jobs)
    assert DBTaskResult.objects.filter(status="READY").count() == len(jobs)
    # when a second pass runs while they are still queued
    out = _run("--once")
    # then each is skipped
    assert out.count("skipped ") == len(jobs)
    assert DBTaskResult.objects.count() == len(jobs)
    # given one running (fresh) and one running for hours (its worker died) and one finished
    prune_path = "xiaoneng.core.tasks.task_results_prune_task"
    row = DBTaskResult.objects.get(task_path=prune_path)
    DBTaskResult.objects.filter(pk=row.pk).update(status="RUNNING", started_at=timezone.now())
    assert "skipped core.task_results_prune" in _run("--once")
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - timedelta(hours=2))
    assert "enqueued core.task_results_prune" in _run("--once")
    DBTaskResult.objects.filter(task_path=prune_path).update(status="SUCCESSFUL", finished_at=timezone.now())
    # then a stale running row and a finished one no longer block the job
    assert "enqueued core.task_results_prune" in _run("--once")
    assert DBTaskResult.objects.filter(task_path=prune_path, status="READY").count() == 1


# --- pruning --------------------------------------------------------------------------------------


def _row(status: str, finished_days_ago: float | None, **kw) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="xiaoneng.core.tasks.task_results_prune_task",
        backend_name="default",
        run_after=now,
        started_at=None if finished_days_ago is None else now - timedelta(days=finished_days_ago),
        finished_at=None
        if finished_days_ago is None or status in {"READY", "RUNNING"}
        else now - timedelta(days=finished_days_ago),
        **kw,
    )


def test_pruning_removes_old_finished_rows_and_keeps_recent_and_unfinished(settings):
    settings.TASKS = DB_TASKS
    # given (defaults: successful rows kept 7 days, failed ones 30)
    old_ok = _row("SUCCESSFUL", 8)
    recent_ok = _row("SUCCESSFUL", 6)
    failed_20 = _row("FAILED", 20)
    failed_31 = _row("FAILED", 31)
    old_ready = _row("READY", None)
    old_running = _row("RUNNING", 40)
    DBTaskResult.objects.filter(pk=old_ready.pk).update(enqueued_at=timezone.now() - timedelta(days=40))
    # when
    deleted = task_results_prune()
    # then
    assert deleted == 2
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent_ok.pk, failed_20.pk, old_ready.pk, old_running.pk}
    assert old_ok.pk not in left
    assert failed_31.pk not in left


def test_pruning_keep_days_are_configurable(settings):
    settings.TASKS = DB_TASKS
    settings.XIAONENG_TASK_RESULTS_KEEP_DAYS = 1
    _row("SUCCESSFUL", 2)
    assert task_results_prune() == 1


def test_pruning_is_a_no_op_without_the_database_backend():
    _row("SUCCESSFUL", 100)
    assert task_results_prune() == 0
    assert DBTaskResult.objects.count() == 1
