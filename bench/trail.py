"""Event trail benchmark (PostgreSQL; not part of the test suite).

    .venv/bin/python bench/trail.py postgres://postgres@127.0.0.1:5432/xn_trail_bench \
        [--subjects 20000] [--rounds 5] [--repeat 3]

The database is the benchmark's own: its events and anchors are TRUNCATEd. It appends `rounds`
events to each of `subjects` subjects through the bulk path the scan uses
(`events_append_many`: the first round with `new_subjects=True`, the others reading each subject's
last link), one transaction per round, then times (median of `repeat`):

- `trail_verify()` over the whole trail (every chain, every hash recomputed);
- `trail_anchor_record()` sealing all of it (the first anchor of a deployment), then — after one
  more round — the next day's anchor sealing only that round (what the daily task costs);
- `trail_anchor_verify()` re-reading every anchor's range, and `manage.py verify_trail`;
- `events_append_new_subjects` (the catalog import's path) for `subjects` new subjects.

It also runs with the code before issue 10 (no anchors: the bulk path then lived in
supervision/eventlog.py), to compare the append and verify rows side by side.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date, timedelta
from typing import Any


def _arg(args: list[str], name: str, default: int) -> int:
    return int(args[args.index(name) + 1]) if name in args else default


def _median(fn: Any, repeat: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), runs


def _ms(runs: list[float]) -> str:
    return ", ".join(f"{r * 1000:.0f}" for r in runs)


def main() -> None:
    args = sys.argv[1:]
    if not args or not args[0].startswith("postgres"):
        sys.exit(__doc__)
    os.environ["DATABASE_URL"] = args[0]
    subjects = _arg(args, "--subjects", 20_000)
    rounds = _arg(args, "--rounds", 5)
    repeat = _arg(args, "--repeat", 3)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from xiaoneng.core.models import Event
    from xiaoneng.supervision.models import Alert

    try:
        from xiaoneng.core import trail as bulk
        from xiaoneng.core.trail import trail_anchor_record, trail_anchor_verify

        anchors = True
    except ImportError:  # the code before issue 10
        from xiaoneng.supervision import eventlog as bulk  # type: ignore[no-redef,attr-defined]

        anchors = False
    from xiaoneng.core.trail import trail_verify

    call_command("migrate", verbosity=0)
    tables = [Event._meta.db_table] + (["core_trailanchor"] if anchors else [])
    with connection.cursor() as c:
        c.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
    # subjects need only a pk and a model (their content type); no row is read
    alerts = [Alert(pk=i) for i in range(1, subjects + 1)]

    def append_round(r: int) -> float:
        entries = [
            bulk.EventEntry(subject=a, action="bench.changed", after={"round": r, "名称": "中文"}) for a in alerts
        ]
        t0 = time.perf_counter()
        with transaction.atomic():
            bulk.events_append_many(entries=entries, new_subjects=(r == 0))
        return time.perf_counter() - t0

    took = [append_round(r) for r in range(rounds)]
    with connection.cursor() as c:
        c.execute(f"VACUUM ANALYZE {Event._meta.db_table}")
    total = Event.objects.count()
    print(f"code: {'issue 10 (core.trail, anchors)' if anchors else 'before issue 10 (supervision.eventlog)'}")
    print(
        f"append: {rounds} rounds of {subjects} events (events_append_many): first (new subjects) "
        f"{took[0] * 1000:.0f} ms, then {_ms(took[1:])} ms (median {statistics.median(took[1:]) * 1000:.0f} ms)"
    )
    med, runs = _median(lambda: list(trail_verify()), repeat)
    print(f"trail_verify over {total} events: {med * 1000:.0f} ms (median of {_ms(runs)} ms)")
    if not anchors:
        _new_subjects(alerts, repeat)
        return
    day = date(2026, 12, 5)

    def record_all() -> None:
        with connection.cursor() as c:
            c.execute("TRUNCATE core_trailanchor")
        trail_anchor_record(day=day)

    med, runs = _median(record_all, repeat)
    print(f"trail_anchor_record, first anchor sealing {total} events: {med * 1000:.0f} ms (median of {_ms(runs)} ms)")
    append_round(rounds)
    t0 = time.perf_counter()
    nxt = trail_anchor_record(day=day + timedelta(days=1))
    print(f"trail_anchor_record, next day sealing {nxt.events} new events: {(time.perf_counter() - t0) * 1000:.0f} ms")
    med, runs = _median(lambda: list(trail_anchor_verify()), repeat)
    print(
        f"trail_anchor_verify, 2 anchors over {nxt.total_events} events: {med * 1000:.0f} ms (median of {_ms(runs)} ms)"
    )
    t0 = time.perf_counter()
    call_command("verify_trail", stdout=open(os.devnull, "w"))  # noqa: SIM115 — thrown away at exit
    print(f"manage.py verify_trail (chains + anchors, {nxt.total_events} events): {time.perf_counter() - t0:.2f} s")
    _new_subjects(alerts, repeat)


def _new_subjects(alerts: list[Any], repeat: int) -> None:
    """The bulk imports' path: the first event of each of many new subjects (catalog import)."""
    from django.db import connection, transaction

    from xiaoneng.core.trail import events_append_new_subjects

    def once() -> None:
        with connection.cursor() as c:
            c.execute("TRUNCATE core_event")
        with transaction.atomic():
            events_append_new_subjects(subjects=alerts, action="bench.imported", afters=[{"行": 1}] * len(alerts))

    med, runs = _median(once, repeat)
    print(f"events_append_new_subjects, {len(alerts)} new subjects: {med * 1000:.0f} ms (median of {_ms(runs)} ms)")


if __name__ == "__main__":
    main()
