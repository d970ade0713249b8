"""Celery as the task backend (issue 14; docs/operations.md): the supervision scan, enqueued through
Django's task API, runs in a Celery worker over Redis and raises the alert of an overdue clock."""

import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from config.celery import app
from xiaoneng.supervision.models import Alert
from xiaoneng.supervision.tasks import supervision_scan
from xiaoneng.workdays.services import clock_start

BROKER = "redis://127.0.0.1:6379/15"
CELERY_TASKS = {
    "default": {
        "BACKEND": "django_tasks_celery.CeleryBackend",
        "QUEUES": ["default"],
        "OPTIONS": {"CELERY_APP": "config.celery.app"},
    }
}


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_supervision_scan_runs_through_a_celery_worker(world):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must see the test's committed rows: PostgreSQL")
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")

    app.conf.broker_url = BROKER
    app.connection_for_write().default_channel.client.flushdb()  # an empty queue: only this test's task
    # given: a clock overdue for months, no alert yet
    clock = clock_start(
        owner=world.dept,
        kind="test",
        label="测试",
        limit=1,
        department=world.dept,
        started_at=timezone.make_aware(datetime(2026, 3, 2, 9, 0)),
    )
    assert not Alert.objects.filter(clock=clock).exists()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "XIAONENG_TASK_BACKEND": "django_tasks_celery.CeleryBackend",
        "XIAONENG_CELERY_BROKER_URL": BROKER,
        "XIAONENG_DEBUG": "0",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # when: the scan is enqueued through Django's task API with the Celery backend
        with override_settings(TASKS=CELERY_TASKS):
            result = supervision_scan.using(backend="default").enqueue()
            assert result.backend == "default"
        # then: the worker ran it against this database
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not Alert.objects.filter(clock=clock).exists():
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:] if worker.stderr else ""
            time.sleep(0.5)
        assert Alert.objects.filter(clock=clock).exists()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
