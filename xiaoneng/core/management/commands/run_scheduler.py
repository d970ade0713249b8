import time
from typing import Any

from django.core.management.base import BaseCommand

from xiaoneng.core.schedule import periodic_tasks


class Command(BaseCommand):
    help = "Enqueue each registered periodic task when it is due (run beside `manage.py db_worker`)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue every task once and exit")
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between checks")

    def handle(self, *args: Any, **options: Any) -> None:
        last: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for p in periodic_tasks():
                if options["once"] or now - last.get(p.name, -1e18) >= p.every_seconds:
                    p.task.enqueue()
                    last[p.name] = now
                    self.stdout.write(f"enqueued {p.name}")
                    self.stdout.flush()
            if options["once"]:
                return
            time.sleep(options["tick"])
