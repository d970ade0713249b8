"""Many workers against one database (issue 14; docs/operations.md): no task runs twice, and a task whose
worker is killed mid-run is put back in the queue and finished by another worker."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from xiaoneng.core.housekeeping import task_results_recover
from xiaoneng.core.tests.worker_tasks import quick, slow

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ROOT = Path(settings.BASE_DIR)


@override_settings(TASKS=DB_TASKS)
def test_a_task_left_running_by_a_dead_worker_is_put_back_in_the_queue(db):
    # given: one task claimed two hours ago by a worker that died, one claimed a minute ago
    dead = DBTaskResult.objects.get(pk=quick.enqueue(1).id)
    alive = DBTaskResult.objects.get(pk=quick.enqueue(2).id)
    dead.claim("worker-that-died")
    alive.claim("worker-still-running")
    DBTaskResult.objects.filter(pk=dead.pk).update(started_at=timezone.now() - timedelta(hours=2))
    # when
    assert task_results_recover() == 1
    # then: the dead worker's task is READY again (its history kept); the live one is left alone
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == TaskResultStatus.READY
    assert dead.started_at is None
    assert dead.worker_ids == ["worker-that-died"]
    assert alive.status == TaskResultStatus.RUNNING


def _worker(worker_id: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "XIAONENG_DEBUG": "0",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "default",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--worker-id",
            worker_id,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(predicate, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for w in workers:
        if w.poll() is None:
            w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(timeout=20)
        except subprocess.TimeoutExpired:
            w.kill()


@pytest.mark.postgres
@override_settings(TASKS=DB_TASKS)
@pytest.mark.django_db(transaction=True)
def test_three_workers_run_each_task_exactly_once():
    if connection.vendor != "postgresql":
        pytest.skip("several worker processes need PostgreSQL (SQLite serialises writers)")
    # given: 60 tasks in the queue and three workers started at once
    ids = [quick.enqueue(n).id for n in range(60)]
    workers = [_worker(f"w{i}") for i in range(3)]
    try:
        done = _wait(lambda: DBTaskResult.objects.filter(pk__in=ids).successful().count() == len(ids), 120)
    finally:
        _stop(workers)
    # then: every task ran, once, and the work was shared
    rows = list(DBTaskResult.objects.filter(pk__in=ids))
    assert done, {r.status for r in rows}
    assert all(len(r.worker_ids) == 1 for r in rows)
    assert sorted(int(r.return_value or 0) for r in rows) == list(range(60))
    assert len({r.worker_ids[0] for r in rows}) >= 2


@pytest.mark.postgres
@override_settings(TASKS=DB_TASKS)
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_loses_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("several worker processes need PostgreSQL (SQLite serialises writers)")
    # given: a long task taken by worker A
    pk = slow.enqueue(30).id
    a = _worker("a")
    b = None
    try:
        assert _wait(lambda: DBTaskResult.objects.get(pk=pk).status == TaskResultStatus.RUNNING, 60)
        # when: A is killed outright (no chance to clean up), the recovery runs, and worker B starts
        a.kill()
        a.wait(timeout=10)
        assert DBTaskResult.objects.get(pk=pk).status == TaskResultStatus.RUNNING  # orphaned
        assert task_results_recover(stale_seconds=0) == 1
        DBTaskResult.objects.filter(pk=pk).update(args_kwargs={"args": [0.5], "kwargs": {}})  # B need not wait 30 s
        b = _worker("b")
        finished = _wait(lambda: DBTaskResult.objects.get(pk=pk).status == TaskResultStatus.SUCCESSFUL, 60)
    finally:
        _stop([w for w in (a, b) if w is not None])
    # then: B finished it; the row remembers both claims
    row = DBTaskResult.objects.get(pk=pk)
    assert finished, row.status
    assert row.worker_ids == ["a", "b"]
    assert row.return_value == "done"
