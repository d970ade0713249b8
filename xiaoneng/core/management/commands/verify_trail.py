from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xiaoneng.core.models import Event
from xiaoneng.core.trail import trail_verify


class Command(BaseCommand):
    help = (
        "Verify the hash chain of every subject's Event trail (全程留痕) and report each broken link: "
        "a row edited or deleted outside the application. Exits with an error naming the events."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = Event.objects.count()
        breaks = list(trail_verify())
        for b in breaks:
            self.stdout.write(f"BROKEN event id={b.event_id} subject={b.subject} seq={b.seq}: {b.problem}")
        if breaks:
            ids = sorted({b.event_id for b in breaks})
            shown = ", ".join(str(i) for i in ids[:20]) + (" …" if len(ids) > 20 else "")
            raise CommandError(f"{len(breaks)} broken link(s) in {total} events; event id(s): {shown}")
        self.stdout.write(self.style.SUCCESS(f"trail intact: {total} events verified"))
