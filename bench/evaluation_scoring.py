# ruff: noqa: E501  (the generators are SQL statements, kept whole for reading)
"""Evaluation scoring benchmark (PostgreSQL; not part of the test suite).

    psql -h 127.0.0.1 -U postgres -c 'create database xn_bench_evaluation'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xn_bench_evaluation \\
        .venv/bin/python bench/evaluation_scoring.py [--units 200] [--ratings 1000000] [--complaints 100000] [--runs 3]

Builds one jurisdiction with N units, a year of data — R ratings (each on its own window service),
C complaints (most replied, some late, most called back), 12 monthly efficiency scores per unit,
monitoring-point reports and interviews — with set-based INSERT … SELECT generate_series (the
services are exercised by the tests; here the volume matters). A scheme with every registered data
indicator, a self-assessment and a panel indicator (10 members × N units) is then computed through
`services.scheme_compute` (all providers, composites, intervals, bands, writing N results) `runs`
times; the median and the slowest run are reported. Target (issue 12): < 10 s.
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

YEAR = 2025


def _arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def setup(units: int, ratings: int, complaints: int) -> tuple[object, object]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from xiaoneng.evaluation.choices import IndicatorKind, PanelGroup, UnitCategory
    from xiaoneng.evaluation.models import Scheme
    from xiaoneng.evaluation.services import indicator_add, panel_member_add, scheme_create, scheme_publish, unit_add
    from xiaoneng.orgs.choices import RegionLevel, Role
    from xiaoneng.orgs.models import Department, Region, User
    from xiaoneng.orgs.validators import credit_code_check_char

    city, _ = Region.objects.get_or_create(code="339100", defaults={"name": "青溪市", "level": RegionLevel.CITY})
    depts = []
    for i in range(units):
        first17 = f"11339100{700 + i:09d}"
        d, _ = Department.objects.get_or_create(
            credit_code=first17 + credit_code_check_char(first17),
            defaults={"region": city, "tenant": city, "name": f"青溪市第{i + 1}考评单位"},
        )
        depts.append(d)
    office = User.objects.filter(username="bench_office").first()
    if office is None:
        office = User(username="bench_office", role=Role.SUPERVISOR, region=city, tenant=city)
        office.set_password("bench-Pass-2026")
        office.save()
    ids = ",".join(str(d.pk) for d in depts)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("select count(*) from ratings_rating")
        if cur.fetchone()[0] < ratings:
            print(f"generating {ratings} ratings …", flush=True)
            cur.execute(
                f"""
                insert into ratings_inhallservice (created_at, updated_at, "window", service_name, served_at, person_phone, department_id, tenant_id)
                select now(), now(), 'A1', '咨询', timestamptz '{YEAR}-01-01 09:00+08' + (g % 365) * interval '1 day',
                       '', (array[{ids}])[1 + g % {units}], {city.pk}
                from generate_series(0, {ratings - 1}) g
                """
            )
            cur.execute(
                """
                insert into ratings_rating (created_at, updated_at, level, comment, source, defaulted, rated_at, rater_phone,
                    handling, verification_note, rectified, callback_note, appeal_status, appeal_reason, appeal_note, removed,
                    department_id, tenant_id, reason, service_id)
                select now(), now(), lv, '', 'terminal', false, s.served_at + interval '1 hour', '',
                       case when lv <= 2 then 'rectifying' else '' end, '', lv <= 2 and s.id % 3 = 0, '', '', '', '', false,
                       s.department_id, s.tenant_id, '', s.id
                from (select *, case when (id * 7919 + department_id * 31) % 100 < 3 + department_id % 7 then 1
                                     when (id * 7919) % 10 < 3 then 4 else 5 end as lv
                      from ratings_inhallservice) s
                """
            )
        cur.execute("select count(*) from complaints_complaint")
        if cur.fetchone()[0] < complaints:
            print(f"generating {complaints} complaints …", flush=True)
            cur.execute(
                f"""
                insert into complaints_complaint (created_at, updated_at, number, verification_hash, channel, kind, status, title,
                    content, anonymous, hide_from_department, complainant_name, complainant_phone, complainant_email, address,
                    media_url, received_at, refusal_reason, refusal_note, dispatch_note, reply, satisfaction, reopen_count,
                    return_count, report_count, flagged_for_oversight, escalation_level, region_id, tenant_id,
                    handling_department_id, department_id, accepted_at, replied_at, replied_on_time)
                select now(), now(), 'BENCH-EV-' || g, '', 'web', 'efficiency', 'closed', '办事拖延', '办事拖延', false, false,
                       '', '', '', '', '', timestamptz '{YEAR}-01-01 10:00+08' + (g % 360) * interval '1 day', '', '', '', '答复',
                       case when g % 10 < 7 then 'satisfied' when g % 10 < 9 then 'basic' else 'unsatisfied' end,
                       0, 0, 1, false, 0, {city.pk}, {city.pk}, (array[{ids}])[1 + g % {units}], (array[{ids}])[1 + g % {units}],
                       timestamptz '{YEAR}-01-01 11:00+08' + (g % 360) * interval '1 day',
                       timestamptz '{YEAR}-01-03 11:00+08' + (g % 360) * interval '1 day', (g * 13) % 100 >= 8
                from generate_series(0, {complaints - 1}) g
                """
            )
        cur.execute("select count(*) from supervision_efficiencyscore")
        if cur.fetchone()[0] < units * 12:
            cur.execute(
                f"""
                insert into supervision_efficiencyscore (created_at, updated_at, month, base, deducted, score, warning,
                    warning_reason, figures, frozen, computed_at, department_id, region_id, tenant_id, warning_message)
                select now(), now(), make_date({YEAR}, m, 1), 100, (d * 7 + m * 3) % 25, 100 - (d * 7 + m * 3) % 25, 0, '',
                       '{{}}'::jsonb, true, now(), d, {city.pk}, {city.pk}, '{{}}'::jsonb
                from unnest(array[{ids}]) d, generate_series(1, 12) m
                """
            )
        cur.execute("select count(*) from evaluation_monitoringpointreport")
        if cur.fetchone()[0] == 0:
            for table, datecol, textcol in (
                ("evaluation_monitoringpointreport", "reported_on", "text"),
                ("evaluation_interview", "held_on", "reason"),
            ):
                extra = (
                    ("point, reported_by_id", "'园区监测点', " + str(office.pk))
                    if "monitoring" in table
                    else ("held_by_id", str(office.pk))
                )
                cur.execute(
                    f"""
                    insert into {table} (created_at, updated_at, tenant_id, department_id, {datecol}, {textcol}, severity, {extra[0]})
                    select now(), now(), {city.pk}, (array[{ids}])[1 + g % {units}], make_date({YEAR}, 1 + g % 12, 1 + g % 28),
                           '情况', 1 + g % 3, {extra[1]}
                    from generate_series(0, {units * 3 - 1}) g
                    """
                )
        cur.execute("analyze")
    print(f"data ready in {time.perf_counter() - t0:.1f} s", flush=True)

    scheme = Scheme.objects.filter(region=city, year=YEAR).first()
    if scheme is None:
        from xiaoneng.evaluation.indicators import providers

        scheme = scheme_create(actor=office, region=city, year=YEAR, name=f"{YEAR}年度绩效考评（基准）")
        group = indicator_add(actor=office, scheme=scheme, name="数据指标", kind=IndicatorKind.GROUP, weight=60)
        keys = [p.key for p in providers()]
        share = [100 // len(keys)] * len(keys)
        share[0] += 100 - sum(share)
        for k, w in zip(keys, share, strict=True):
            indicator_add(
                actor=office, scheme=scheme, name=k, kind=IndicatorKind.DATA, weight=w, parent=group, data_key=k
            )
        indicator_add(actor=office, scheme=scheme, name="自评", kind=IndicatorKind.SELF, weight=10)
        panel = indicator_add(actor=office, scheme=scheme, name="评议", kind=IndicatorKind.PANEL, weight=30)
        for i, d in enumerate(depts):
            unit_add(actor=office, scheme=scheme, department=d, category=list(UnitCategory)[i % 4])
        members = []
        for j in range(10):
            u = User.objects.filter(username=f"bench_panel{j}").first() or User.objects.create(
                username=f"bench_panel{j}", role=Role.LEADER, region=city, tenant=city
            )
            members.append(panel_member_add(actor=office, scheme=scheme, user=u, group=PanelGroup.DEPUTY))
        scheme_publish(actor=office, scheme=scheme)
        from xiaoneng.evaluation.models import PanelScore

        PanelScore.objects.bulk_create(
            PanelScore(indicator=panel, department=d, member=m, score=60 + (d.pk * 7 + j * 11) % 40)
            for d in depts
            for j, m in enumerate(members)
        )
    return scheme, office


def main() -> None:
    units, ratings, complaints = _arg("--units", 200), _arg("--ratings", 1_000_000), _arg("--complaints", 100_000)
    runs = _arg("--runs", 3)
    scheme, office = setup(units, ratings, complaints)
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from xiaoneng.evaluation.services import scheme_compute

    times = []
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            results = scheme_compute(actor=office, scheme=scheme)
            times.append(time.perf_counter() - t)
    ranked = [r for r in results if r.score is not None]
    print(
        f"{platform.node()} PostgreSQL {connection.pg_version}: scheme_compute over {units} units, "
        f"{ratings} ratings, {complaints} complaints: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s ({runs} runs), {len(q)} statements in the last run; "
        f"{len(ranked)} ranked, {len({(r.category, r.band) for r in ranked})} bands, {sum(r.bottom for r in ranked)} bottom"
    )


if __name__ == "__main__":
    main()
