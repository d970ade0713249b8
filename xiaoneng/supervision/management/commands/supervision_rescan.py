from typing import Any

from django.core.management.base import BaseCommand

from xiaoneng.supervision.alerts.scan import scan
from xiaoneng.workdays.bulk import clocks_recompute_bulk


class Command(BaseCommand):
    help = (
        "After a calendar change: recompute every open clock, set-based (CLK-5, workdays.bulk), "
        "then run the supervision scan (SUP-1). Prints progress."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--years", type=int, nargs="*", help="only clocks whose span touches these years")
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="chunks recomputed at once, each on its own database connection (PostgreSQL; default 2)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int) -> None:
            self.stdout.write(f"recomputed {done}/{total}")
            self.stdout.flush()

        changed = clocks_recompute_bulk(
            years=options.get("years") or None, progress=progress, workers=max(1, options["workers"])
        )
        self.stdout.write(f"clocks changed: {changed}")
        result = scan()
        self.stdout.write(
            f"scan: {result.clocks} clocks, {result.alerts} alerts, {result.escalated} escalated, "
            f"{result.rectifications} rectifications, {result.recommendations} recommendations"
        )
