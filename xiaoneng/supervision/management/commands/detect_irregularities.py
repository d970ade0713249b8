from typing import Any

from django.core.management.base import BaseCommand

from xiaoneng.supervision.irregularities.detect import DetectResult, irregularities_detect


class Command(BaseCommand):
    help = (
        "SUP-2: run the irregularity detector over the Event trail from its cursor (what the periodic "
        "task does every minute). --from-start re-reads the whole trail; flags already raised stay."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from-start", action="store_true", help="re-evaluate every event from the first")
        parser.add_argument("--batch-size", type=int, default=5000, help="events per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(r: DetectResult) -> None:
            self.stdout.write(f"events {r.events} · cases {r.cases} · flags raised {r.raised} · cursor {r.position}")
            self.stdout.flush()

        r = irregularities_detect(
            from_start=options["from_start"], batch_size=max(1, options["batch_size"]), progress=progress
        )
        self.stdout.write(
            f"done: {r.events} events, {r.raised} new flags, {r.rectified} rectified, cursor at {r.position}"
        )
