"""Tasks for the many-workers test (test_workers.py): importable by the db_worker processes it starts."""

import time

from django.tasks import task


@task()
def quick(n: int) -> int:
    return n


@task()
def slow(seconds: float) -> str:
    time.sleep(seconds)
    return "done"
