"""Disclosure annual report and 督查督办 benchmark (PostgreSQL; not part of the test suite).

    psql -h 127.0.0.1 -U postgres -c 'create database xn_bench_oversight'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xn_bench_oversight \
        .venv/bin/python bench/disclosure_report.py [--requests 20000] [--tasks 5000] [--runs 20]

Generates N disclosure requests in one jurisdiction (a city with 20 departments), received over the
last two years by every applicant kind, ~90 % answered with a result row of table 三, the rest open
(carried forward), plus 2,000 published records and 200 appeal records — with bulk inserts (the
services are exercised by the test suite; here the volume matters). Then computes the government's
annual report (all 20 departments: the four tables and the integrity check) `runs` times after one
warm-up, and one department's report, and reports median and p95. Target: < 2 s.

Issue 11 also asks for 5,000 supervised tasks (督查督办) in the same jurisdiction: each assigned to 1-3
of the departments, with a working-day Clock per share (CAS-10: 15 working days, due dates from the
workdays calendar), ~60 % of the shares reported done (some late), all bulk-created. With them in place
the report is timed again, and so are the office's task list page (the view's query: tasks in scope
with their share count and earliest due date, first page of 50 plus the count) and the overdue-share
selector the efficiency index uses (one month, one year).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
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
    n_tasks = _arg("--tasks", 5000)
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
    _tasks_create(city, depts, n_tasks, rng)
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
    _tasks_measure(city, runs)
    _issued_measure(city, year, runs)
    _ = date


def _issued_measure(city, year: int, runs: int) -> None:
    """DIS-3: issuing the government's report (computed once more and stored), then reading it back."""
    from xiaoneng.disclosure.report import report_from_issued
    from xiaoneng.disclosure.selectors import report_issued
    from xiaoneng.disclosure.services import report_issue
    from xiaoneng.orgs.models import User

    office = User.objects.get(username="bench_oversight_office")
    if report_issued(year=year, region=city) is None:
        t0 = time.perf_counter()
        report_issue(actor=office, year=year, region=city)
        print(f"  issue the government's {year} report: {(time.perf_counter() - t0) * 1000:.1f} ms")
    out = []
    for _i in range(runs):
        t0 = time.perf_counter()
        r = report_from_issued(report_issued(year=year, region=city))
        out.append(time.perf_counter() - t0)
    _stats(f"read the issued report back (new = {r.table3['new']['total']})", out)


def _stats(label: str, t: list[float]) -> None:
    t = sorted(t)
    p95 = t[max(0, int(len(t) * 0.95) - 1)]
    print(
        f"  {label}: median {statistics.median(t) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"max {t[-1] * 1000:.1f} ms ({len(t)} runs)"
    )


