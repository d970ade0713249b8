"""`manage.py run_scheduler`: enqueue each registered periodic task when it is due.

Only one scheduler runs at a time (core.schedule.scheduler_lock): a second one stands by and takes
over when the first stops, or, with --once or --no-wait, exits with an error."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiaoneng.core.schedule import SchedulerLock, periodic_pending, periodic_tasks, scheduler_lock


class Command(BaseCommand):
    help = "Enqueue each registered periodic task when it is due (run beside `manage.py db_worker`)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue every task once and exit")
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between checks")
        parser.add_argument(
            "--no-wait",
            action="store_true",
            help="exit with an error if another scheduler is running (default: stand by until it stops)",
        )

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _acquire(self, *, wait: bool, tick: float) -> SchedulerLock:
        lock = scheduler_lock()
        if lock is None and not wait:
            raise CommandError("another scheduler is running (it holds the scheduler lock); not starting a second")
        if lock is None:
            self._say("another scheduler is running; standing by until it stops")
        while lock is None:
            time.sleep(tick)
            lock = scheduler_lock()
        self._say(f"scheduler lock taken ({lock.kind})")
        return lock

    def handle(self, *args: Any, **options: Any) -> None:
        once, tick = options["once"], options["tick"]
        lock = self._acquire(wait=not (once or options["no_wait"]), tick=tick)
        try:
            last: dict[str, float] = {}
            while True:
                if not lock.alive():
                    raise CommandError("lost the scheduler lock (database connection closed); exiting")
                now = time.monotonic()
                for p in periodic_tasks():
                    if once or now - last.get(p.name, -1e18) >= p.every_seconds:
                        last[p.name] = now
                        if periodic_pending(p):
                            self._say(f"skipped {p.name}: still queued or running")
                            continue
                        p.task.enqueue()
                        self._say(f"enqueued {p.name}")
                if once:
                    return
                time.sleep(tick)
        finally:
            lock.release()
