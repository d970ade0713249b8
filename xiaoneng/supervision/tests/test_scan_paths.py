# mypy: disable-error-code="union-attr,operator"
# (tests read clocks and instants that the services always set; the Optional is a model-level fact only)
"""SUP-1: the set-based scan (one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING per batch,
PostgreSQL) raises exactly what the portable ORM scan raises: the same alerts with the same
thresholds and acknowledgement deadlines, the same clock levels and next instants, the same events,
notifications, rectifications and supervision recommendations."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction

from xiaoneng.core.models import Event, Notification
from xiaoneng.core.trail import trail_verify
from xiaoneng.oversight.models import Rectification
from xiaoneng.supervision.alerts.scan import scan
from xiaoneng.supervision.alerts.services import threshold_policy_save
from xiaoneng.supervision.models import Alert, Recommendation
from xiaoneng.supervision.tests.conftest import SH, make_clock, run_scan
from xiaoneng.workdays.choices import ExtensionKind, PauseReason
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_extend, clock_pause

pytestmark = pytest.mark.postgres


def _require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the set-based scan path is PostgreSQL's (data-modifying CTEs, SKIP LOCKED, unnest)")


def _outcome(clocks_before: int) -> dict:
    """Everything a scan leaves behind, keyed by (clock, level) instead of row ids (the ids of rows
    a rolled-back run created are not reused)."""
    key = {a.pk: (a.clock_id, a.level) for a in Alert.objects.all()}
    alerts = sorted(
        (
            key[a.pk],
            a.department_id,
            a.region_id,
            a.raised_at,
            a.threshold_at,
            a.escalate_at,
            a.status,
            a.escalation,
        )
        for a in Alert.objects.all()
    )
    clocks = sorted(Clock.objects.filter(pk__lte=clocks_before).values_list("pk", "alert_level", "next_alert_at"))
    events = sorted(
        (key[int(e.subject_id)], e.seq, e.action, e.prev_hash, sorted(e.after.items()))
        for e in Event.objects.filter(action="alert.raised")
    )
    # a rectification opened by either run has its own id in its link
    notes = Counter(
        (n.recipient_id, n.title, n.body, re.sub(r"^/oversight/\d+/$", "/oversight/<id>/", n.url))
        for n in Notification.objects.all()
    )
    rects = sorted(
        (key[int(r.source_id)], r.department_id, r.title, r.problem, r.clock.limit, r.clock.kind)
        for r in Rectification.objects.select_related("clock")
    )
    recs = sorted((key[r.alert_id], r.department_id, r.number, r.text) for r in Recommendation.objects.all())
    return {
        "alerts": alerts,
        "clocks": clocks,
        "events": events,
        "notifications": notes,
        "rectifications": rects,
        "recommendations": recs,
    }


def test_sup1_sql_scan_and_orm_scan_raise_the_same_alerts(world):
    _require_postgres()
    # given a jurisdiction policy (acknowledge within 3 working days for "test.fast") and clocks in
    # every situation: overdue, past the statutory limit, yellow only, reminder only, a rectification's
    # own clock, a county department, paused, and one whose alerts were raised before an
    # extension lowered its level
    threshold_policy_save(
        actor=world.user("admin"), tenant=world.city, kind_prefix="test.fast", acknowledge_days=3, recompute=False
    )
    reviewer = world.user("reviewer")
    clocks = [
        make_clock(world, limit=3, statutory=5, responsible=reviewer),
        make_clock(world, limit=3, kind="test.fast.lane"),
        make_clock(world, limit=4, dept=world.county_dept),
        make_clock(world, limit=6, kind="oversight.rectification"),
        make_clock(world, limit=14, dept=world.other_dept, responsible=reviewer),
        make_clock(world, limit=15),
    ]
    paused = make_clock(world, limit=2)
    clock_pause(clock=paused, reason=PauseReason.HEARING, at=paused.started_at + timedelta(hours=2))
    again = make_clock(world, limit=3, start=datetime(2026, 9, 28, 9, 0, tzinfo=SH))
    run_scan(now=again.red_at, method="orm")  # reminder, yellow and red raised …
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.utils.timezone.now", lambda: again.started_at + timedelta(hours=1))
        clock_extend(clock=again, days=10, kind=ExtensionKind.AGENCY_HEAD, reason="复杂", approver=reviewer)
    again.refresh_from_db()
    assert again.alert_level == 0  # … then lowered by the extension: those alerts exist already
    now = clocks[4].warn_at + timedelta(hours=1)
    assert clocks[0].statutory_due_at < now
    assert again.red_at < now
    assert clocks[4].warn_at <= now < clocks[4].red_at
    assert clocks[5].remind_at <= now < clocks[5].warn_at
    # when the ORM scan runs, then (rolled back) the SQL scan, each in batches of 2 clocks
    last_clock = Clock.objects.order_by("-pk").values_list("pk", flat=True)[0]
    sid = transaction.savepoint_create()
    by_orm = run_scan(now=now, method="orm", batch_size=2)
    orm = _outcome(last_clock)
    assert list(trail_verify()) == []
    transaction.savepoint_rollback(sid)
    assert not Alert.objects.filter(raised_at=now).exists()
    by_sql = run_scan(now=now, method="sql", batch_size=2)
    sql = _outcome(last_clock)
    assert list(trail_verify()) == []
    # then both left exactly the same behind
    for part in orm:
        assert sql[part] == orm[part], part
    assert (by_sql.clocks, by_sql.alerts, by_sql.rectifications, by_sql.recommendations) == (
        by_orm.clocks,
        by_orm.alerts,
        by_orm.rectifications,
        by_orm.recommendations,
    )
    # and the scenario covered what it should
    assert by_sql.alerts >= 10
    assert by_sql.rectifications >= 3
    assert by_sql.recommendations == 1
    fast = Alert.objects.get(clock=clocks[1], level=3)
    slow = Alert.objects.get(clock=clocks[2], level=3)
    assert fast.escalate_at > slow.escalate_at  # the policy's 3 days against the default 1
    assert not Alert.objects.filter(clock=paused).exists()


def test_sql_scan_is_refused_on_other_databases(world):

    if connection.vendor == "postgresql":
        pytest.skip("checks the refusal on a database without the set-based path")
    with pytest.raises(ValueError, match="needs PostgreSQL"):
        scan(method="sql")