def _tasks_create(city, depts, n: int, rng: random.Random) -> None:
    """`n` supervised tasks with 1-3 shares each and a Clock per share, bulk-created (idempotent)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from xiaoneng.orgs.choices import Role
    from xiaoneng.orgs.models import User
    from xiaoneng.oversight.actions.tasks import CLOCK_KIND
    from xiaoneng.oversight.choices import AssignmentStatus, TaskSource, TaskStatus
    from xiaoneng.oversight.models import SupervisedTask, TaskAssignment
    from xiaoneng.workdays.calendar import get_calendar
    from xiaoneng.workdays.deadline import day_end, local_date
    from xiaoneng.workdays.models import Clock

    have = SupervisedTask.objects.filter(tenant=city, number__startswith="DB-BENCH-").count()
    if have >= n:
        return
    office, _c = User.objects.get_or_create(
        username="bench_oversight_office", defaults={"role": Role.SUPERVISOR, "region": city, "tenant": city}
    )
    now = timezone.now()
    cal = get_calendar()
    t0 = time.perf_counter()
    tasks = SupervisedTask.objects.bulk_create(
        [
            SupervisedTask(
                tenant=city,
                number=f"DB-BENCH-{i:07d}",
                title=f"基准督办事项{i}",
                source=TaskSource.values[i % len(TaskSource.values)],
                requirement="按要求办理并报送结果",
                region=city,
                assigned_by=office,
                status=TaskStatus.OPEN,
            )
            for i in range(have, n)
        ],
        batch_size=2000,
    )
    shares = []
    for i, task in enumerate(tasks):
        for d in rng.sample(depts, 1 + i % 3):
            shares.append(TaskAssignment(tenant=city, task=task, department=d))
    TaskAssignment.objects.bulk_create(shares, batch_size=2000)
    ct = ContentType.objects.get_for_model(TaskAssignment)
    clocks = []
    done: dict[int, datetime] = {}
    for a in shares:
        started = now - timedelta(days=rng.uniform(0, 360), minutes=rng.randint(0, 600))
        due_date = cal.add_working_days(local_date(started), 15)  # CAS-10 default
        due_at = day_end(due_date)
        clocks.append(
            Clock(
                tenant=city,
                owner_type=ct,
                owner_id=a.pk,
                kind=CLOCK_KIND,
                label=f"督办 {a.task_id}",
                department=a.department,
                limit=15,
                started_at=started,
                due_date=due_date,
                due_at=due_at,
            )
        )
        if rng.random() < 0.6:  # reported done, one in five after its due date
            finished = started + timedelta(days=rng.uniform(2, 18) if rng.random() < 0.8 else rng.uniform(22, 40))
            if finished < now:
                done[a.pk] = finished
    Clock.objects.bulk_create(clocks, batch_size=2000)
    for a, c in zip(shares, clocks, strict=True):
        a.clock = c
        if a.pk in done:
            a.completed_at = done[a.pk]
            a.status = AssignmentStatus.COMPLETED
    TaskAssignment.objects.bulk_update(shares, ["clock", "completed_at", "status"], batch_size=2000)
    print(
        f"created {len(tasks)} tasks, {len(shares)} shares with clocks in {time.perf_counter() - t0:.1f} s "
        f"({len(done)} reported done)"
    )
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ANALYZE")


def _tasks_measure(city, runs: int) -> None:
    from django.db import connection
    from django.db.models import Count, Min
    from django.utils import timezone

    from xiaoneng.orgs.models import User
    from xiaoneng.oversight.models import SupervisedTask, TaskAssignment
    from xiaoneng.oversight.selectors import overdue_task_assignments, tasks_for
    from xiaoneng.workdays.deadline import day_start

    office = User.objects.get(username="bench_oversight_office")
    print(
        f"{connection.vendor} 督查督办: {SupervisedTask.objects.filter(tenant=city).count()} tasks, "
        f"{TaskAssignment.objects.filter(tenant=city).count()} shares"
    )

    def task_page() -> int:
        # the office's task list (oversight.views.task_list): count + the first page of 50
        qs = tasks_for(office).annotate(
            shares=Count("assignments", distinct=True), due=Min("assignments__clock__due_date")
        )
        total = qs.count()
        rows = list(qs.order_by("-created_at", "-id")[:50])
        if not rows:
            raise RuntimeError("no tasks in scope")
        return total

    now = timezone.now()
    today = timezone.localdate()
    month_start = day_start(today.replace(day=1) - timedelta(days=1)).replace(day=1)
    month_end = day_start(today.replace(day=1))
    year_start = day_start(today - timedelta(days=365))

    def timed(fn) -> tuple[list[float], object]:
        result = fn()  # warm-up
        out = []
        for _i in range(runs):
            t0 = time.perf_counter()
            result = fn()
            out.append(time.perf_counter() - t0)
        return out, result

    t, total = timed(task_page)
    _stats(f"task list page (office, {total} tasks in scope: count + first 50)", t)
    t, rows = timed(lambda: overdue_task_assignments(tenant=city, start=month_start, end=month_end, now=now))
    _stats(f"overdue shares, last month ({len(rows)} rows)", t)
    t, rows = timed(lambda: overdue_task_assignments(tenant=city, start=year_start, end=now, now=now))
    _stats(f"overdue shares, last 365 days ({len(rows)} rows)", t)


if __name__ == "__main__":
    main()
