"""Complaints statistics benchmark (PostgreSQL; not part of the test suite).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xn_complaints_bench \
        .venv/bin/python bench/complaints.py [--orders 100000] [--runs 30] [--write]
        [--only-complaints-analysed]

Generates N work orders spread over the last 12 months and 20 departments, in every state, each
with its trail events (registered, accepted, dispatched, replied, callback: ~4.6 per order), with
bulk inserts (the services are exercised by the test suite; here the data volume matters). Then it
renders, in-process through Django's test client (middleware, session, template and all):

  (a) the department statistics page for a whole year, as the city's efficiency office;
  (b) the public monthly figures page (the published snapshots: 12 months + the departments of
      the latest month), after running the monthly publication once (timed separately).

Reports the median and p95 of `runs` renders after one warm-up, each page interleaved with its floors
(the same page for an empty period, the bare `department_stats()` call) and the ratios, because the
machine is shared and noisy. Target: < 200 ms each.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def setup(n: int) -> None:
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from xiaoneng.complaints.models import Complaint
    from xiaoneng.core.models import Event
    from xiaoneng.orgs.choices import RegionLevel, Role
    from xiaoneng.orgs.models import Department, Region, User
    from xiaoneng.orgs.validators import credit_code_check_char

    city, _ = Region.objects.get_or_create(code="339100", defaults={"name": "青溪市", "level": RegionLevel.CITY})
    depts = []
    for i in range(20):
        first17 = f"11339100{900 + i:09d}"
        d, _ = Department.objects.get_or_create(
            credit_code=first17 + credit_code_check_char(first17),
            defaults={"region": city, "tenant": city, "name": f"青溪市第{i + 1}局"},
        )
        depts.append(d)
    office = User.objects.filter(username="bench_office").first()
    if office is None:
        office = User(username="bench_office", role=Role.SUPERVISOR, region=city, tenant=city)
        office.set_password("bench-Pass-2026")
        office.save()
    have = Complaint.objects.count()
    if have >= n:
        print(f"{have} work orders already there")
        return
    rnd = random.Random(6)
    now = timezone.now()
    ct = ContentType.objects.get_for_model(Complaint)
    batch = 5000
    t0 = time.perf_counter()
    for start in range(have, n, batch):
        rows = []
        for i in range(start, min(n, start + batch)):
            received = now - timedelta(minutes=rnd.randrange(0, 365 * 24 * 60))
            fate = rnd.random()
            c = Complaint(
                tenant=city,
                number=f"TS-339100-BENCH-{i:07d}",
                verification_hash="0" * 64,
                region=city,
                channel=rnd.choice(["web", "hotline", "mailbox", "hall"]),
                kind=rnd.choice(["efficiency", "request", "consultation", "report"]),
                title="办事效率反映",
                content="办理业务时等候时间较长，希望优化流程。",
                complainant_name="测试",
                complainant_phone="13900000000",
                received_at=received,
                department=rnd.choice(depts),
            )
            if fate < 0.05:
                c.status, c.refused_at, c.refusal_reason, c.closed_at = "refused", received, "litigation", received
            elif fate < 0.10:
                c.status = "registered"
            else:
                c.accepted_at = received + timedelta(days=1)
                c.dispatched_at = received + timedelta(days=1, hours=2)
                c.handling_department = rnd.choice(depts)
                c.status = "dispatched"
                if fate > 0.18:
                    c.replied_at = received + timedelta(days=rnd.randint(2, 9))
                    c.replied_on_time = c.replied_at <= received + timedelta(days=7)
                    c.reply = "已处理。"
                    c.status = "replied"
                    if fate > 0.25:
                        c.satisfaction = rnd.choice(["satisfied"] * 17 + ["basic", "unsatisfied"])
                        c.callback_at = c.closed_at = c.replied_at + timedelta(days=1)
                        c.status = "closed"
            rows.append(c)
        Complaint.objects.bulk_create(rows, batch_size=batch)
        created = Complaint.objects.filter(number__in=[r.number for r in rows]).values_list(
            "pk", "received_at", "status"
        )
        events = []
        for pk, received, status in created:
            steps = ["complaint.registered"]
            if status != "registered":
                steps.append("complaint.refused" if status == "refused" else "complaint.accepted")
            if status in ("dispatched", "replied", "closed"):
                steps.append("complaint.dispatched")
            if status in ("replied", "closed"):
                steps.append("complaint.replied")
            if status == "closed":
                steps += ["complaint.callback", "complaint.closed"]
            prev = ""
            for seq, action in enumerate(steps, 1):
                h = f"{pk:032x}{seq:032x}"
                events.append(
                    Event(
                        tenant=city,
                        subject_type=ct,
                        subject_id=str(pk),
                        seq=seq,
                        at=received,
                        action=action,
                        prev_hash=prev,
                        hash=h,
                    )
                )
                prev = h
        Event.objects.bulk_create(events, batch_size=batch)
        print(f"  {min(n, start + batch)} orders ({time.perf_counter() - t0:.0f} s)", flush=True)


def _summary(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def measure(runs: int) -> dict[str, tuple[float, float]]:
    """Each page is measured interleaved with its floors in the same loop (the machine is shared and
    noisy, so the ratios to the floors are what compare between runs):

    - department statistics: the page for the year, the same page for an empty period (session,
      user, menu, template: everything but the figures), and the bare `department_stats` call;
    - public monthly figures: the page for this year and for a year without figures.
    """

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from xiaoneng.complaints.selectors import complaints_for, department_stats
    from xiaoneng.orgs.models import User

    with connection.cursor() as cur:
        # The whole database, as autovacuum would: a never-analysed small table (the bench's single
        # region) makes the planner misjudge the scope join and sort 100,000 rows to disk.
        cur.execute("VACUUM ANALYZE complaints_complaint")
        if "--only-complaints-analysed" not in sys.argv:  # to reproduce the misplanned run
            cur.execute("ANALYZE")
    office = User.objects.get(username="bench_office")
    client = Client()
    client.force_login(office)
    today = timezone.localdate()
    year_ago = today.replace(year=today.year - 1)
    base = "/workbench/complaints/statistics/"
    targets: dict[str, Any] = {
        "department statistics (12 months)": f"{base}?start={year_ago}&end={today}",
        "  floor: same page, empty period": f"{base}?start=2001-01-01&end=2001-12-31",
        "  floor: department_stats() alone": lambda: department_stats(
            complaints_for(office), start=year_ago, end=today
        ),
        "public monthly figures": f"/complaints/statistics/?year={today.year}",
        "  floor: same page, year without figures": "/complaints/statistics/?year=2001",
    }

    def once(target: Any) -> float:
        t = time.perf_counter()
        if callable(target):
            target()
        else:
            r = client.get(target)
            assert r.status_code == 200, (target, r.status_code)
        return (time.perf_counter() - t) * 1000

    times: dict[str, list[float]] = {label: [] for label in targets}
    for target in targets.values():
        once(target)  # warm-up
    for _ in range(runs):
        for label, target in targets.items():
            times[label].append(once(target))
    out = {label: _summary(ts) for label, ts in times.items()}
    for label, (med, p95) in out.items():
        print(f"{label}: median {med:.0f} ms, p95 {p95:.0f} ms")
    page, empty, query = (out[k] for k in list(targets)[:3])
    print(
        f"department page / empty-period page: median ×{page[0] / empty[0]:.1f}, p95 ×{page[1] / empty[1]:.1f}; "
        f"page − query (median): {page[0] - query[0]:.0f} ms; load average {os.getloadavg()[0]:.1f}"
    )
    return out


def main() -> None:
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("set DATABASE_URL to a PostgreSQL database of your own")
    n = _arg("--orders", 100_000)
    setup(n)
    from django.db.models import Count

    from xiaoneng.complaints.models import Complaint
    from xiaoneng.core.models import Event

    n_orders = Complaint.objects.count()
    n_events = Event.objects.filter(action__startswith="complaint.").aggregate(n=Count("id"))["n"]
    print(f"{n_orders} orders, {n_events} events")
    from xiaoneng.complaints.publication import figures_publish

    t = time.perf_counter()
    published = figures_publish()
    print(f"monthly publication: {published} months in {(time.perf_counter() - t) * 1000:.0f} ms (once a month)")
    results = measure(_arg("--runs", 30))
    if "--write" in sys.argv:
        doc = ROOT / "docs" / "performance.md"
        text = doc.read_text(encoding="utf-8")
        head = "## Complaints statistics (bench/complaints.py)"
        if head not in text:
            text += (
                f"\n{head}\n\n`bench/complaints.py` bulk-generates work orders over 12 months and 20 departments, in "
                "every state, with their trail events, then renders each page in-process through Django's test "
                "client (middleware, session, template) after a warm-up. Both pages are one GROUP BY with "
                "conditional counts over `complaints_complaint` (indexes on received_at per tenant and per "
                "handling department). Target < 200 ms each.\n\n"
                "| date | machine | orders / events | page | median | p95 |\n|---|---|---|---|---|---|\n"
            )
        machine = f"{os.cpu_count()} cores (shared), PostgreSQL, Python {platform.python_version()}"
        for label, (med, p95) in results.items():
            text += (
                f"| {time.strftime('%Y-%m-%d')} | {machine} | {n_orders:,} / {n_events:,} | {label} "
                f"| {med:.0f} ms | {p95:.0f} ms |\n"
            )
        doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
