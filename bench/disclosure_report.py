"""Disclosure annual report benchmark (PostgreSQL; not part of the test suite).

    psql -h 127.0.0.1 -U postgres -c 'create database xn_bench_disclosure'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xn_bench_disclosure \
        .venv/bin/python bench/disclosure_report.py [--requests 20000] [--runs 20]

Generates N disclosure requests in one jurisdiction (a city with 20 departments), received over the
last two years by every applicant kind, ~90 % answered with a result row of table 三, the rest open
(carried forward), plus 2,000 published records and 200 appeal records — with bulk inserts (the
services are exercised by the test suite; here the volume matters). Then computes the government's
annual report (all 20 departments: the four tables and the integrity check) `runs` times after one
warm-up, and one department's report, and reports median and p95. Target: < 2 s.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from xiaoneng.disclosure.choices import (
        AnswerType,
        AppealKind,
        AppealResult,
        ApplicantKind,
        Ground,
        RecordCategory,
        RequestStatus,
        report_row,
    )
    from xiaoneng.disclosure.models import ActiveRecord, AppealRecord, DisclosureRequest
    from xiaoneng.disclosure.report import annual_report
    from xiaoneng.orgs.choices import RegionLevel, Role
    from xiaoneng.orgs.models import Department, Region, User
    from xiaoneng.orgs.validators import credit_code_check_char

    n = _arg("--requests", 20000)
    runs = _arg("--runs", 20)
    rng = random.Random(11)
    city, _c = Region.objects.get_or_create(code="339100", defaults={"name": "青溪市", "level": RegionLevel.CITY})
    depts = []
    for i in range(20):
        first17 = f"11339100{i:08d}B"[:17]
        d, _c = Department.objects.get_or_create(
            region=city,
            name=f"基准部门{i:02d}",
            defaults={"tenant": city, "credit_code": first17 + credit_code_check_char(first17)},
        )
        depts.append(d)
    clerk, _c = User.objects.get_or_create(
        username="bench_disclosure_clerk", defaults={"role": Role.CLERK, "department": depts[0], "tenant": city}
    )
    have = DisclosureRequest.objects.filter(department__in=depts).count()
    if have < n:
        now = timezone.now()
        kinds = ApplicantKind.values
        answers = [
            (AnswerType.DISCLOSED, ""),
            (AnswerType.PARTIAL, Ground.THIRD_PARTY),
            (AnswerType.WITHHELD, Ground.PROCESS),
            (AnswerType.NOT_EXIST, ""),
            (AnswerType.REPEAT, ""),
            (AnswerType.NOT_PROCESSED, Ground.PETITION),
            (AnswerType.ALREADY_PUBLIC, ""),
        ]
        rows = []
        for i in range(have, n):
            received = now - timedelta(days=rng.uniform(0, 730), minutes=rng.randint(0, 600))
            answered = rng.random() < 0.9
            at, ground = rng.choice(answers)
            answered_at = received + timedelta(days=rng.uniform(1, 35)) if answered else None
            if answered_at and answered_at > now:
                answered_at = None
            rows.append(
                DisclosureRequest(
                    tenant=city,
                    number=f"GK-BENCH-{i:07d}",
                    verification_hash="x",
                    department=depts[i % 20],
                    channel="online",
                    status=RequestStatus.ANSWERED if answered_at else RequestStatus.PROCESSING,
                    applicant_kind=kinds[i % len(kinds)] if i % 3 else ApplicantKind.NATURAL,
                    applicant_name="申请人",
                    phone="13900000000",
                    description="基准数据",
                    received_at=received,
                    answer_type=at if answered_at else "",
                    ground=ground if answered_at else "",
                    answered_at=answered_at,
                    answered_on_time=True if answered_at else None,
                    report_row=report_row(at, ground) if answered_at else "",
                )
            )
        DisclosureRequest.objects.bulk_create(rows, batch_size=2000)
        today = timezone.localdate()
        cats = RecordCategory.values
        ActiveRecord.objects.bulk_create(
            [
                ActiveRecord(
                    tenant=city,
                    department=depts[i % 20],
                    category=cats[i % len(cats)],
                    title=f"基准信息{i}",
                    body="正文",
                    created_on=today - timedelta(days=i % 700),
                    status="published",
                    published_at=now - timedelta(days=i % 700),
                )
                for i in range(2000)
            ],
            batch_size=2000,
        )
        AppealRecord.objects.bulk_create(
            [
                AppealRecord(
                    tenant=city,
                    department=depts[i % 20],
                    kind=AppealKind.values[i % 3],
                    result=AppealResult.values[i % 4],
                    filed_on=today - timedelta(days=i % 700),
                    recorded_by=clerk,
                )
                for i in range(200)
            ]
        )
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("ANALYZE")
    year = timezone.localdate().year - 1
    government = Department.objects.filter(pk__in=[d.pk for d in depts])
    one = Department.objects.filter(pk=depts[0].pk)

    def timed(qs, title: str, gov: bool) -> list[float]:
        annual_report(year=year, departments=qs, title=title, government=gov)  # warm-up
        out = []
        for _i in range(runs):
            t0 = time.perf_counter()
            r = annual_report(year=year, departments=qs, title=title, government=gov)
            out.append(time.perf_counter() - t0)
        assert r.check_ok, r.checks
        return out

    total = DisclosureRequest.objects.filter(department__in=depts).count()
    for label, qs, gov in (("government (20 departments)", government, True), ("one department", one, False)):
        t = sorted(timed(qs, label, gov))
        p95 = t[max(0, int(len(t) * 0.95) - 1)]
        print(
            f"{connection.vendor} {total} requests, report {year}, {label}: "
            f"median {statistics.median(t) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
            f"max {t[-1] * 1000:.1f} ms ({runs} runs)"
        )
    r = annual_report(year=year, departments=government, title="x", government=True)
    print(
        "table 三 totals:",
        {k: r.table3[k]["total"] for k in ("new", "carried", "total", "forward")},
        "check",
        r.check_ok,
    )
    _ = date


if __name__ == "__main__":
    main()
