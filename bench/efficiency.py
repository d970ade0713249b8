"""Efficiency index benchmark (SUP-3, SUP-5; not part of the test suite).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xn_efficiency_bench \\
        .venv/bin/python bench/efficiency.py [--units 60] [--alerts 50000] [--runs 5]
    XIAONENG_DATA_DIR=/tmp/xn-eff .venv/bin/python bench/efficiency.py   # SQLite (the demo database)

Adds to the database's city 339100 (created if missing) `units` departments and, in the current
month, `alerts` SUP-1 alerts on as many obligations (60 % reminders, 25 % yellow, 15 % red; a fifth
of the obligations also carry their lower levels), alerts/10 confirmed SUP-2 irregularities,
alerts/2 efficiency complaints (a third substantiated, a tenth replied late) and alerts ratings
(8 % bad), with bulk inserts. Then it times `efficiency_compute` for the city's current month
(every unit, itemised deductions, one Event): the median of `runs` runs after one warm-up.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main() -> None:
    import random
    from datetime import timedelta

    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from xiaoneng.complaints.models import Complaint
    from xiaoneng.orgs.choices import RegionLevel
    from xiaoneng.orgs.models import Department, Region
    from xiaoneng.orgs.validators import credit_code_check_char
    from xiaoneng.ratings.models import InHallService, Rating
    from xiaoneng.supervision.efficiency.services import efficiency_compute
    from xiaoneng.supervision.models import Alert, EfficiencyScore, Irregularity
    from xiaoneng.supervision.periods import month_bounds, month_start
    from xiaoneng.workdays.models import Clock

    n_units, n_alerts, runs = _arg("--units", 60), _arg("--alerts", 50000), _arg("--runs", 5)
    city, _c = Region.objects.get_or_create(code="339100", defaults={"name": "青溪市", "level": RegionLevel.CITY})
    depts = []
    for i in range(n_units):
        first17 = f"11339100{800 + i:09d}"
        d, _c = Department.objects.get_or_create(
            credit_code=first17 + credit_code_check_char(first17),
            defaults={"region": city, "tenant": city, "name": f"青溪市基准第{i + 1}局"},
        )
        depts.append(d)
    now = timezone.now()
    month = month_start(timezone.localdate())
    lo, _hi = month_bounds(month)
    span = max(int((now - lo).total_seconds()) - 60, 60)
    rnd = random.Random(5)
    ct_dept = ContentType.objects.get_for_model(Department)
    marker = "bench.efficiency"
    have = Clock.objects.filter(kind=marker).count()
    t0 = time.perf_counter()
    if have < n_alerts:
        batch = 5000
        for start in range(have, n_alerts, batch):
            size = min(batch, n_alerts - start)
            clocks = [
                Clock(
                    tenant=city,
                    owner_type=ct_dept,
                    owner_id=start + i,
                    kind=marker,
                    label=f"基准时限{start + i}",
                    department=depts[(start + i) % n_units],
                    limit=5,
                    started_at=lo,
                )
                for i in range(size)
            ]
            Clock.objects.bulk_create(clocks, batch_size=1000)
            alerts = []
            for c in Clock.objects.filter(kind=marker, owner_id__gte=start, owner_id__lt=start + size):
                roll = rnd.random()
                top = 1 if roll < 0.6 else 2 if roll < 0.85 else 3
                levels = range(1, top + 1) if rnd.random() < 0.2 else (top,)
                at = lo + timedelta(seconds=rnd.randrange(span))
                dept = depts[c.owner_id % n_units]
                alerts += [
                    Alert(
                        tenant=city,
                        clock=c,
                        level=lv,
                        department=dept,
                        region=city,
                        raised_at=at,
                        threshold_at=at,
                    )
                    for lv in levels
                ]
            Alert.objects.bulk_create(alerts, batch_size=2000)
        Irregularity.objects.bulk_create(
            [
                Irregularity(
                    tenant=city,
                    rule="SUP-2.2",
                    severity=rnd.choice((1, 2, 3)),
                    subject_type=ct_dept,
                    subject_id=f"bench-{i}",
                    subject_label=f"BENCH-{i}",
                    department=depts[i % n_units],
                    region=city,
                    detected_at=lo + timedelta(seconds=rnd.randrange(span)),
                    detail="基准数据",
                    status="confirmed",
                )
                for i in range(n_alerts // 10)
            ],
            batch_size=2000,
        )
        complaints = []
        for i in range(n_alerts // 2):
            at = lo + timedelta(seconds=rnd.randrange(span))
            d = depts[i % n_units]
            complaints.append(
                Complaint(
                    tenant=city,
                    number=f"BENCH-EFF-{i:07d}",
                    verification_hash="x" * 64,
                    region=city,
                    channel="web",
                    kind="efficiency",
                    status="replied",
                    title="基准投诉",
                    content="基准数据",
                    department=d,
                    handling_department=d,
                    received_at=at,
                    dispatched_at=at,
                    replied_at=at,
                    replied_on_time=rnd.random() > 0.1,
                    substantiated=rnd.random() < 0.33,
                )
            )
        Complaint.objects.bulk_create(complaints, batch_size=2000)
        services = [
            InHallService(
                tenant=city,
                department=depts[i % n_units],
                service_name="基准服务",
                served_at=lo + timedelta(seconds=rnd.randrange(span)),
            )
            for i in range(n_alerts)
        ]
        InHallService.objects.bulk_create(services, batch_size=2000)
        svc_ids = list(
            InHallService.objects.filter(service_name="基准服务").values_list("id", "department_id", "served_at")
        )
        Rating.objects.bulk_create(
            [
                Rating(
                    tenant=city,
                    service_id=sid,
                    department_id=did,
                    level=rnd.choice((1, 2)) if rnd.random() < 0.08 else rnd.choice((3, 4, 5)),
                    source="terminal",
                    rated_at=at,
                )
                for sid, did, at in svc_ids
            ],
            batch_size=2000,
        )
    gen = time.perf_counter() - t0
    totals = {
        "units": Department.objects.filter(tenant=city).count(),
        "alerts": Alert.objects.filter(tenant=city, raised_at__gte=lo).count(),
        "irregularities": Irregularity.objects.filter(tenant=city, detected_at__gte=lo).count(),
        "complaints": Complaint.objects.filter(tenant=city, replied_at__gte=lo).count(),
        "ratings": Rating.objects.filter(tenant=city, rated_at__gte=lo).count(),
    }
    print(f"database: {connection.vendor}; {platform.python_version()}; generated in {gen:.1f} s")
    print("in the month:", totals)
    efficiency_compute(tenant=city, month=month, now=now)  # warm-up
    times = []
    for _i in range(runs):
        r = efficiency_compute(tenant=city, month=month, now=timezone.now())
        times.append(r.seconds)
    print(
        f"efficiency_compute: {r.units} units, {r.deductions} deductions; "
        f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {runs} runs"
    )
    worst = EfficiencyScore.objects.filter(tenant=city, month=month).order_by("score").first()
    if worst:
        print(f"lowest: {worst.department.name} {worst.score}")


if __name__ == "__main__":
    main()
