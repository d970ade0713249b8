"""The partitioned Event trail against the plain one, side by side (PostgreSQL; not part of the tests).

    .venv/bin/python bench/partitions.py postgres://postgres@127.0.0.1:5432/xn_bench_parts \
        [--subjects 40000] [--months 24] [--rounds 3] [--write]

Builds two databases, `<name>_plain` (core migrated back to 0005: one table, the unique constraint)
and `<name>` (migration 0006: monthly partitions, a unique index per month and the cross-month
trigger), each with the same trail: `subjects` subjects with one event in each of `months` months
(every chain crosses every month, the worst case for a subject's newest link), written through the
scan's bulk path month by month. Then, for `rounds` alternating rounds (plain, partitioned, plain, …,
each in a fresh process so both see the same machine), it times:

- `event_append` to a random existing subject, one transaction each (1,000): p50 / p95;
- a transition's `trail_batch()`: 3 events on 2 subjects, one transaction each (500): p50 / p95;
- `events_append_many` of 10,000 events of existing subjects (the scan), one transaction;
- one jurisdiction's events of one month counted by action (a period's statistic);
- one subject's trail read in order (the case page's history), 1,000 times: p50;
- `trail_verify()` over the whole trail.

Medians over the rounds are printed with the ratio partitioned / plain; with --write they are also
appended to docs/performance.md.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from typing import Any
from unittest import mock

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _arg(args: list[str], name: str, default: int) -> int:
    return int(args[args.index(name) + 1]) if name in args else default


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, ROOT)
    import django

    django.setup()


def _month_start(first: date, n: int) -> datetime:
    index = first.year * 12 + first.month - 1 + n
    return datetime(index // 12, index % 12 + 1, 3, 4, tzinfo=UTC)


def _subjects(n: int, tenant_id: int) -> list[Any]:
    from xiaoneng.supervision.models import Alert

    # subjects need only a pk, a model (their content type) and a tenant; no row is read
    out = []
    for i in range(1, n + 1):
        a = Alert(pk=i)
        a.tenant_id = tenant_id
        out.append(a)
    return out


def populate(url: str, *, partitioned: bool, subjects: int, months: int) -> None:
    _setup(url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from xiaoneng.core.partitions import event_partitions_ensure
    from xiaoneng.core.trail import EventEntry, events_append_many
    from xiaoneng.orgs.models import Region

    call_command("migrate", verbosity=0)
    if not partitioned:
        call_command("migrate", "core", "0005", verbosity=0)
    with connection.cursor() as c:
        c.execute("TRUNCATE core_event, core_trailanchor RESTART IDENTITY")
    region = Region.objects.filter(code="339100").first() or Region.objects.create(
        code="339100", name="青溪市", level="city"
    )
    first = date(2024, 12, 1)
    if partitioned:
        event_partitions_ensure(today=first, months_ahead=months + 1)
    alerts = _subjects(subjects, region.pk)
    t0 = time.perf_counter()
    for m in range(months):
        entries = [EventEntry(subject=a, action=f"bench.m{m % 4}", after={"month": m, "名称": "中文"}) for a in alerts]
        with mock.patch("django.utils.timezone.now", return_value=_month_start(first, m)), transaction.atomic():
            events_append_many(entries=entries, new_subjects=(m == 0))
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE core_event")
        c.execute("SELECT pg_total_relation_size('core_event'), (SELECT COUNT(*) FROM core_event)")
        size, count = c.fetchone()
        if partitioned:
            c.execute(
                "SELECT COALESCE(SUM(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits "
                "WHERE inhparent = 'core_event'::regclass"
            )
            size = c.fetchone()[0]
    print(
        json.dumps(
            {"populate_s": time.perf_counter() - t0, "events": count, "mb": float(size) / 1048576, "tenant": region.pk}
        )
    )


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def measure(url: str, *, subjects: int, months: int, tenant: int) -> None:
    _setup(url)
    from django.db import connection, transaction
    from django.db.models import Count

    from xiaoneng.core.models import Event
    from xiaoneng.core.trail import EventEntry, event_append, events_append_many, trail_batch, trail_verify

    rng = random.Random(7)
    alerts = _subjects(subjects, tenant)
    now = _month_start(date(2024, 12, 1), months - 1)
    out: dict[str, float] = {}
    with mock.patch("django.utils.timezone.now", return_value=now):
        times = []
        for _ in range(1000):
            a = rng.choice(alerts)
            t0 = time.perf_counter()
            with transaction.atomic():
                event_append(subject=a, action="bench.single")
            times.append(time.perf_counter() - t0)
        out["append_p50_ms"], out["append_p95_ms"] = _pct(times, 0.5) * 1e3, _pct(times, 0.95) * 1e3
        times = []
        for _ in range(500):
            a, b = rng.sample(alerts, 2)
            t0 = time.perf_counter()
            with transaction.atomic(), trail_batch():
                event_append(subject=a, action="bench.opinion")
                event_append(subject=a, action="bench.clock")
                event_append(subject=b, action="bench.task")
            times.append(time.perf_counter() - t0)
        out["batch_p50_ms"], out["batch_p95_ms"] = _pct(times, 0.5) * 1e3, _pct(times, 0.95) * 1e3
        chosen = rng.sample(alerts, min(10_000, len(alerts)))
        t0 = time.perf_counter()
        with transaction.atomic():
            events_append_many(entries=[EventEntry(subject=a, action="bench.scan") for a in chosen])
        out["scan_10k_ms"] = (time.perf_counter() - t0) * 1e3
    lo, hi = _month_start(date(2024, 12, 1), months // 2), _month_start(date(2024, 12, 1), months // 2 + 1)
    t0 = time.perf_counter()
    by_action = list(
        Event.objects.filter(tenant_id=tenant, at__gte=lo.replace(day=1, hour=0), at__lt=hi.replace(day=1, hour=0))
        .values("action")
        .annotate(n=Count("id"))
    )
    out["month_stat_ms"] = (time.perf_counter() - t0) * 1e3
    out["month_stat_rows"] = sum(r["n"] for r in by_action)
    times = []
    for _ in range(1000):
        a = rng.choice(alerts)
        t0 = time.perf_counter()
        list(Event.objects.for_subject(a).order_by("seq").values_list("seq", "action"))
        times.append(time.perf_counter() - t0)
    out["trail_read_p50_ms"] = _pct(times, 0.5) * 1e3
    t0 = time.perf_counter()
    breaks = sum(1 for _ in trail_verify())
    out["verify_s"] = time.perf_counter() - t0
    out["verify_breaks"] = breaks
    with connection.cursor() as c:
        c.execute("SELECT COUNT(*) FROM core_event")
        out["events"] = c.fetchone()[0]
    print(json.dumps(out))


def _child(*argv: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, *argv], check=False, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(f"{' '.join(argv[:3])} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in ("--populate", "--measure"):
        url, kind = args[1], args[2]
        subjects, months = int(args[3]), int(args[4])
        if args[0] == "--populate":
            populate(url, partitioned=(kind == "part"), subjects=subjects, months=months)
        else:
            measure(url, subjects=subjects, months=months, tenant=int(args[5]))
        return
    if not args or not args[0].startswith("postgres"):
        sys.exit(__doc__)
    base = args[0]
    subjects, months, rounds = _arg(args, "--subjects", 40_000), _arg(args, "--months", 24), _arg(args, "--rounds", 3)
    server, name = base.rsplit("/", 1)
    urls = {"plain": f"{server}/{name}_plain", "part": base}
    for url in urls.values():
        db = url.rsplit("/", 1)[1]
        subprocess.run(
            ["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db}", "-c", f"CREATE DATABASE {db}"],
            check=True,
            capture_output=True,
        )
    built = {k: _child("--populate", u, k, str(subjects), str(months)) for k, u in urls.items()}
    for k, b in built.items():
        print(f"{k}: {b['events']:,} events in {months} months, {b['mb']:.0f} MB, written in {b['populate_s']:.0f} s")
    results: dict[str, list[dict[str, Any]]] = {"plain": [], "part": []}
    for r in range(rounds):
        for k, u in urls.items() if r % 2 == 0 else reversed(list(urls.items())):
            results[k].append(_child("--measure", u, k, str(subjects), str(months), str(built[k]["tenant"])))
    load = os.getloadavg()[0]
    keys = [
        ("append_p50_ms", "event_append p50 (ms)"),
        ("append_p95_ms", "event_append p95 (ms)"),
        ("batch_p50_ms", "trail_batch 3 events p50 (ms)"),
        ("batch_p95_ms", "trail_batch 3 events p95 (ms)"),
        ("scan_10k_ms", "events_append_many 10,000 (ms)"),
        ("month_stat_ms", "one tenant's month by action (ms)"),
        ("trail_read_p50_ms", "one subject's trail p50 (ms)"),
        ("verify_s", "trail_verify, whole trail (s)"),
    ]
    lines = [
        f"| {label} | {statistics.median(x[k] for x in results['plain']):.2f} | "
        f"{statistics.median(x[k] for x in results['part']):.2f} | "
        f"{statistics.median(x[k] for x in results['part']) / statistics.median(x[k] for x in results['plain']):.2f} |"
        for k, label in keys
    ]
    breaks = {k: [x["verify_breaks"] for x in v] for k, v in results.items()}
    header = (
        f"{subjects:,} subjects × {months} months = {built['part']['events']:,} events "
        f"(plain {built['plain']['mb']:.0f} MB, partitioned {built['part']['mb']:.0f} MB); "
        f"medians of {rounds} alternating rounds; load average {load:.1f}; verify breaks {breaks}"
    )
    table = "\n".join(["| measure | plain | partitioned | ratio |", "|---|---:|---:|---:|", *lines])
    print(header)
    print(table)
    if "--write" in args:
        with open(os.path.join(ROOT, "docs", "performance.md"), "a", encoding="utf-8") as f:
            f.write(f"\n#### bench/partitions.py, {date.today():%Y-%m-%d}\n\n{header}\n\n{table}\n")


if __name__ == "__main__":
    main()
