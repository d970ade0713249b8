"""Supervision scan benchmark (PostgreSQL only; not part of the test suite).

    .venv/bin/python bench/supervision.py postgres://postgres@127.0.0.1:5432/xn_supbench \
        [--clocks 1000000] [--due 10000] [--workers 2] [--phases] [--skip-b | --b-only]

The database is the benchmark's own: its clocks, pauses, alerts and rectifications are TRUNCATEd.
--skip-b stops after (a); --b-only runs only (b) on the clocks a previous full run left behind.

Generates N open clocks with INSERT … SELECT generate_series — working days, natural days and hours,
limits of 5–20 working days (24–96 hours), starts over the last 30 days, 1 in 4 with a statutory limit, 1 in 50
extended, about 1 in 90 with a pause (half of them still paused) — of which `due` have passed their
reminder instant an hour ago (their yellow and red are still ahead). Then, in the same run:

(a) the floor: one hand-written INSERT … SELECT … ON CONFLICT DO NOTHING creating the same alert rows,
    committed (then deleted again; median of 3), then the incremental scan raising those alerts with their events and
    the departments' notifications, and the ratio (the calendar and content types are loaded before,
    as in the long-lived worker; --phases prints where the scan's time goes);
(b) a calendar change (one working day of the current year becomes a holiday, or back, in a new
    revision) and the full rescan that recomputes and re-evaluates every open clock
    (workdays.bulk.clocks_recompute_bulk), as `manage.py supervision_rescan` does, on `--workers`
    connections (default 2, the command's default); then the change undone and the same rescan on
    one connection, side by side;
(c) the peak RSS of the process (ru_maxrss) after (a) and after (b).
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from typing import Any


def _arg(args: list[str], name: str, default: int) -> int:
    return int(args[args.index(name) + 1]) if name in args else default


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    args = sys.argv[1:]
    if not args or not args[0].startswith("postgres"):
        sys.exit(__doc__)
    os.environ["DATABASE_URL"] = args[0]
    n = _arg(args, "--clocks", 1_000_000)
    due = _arg(args, "--due", 10_000)
    workers = _arg(args, "--workers", 2)  # connections for the full rescan, as manage.py supervision_rescan
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from xiaoneng.core.models import Notification
    from xiaoneng.orgs.choices import Role
    from xiaoneng.orgs.models import Department, Region, User
    from xiaoneng.supervision.alerts.scan import scan
    from xiaoneng.supervision.models import Alert
    from xiaoneng.workdays.bulk import clocks_recompute_bulk
    from xiaoneng.workdays.calendar import calendar_invalidate, calendar_load, get_calendar
    from xiaoneng.workdays.models import CalendarDay, CalendarRevision

    call_command("migrate", verbosity=0)
    city, _ = Region.objects.get_or_create(code="339100", defaults={"name": "青溪市", "level": "city"})
    dept = Department.objects.filter(credit_code="11339100000000001X").first() or Department.objects.create(
        tenant=city, region=city, name="基准测试局", credit_code="11339100000000001X"
    )
    # someone to notify: the department head gets one digest per batch (inbox and e-mail)
    if not User.objects.filter(username="bench_head").exists():
        User.objects.create_user(
            username="bench_head", password="pass-Word-2026", role=Role.DEPT_HEAD, department=dept,
            tenant=city, region=city, email="head@example.invalid",
        )  # fmt: skip
    ct = ContentType.objects.get_for_model(Department)
    now = timezone.now()
    print(
        f"bench/supervision.py: {n} open clocks, {due} due; {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores"
    )
    marks: list[str] = []

    def progress(done: int, total: int) -> None:
        if done == total or done % 250_000 < 100_000:
            marks.append(f"{done}/{total} at {time.perf_counter() - t0:.1f} s")

    if "--b-only" not in args:  # --b-only: reuse the clocks a previous full run left (b0 done)
        with connection.cursor() as c:
            t0 = time.perf_counter()
            c.execute(
                "TRUNCATE workdays_clock, workdays_clockpause, workdays_clockextension, supervision_alert, "
                "supervision_recommendation, oversight_rectification, oversight_rectificationevidence CASCADE"
            )
            c.execute(
                """
                INSERT INTO workdays_clock (tenant_id, created_at, updated_at, owner_type_id, owner_id, kind, label,
                    department_id, unit, "limit", statutory_limit, legal_basis, started_at, status, extension_total,
                    due_date, due_at, remind_at, warn_at, red_at, provisional, calendar_revision, alert_level,
                    next_alert_at)
                SELECT %(tenant)s, %(now)s, %(now)s, %(ct)s, g, 'bench.obligation', '基准时限' || g, %(dept)s,
                    CASE WHEN g %% 10 = 1 THEN 'h' WHEN g %% 10 = 2 THEN 'nd' ELSE 'wd' END,
                    CASE WHEN g %% 10 = 1 THEN 24 * (1 + g %% 4) ELSE 5 + g %% 16 END,
                    CASE WHEN g %% 4 = 0
                        THEN 2 * (CASE WHEN g %% 10 = 1 THEN 24 * (1 + g %% 4) ELSE 5 + g %% 16 END) END,
                    '', %(now)s - (g %% 30) * interval '1 day' - (g %% 24) * interval '1 hour',
                    CASE WHEN g > %(due)s AND g %% 180 = 7 THEN 'paused' ELSE 'running' END,
                    CASE WHEN g %% 50 = 3 THEN 5 ELSE 0 END,
                    (%(now)s + interval '2 days')::date, %(now)s + interval '2 days',
                    CASE WHEN g <= %(due)s THEN %(now)s - interval '1 hour' ELSE %(now)s + interval '1 day' END,
                    %(now)s + interval '1 day', %(now)s + interval '2 days', false, 1, 0,
                    CASE WHEN g <= %(due)s THEN %(now)s - interval '1 hour' ELSE %(now)s + interval '1 day' END
                FROM generate_series(1, %(n)s) g
                """,
                {"tenant": city.pk, "now": now, "ct": ct.pk, "dept": dept.pk, "due": due, "n": n},
            )
            # about 1 in 90 paused once (closed), and every 'paused' clock has its open pause
            c.execute(
                """
                INSERT INTO workdays_clockpause (clock_id, reason, legal_basis, note, started_at, ended_at)
                SELECT id, 'expert_review', '《行政许可法》第四十五条', '', started_at + interval '1 hour',
                    CASE WHEN status = 'paused' THEN NULL ELSE started_at + interval '2 days' END
                FROM workdays_clock
                WHERE started_at < %(now)s - interval '3 days'
                  AND (status = 'paused' OR (owner_id > %(due)s AND owner_id %% 180 = 97))
                """,
                {"now": now, "due": due},
            )
            pauses = c.rowcount
            print(f"generated {n} open clocks and {pauses} pauses in {time.perf_counter() - t0:.1f} s")
            # what autovacuum would have done to a table that size before the next scan: visibility and
            # statistics, and no checkpoint of the 1M-row load landing in the middle of the timings
            t0 = time.perf_counter()
            c.execute("VACUUM ANALYZE workdays_clock")
            c.execute("VACUUM ANALYZE workdays_clockpause")
            c.execute("CHECKPOINT")
            print(f"VACUUM ANALYZE and CHECKPOINT in {time.perf_counter() - t0:.1f} s")

            # (a) floor: one statement creating the same alert rows and its commit (the scan commits its
            # batches too: a rolled-back floor would not pay the WAL flush); deleted again after each
            # run (VACUUM, so the scan does not step over their dead index entries); median of three
            floors = []
            for _ in range(3):
                t0 = time.perf_counter()
                with transaction.atomic():
                    c.execute(
                        """
                        INSERT INTO supervision_alert (tenant_id, created_at, updated_at, clock_id, level,
                            department_id, region_id, raised_at, threshold_at, status, explanation, escalation,
                            scan_token)
                        SELECT tenant_id, %(now)s, %(now)s, id, 1, department_id, %(tenant)s, %(now)s, remind_at,
                            'raised', '', 0, 'floor'
                        FROM workdays_clock WHERE next_alert_at <= %(now)s AND status = 'running'
                        ON CONFLICT DO NOTHING
                        """,
                        {"now": now, "tenant": city.pk},
                    )
                    created = c.rowcount
                floors.append(time.perf_counter() - t0)
                c.execute("DELETE FROM supervision_alert WHERE scan_token = 'floor'")
                c.execute("VACUUM supervision_alert")
            # and, as this benchmark measured it before, the same statement rolled back (no WAL flush)
            rolled = []
            for _ in range(3):
                with transaction.atomic():
                    t0 = time.perf_counter()
                    c.execute(
                        """
                        INSERT INTO supervision_alert (tenant_id, created_at, updated_at, clock_id, level,
                            department_id, region_id, raised_at, threshold_at, status, explanation, escalation,
                            scan_token)
                        SELECT tenant_id, %(now)s, %(now)s, id, 1, department_id, %(tenant)s, %(now)s, remind_at,
                            'raised', '', 0, 'floor'
                        FROM workdays_clock WHERE next_alert_at <= %(now)s AND status = 'running'
                        ON CONFLICT DO NOTHING
                        """,
                        {"now": now, "tenant": city.pk},
                    )
                    rolled.append(time.perf_counter() - t0)
                    transaction.set_rollback(True)
        floor = statistics.median(floors)
        print(
            f"(a) floor: INSERT … SELECT … ON CONFLICT DO NOTHING created {created} rows in {floor * 1000:.0f} ms "
            f"(median of {', '.join(f'{f * 1000:.0f}' for f in floors)} ms)"
        )
        phases: dict[str, float] = {}
        if "--phases" in args:  # where the scan's time goes (wrappers cost a few µs per call)
            import django.db.backends.utils as dbu

            from xiaoneng.core import trail
            from xiaoneng.supervision.alerts import scan as scan_module

            def timed(name: str, fn):  # type: ignore[no-untyped-def]
                def wrapper(*a, **k):  # type: ignore[no-untyped-def]
                    t = time.perf_counter()
                    try:
                        return fn(*a, **k)
                    finally:
                        phases[name] = phases.get(name, 0.0) + time.perf_counter() - t

                return wrapper

            dbu.CursorWrapper.execute = timed("SQL statements", dbu.CursorWrapper.execute)  # type: ignore[method-assign]
            connection.commit = timed("COMMIT", connection.commit)  # type: ignore[method-assign]
            trail._write_rows = timed("events COPY", trail._write_rows)
            scan_module.events_append_new_rows = timed("events (hash + COPY)", scan_module.events_append_new_rows)
            scan_module._after_raise = timed("after the INSERT (events, digests, …)", scan_module._after_raise)
        # the scan runs in a long-lived worker: the calendar and content types are already loaded
        get_calendar()
        ContentType.objects.get_for_model(Alert)
        rss0 = _rss_mb()
        notes0 = Notification.objects.count()
        t0 = time.perf_counter()
        result = scan(now=now)
        took = time.perf_counter() - t0
        rss_a = _rss_mb()
        print(
            f"(a) scan: {result.alerts} alerts on {result.clocks} clocks, with {result.alerts} events and "
            f"{Notification.objects.count() - notes0} notifications, in {took * 1000:.0f} ms "
            f"= {took / floor:.1f}x the floor; alerts in table: {Alert.objects.count()}"
        )
        rolled_floor = statistics.median(rolled)
        print(
            f"    against the rolled-back floor ({rolled_floor * 1000:.0f} ms, median of "
            f"{', '.join(f'{f * 1000:.0f}' for f in rolled)} ms): {took / rolled_floor:.1f}x"
        )
        if phases:
            print("    phases: " + "; ".join(f"{k} {v * 1000:.0f} ms" for k, v in phases.items()))
        t0 = time.perf_counter()
        again = scan(now=now)
        print(
            f"    second scan at the same instant: {again.alerts} alerts in {(time.perf_counter() - t0) * 1000:.0f} ms"
        )
        print(f"(c) peak RSS after the scan: {rss_a:.0f} MB (before it {rss0:.0f} MB)")
        if "--skip-b" in args:
            return

        # (b) first the synthetic instants are replaced by real ones (every row rewritten: the worst
        # case, reported but not the target), then VACUUM as autovacuum would, then a calendar change:
        # a working day a week ahead becomes a holiday (or back), in a new revision, and the full rescan.
        t0 = time.perf_counter()
        changed = clocks_recompute_bulk(progress=progress, workers=workers)
        print(
            f"(b0) first real computation of the generated clocks: {changed} of {n} rewritten "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        with connection.cursor() as c:
            t0 = time.perf_counter()
            c.execute("VACUUM ANALYZE workdays_clock")
            print(f"     VACUUM ANALYZE workdays_clock: {time.perf_counter() - t0:.1f} s")

    def calendar_change() -> tuple[Any, Any]:
        """A working day a week ahead becomes a holiday (or back), in a new revision."""
        day = timezone.localdate() + timedelta(days=7)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        with transaction.atomic():
            last = CalendarRevision.objects.order_by("-number").first()
            rev = CalendarRevision.objects.create(
                number=(last.number + 1) if last else 1, years=[day.year], note="bench"
            )
            row = CalendarDay.objects.get(date=day)
            row.is_workday, row.kind, row.name = (False, "holiday", "基准") if row.is_workday else (True, "workday", "")
            row.revision = rev
            row.save()
        calendar_invalidate()
        print(f"(b) calendar revision r{rev.number}: {day} is now {'a working day' if row.is_workday else 'a holiday'}")
        return rev, calendar_load(rev.number)

    with connection.cursor() as c:
        c.execute(
            "SELECT tablename, count(*) FROM pg_indexes WHERE tablename IN ('workdays_clock', 'core_event') "
            "GROUP BY tablename ORDER BY tablename"
        )
        print("    indexes: " + ", ".join(f"{t} {k}" for t, k in c.fetchall()))
    rev, cal = calendar_change()
    marks.clear()
    t0 = time.perf_counter()
    changed = clocks_recompute_bulk(cal=cal, progress=progress, workers=workers)
    took_b = time.perf_counter() - t0
    print(
        f"(b) full rescan on {workers} connection(s): {n} clocks recomputed, {changed} changed, in {took_b:.1f} s"
        f"  [{'; '.join(marks)}]"
    )
    # what those writes cost at least: one bare UPDATE moving the same rows' indexed instants (rolled back)
    with connection.cursor() as c, transaction.atomic():
        t0 = time.perf_counter()
        c.execute(
            "UPDATE workdays_clock SET due_date = due_date + 1, next_alert_at = next_alert_at + interval '1 day', "
            "calendar_revision = 0, updated_at = now() WHERE calendar_revision = %s",
            [rev.number],
        )
        print(
            f"    write floor: one bare UPDATE of the {c.rowcount} changed rows in {time.perf_counter() - t0:.1f} s "
            "(rolled back)"
        )
        transaction.set_rollback(True)
    # and what computing and comparing costs: the same rescan again, where nothing moves
    t0 = time.perf_counter()
    again_changed = clocks_recompute_bulk(cal=cal, workers=workers)
    print(
        f"(b') the same rescan again (compute and compare, nothing to write): {again_changed} changed "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    if workers > 1:
        # side by side: the calendar change undone, the same rescan on one connection
        _rev, cal = calendar_change()
        marks.clear()
        t0 = time.perf_counter()
        changed = clocks_recompute_bulk(cal=cal, progress=progress, workers=1)
        print(
            f"(b) the same full rescan on 1 connection: {changed} changed in {time.perf_counter() - t0:.1f} s"
            f"  [{'; '.join(marks)}]"
        )
    print(f"(c) peak RSS after the full rescans: {_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
