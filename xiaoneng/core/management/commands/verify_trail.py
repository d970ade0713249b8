"""`manage.py verify_trail`: check every chain of the Event trail and every daily anchor over it."""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiaoneng.core.models import Event, TrailAnchor
from xiaoneng.core.trail import trail_anchor_verify, trail_heads_verify, trail_verify


class Command(BaseCommand):
    help = (
        "Verify the hash chain of every subject's Event trail (全程留痕) and every daily anchor over it, "
        "and report each broken link (a row edited or deleted outside the application) and each anchor "
        "that no longer holds (a subject's last events deleted, a chain rewritten with recomputed hashes, "
        "an anchor altered or recomputed without XIAONENG_TRAIL_KEY). Exits with an error naming them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--since",
            type=date.fromisoformat,
            help="re-read only the anchors of this day (YYYY-MM-DD) and later; every chain is still checked",
        )
        parser.add_argument(
            "--max-anchor-age",
            type=int,
            metavar="DAYS",
            help="also fail when the newest anchor is older than DAYS days (or missing) while events exist: "
            "the scheduler stopped sealing, or the newest anchors were deleted",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = Event.objects.count()
        # each chain's links, then (PostgreSQL) each chain's end against the head the database keeps
        breaks = [*trail_verify(), *trail_heads_verify()]
        for b in breaks:
            self.stdout.write(f"BROKEN event id={b.event_id} subject={b.subject} seq={b.seq}: {b.problem}")
        anchor_breaks = list(trail_anchor_verify(since=options["since"]))
        for a in anchor_breaks:
            self.stdout.write(f"BROKEN anchor day={a.day}: {a.problem}")
        newest = TrailAnchor.objects.order_by("-last_event_id", "-day").first()
        problems = []
        if breaks:
            ids = sorted({b.event_id for b in breaks})
            shown = ", ".join(str(i) for i in ids[:20]) + (" …" if len(ids) > 20 else "")
            problems.append(f"{len(breaks)} broken link(s) in {total} events; event id(s): {shown}")
        if anchor_breaks:
            days = ", ".join(sorted({str(a.day) for a in anchor_breaks}))
            problems.append(f"{len(anchor_breaks)} anchor problem(s); anchor day(s): {days}")
        max_age = options["max_anchor_age"]
        if max_age is not None and total:
            oldest_allowed = timezone.localdate() - timedelta(days=max_age)
            if newest is None or newest.day < oldest_allowed:
                problems.append(
                    f"the newest anchor ({newest.day if newest else 'none'}) is older than {max_age} day(s)"
                )
        if problems:
            raise CommandError("; ".join(problems))
        if newest is None:
            sealed = "no anchor yet"
        else:
            unsealed = Event.objects.filter(pk__gt=newest.last_event_id).count()
            sealed = (
                f"{TrailAnchor.objects.count()} anchor(s) hold, the newest of {newest.day} sealing "
                f"{newest.total_events} events; {unsealed} appended since"
            )
        self.stdout.write(self.style.SUCCESS(f"trail intact: {total} events verified; {sealed}"))
