"""`manage.py trail_partitions`: the monthly partitions of the Event trail on PostgreSQL."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from xiaoneng.core.partitions import MONTHS_AHEAD, event_partitions, event_partitions_ensure, event_table_partitioned


class Command(BaseCommand):
    help = (
        "List the monthly partitions of the Event trail (core_event) with their rows and size; with --ensure, "
        "first create this month's and the coming months' partitions and move any rows that landed in the "
        "default partition into their month (the scheduler does this daily). PostgreSQL only."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--ensure", action="store_true", help="create the missing months first")
        parser.add_argument(
            "--months-ahead", type=int, default=MONTHS_AHEAD, help=f"with --ensure (default {MONTHS_AHEAD})"
        )
        parser.add_argument("--exact", action="store_true", help="count the rows instead of PostgreSQL's estimate")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["months_ahead"] <= 36:
            raise CommandError(f"--months-ahead must be from 0 to 36, not {options['months_ahead']}")
        if not event_table_partitioned():
            self.stdout.write(f"core_event is not partitioned on this database ({connection.vendor}); nothing to do")
            return
        if options["ensure"]:
            created = event_partitions_ensure(months_ahead=options["months_ahead"])
            self.stdout.write(f"created: {', '.join(created)}" if created else "created: none (all present)")
        rows_label = "rows" if options["exact"] else "rows (estimate)"
        self.stdout.write(f"{'partition':<24} {'month':<8} {rows_label:>16} {'size':>10}")
        for p in event_partitions(exact=options["exact"]):
            month = f"{p.month:%Y-%m}" if p.month else "default"
            self.stdout.write(f"{p.name:<24} {month:<8} {p.rows:>16,} {p.bytes / 1048576:>8.1f} MB")
