"""The alert ladder (SUP-1; workdays.ladder LAD-REACH, LAD-RAISE, LAD-NEXT, LAD-LOWER, LAD-COLOUR):
the Python functions and the SQL built from the same rung table give the same answers — on the
database, through querysets (`col=F`) and through the compiled text that the scan's and bulk.py's
hand-written statements embed (`sql_text`). Run on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import BooleanField, DateTimeField, F, IntegerField, Q
from django.db.models.expressions import Case, When
from django.db.models.functions import Greatest, Least

from xiaoneng.workdays.choices import ClockStatus, ClockUnit
from xiaoneng.workdays.ladder import (
    RUNGS,
    SQL,
    URGENCY_BY_LEVEL,
    AlertLevel,
    level_at,
    level_expression,
    lowered_level,
    next_alert_at,
    next_alert_expression,
    next_alert_level,
    passed_rungs,
    raised_level,
    rung_instant_expression,
    sql_text,
    urgency_key,
)
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_extend, clock_next_alert_at, clock_pause, clock_stop
from xiaoneng.workdays.tests.conftest import at
from xiaoneng.workdays.urgency import URGENCY_LEVELS, clock_urgency

S = timedelta(seconds=1)
US = timedelta(microseconds=1)
FIELDS = ("remind_at", "warn_at", "red_at", "statutory_due_at")

# --- the SQL, both forms --------------------------------------------------------------------------


def _queryset_answers(pk: int, now: datetime) -> dict[str, Any]:
    """The ladder's expressions annotated on a queryset of clocks (what a selector would do)."""
    reached = level_expression(now)
    running = Q(status=ClockStatus.RUNNING)
    row = (
        Clock.objects.filter(pk=pk)
        .annotate(
            _reached=reached,
            _raised=Greatest(F("alert_level"), reached),
            _lowered=Case(
                When(due_at__isnull=True, then=F("alert_level")),
                default=Least(F("alert_level"), reached),
                output_field=IntegerField(),
            ),
            _next_at=next_alert_expression(F("alert_level"), running=running),
            _next_level=next_alert_expression(F("alert_level"), running=running, level=True),
            _rung_at=rung_instant_expression(F("alert_level")),
        )
        .values("_reached", "_raised", "_lowered", "_next_at", "_next_level", "_rung_at")
        .get()
    )
    return dict(row)


def _raw_answers(pk: int, now: datetime) -> dict[str, Any]:
    """The same expressions compiled into hand-written SQL on an alias, as the scan and bulk.py do."""

    def col(f: str) -> SQL:
        return SQL("v." + f, DateTimeField())

    level = SQL("v.alert_level", IntegerField())
    running = SQL(f"v.status = '{ClockStatus.RUNNING.value}'", BooleanField())
    parts = [
        sql_text(level_expression(now, col=col)),
        sql_text(next_alert_expression(level, col=col, running=running)),
        sql_text(next_alert_expression(level, col=col, running=running, level=True)),
        sql_text(rung_instant_expression(level, col=col)),
    ]
    sql = "SELECT " + ", ".join(p[0] for p in parts) + f" FROM {Clock._meta.db_table} AS v WHERE v.id = %s"
    params = [x for p in parts for x in p[1]] + [pk]
    with connection.cursor() as c:
        c.execute(sql, params)
        reached, next_at, next_level, rung_at = c.fetchone()
    return {"_reached": reached, "_next_at": _dt(next_at), "_next_level": next_level, "_rung_at": _dt(rung_at)}


def _dt(value: Any) -> datetime | None:
    # a raw cursor on SQLite returns the stored text; the ORM's converter makes it an aware datetime
    if value is None or isinstance(value, datetime):
        return value
    return Clock._meta.get_field("due_at").to_python(value).replace(tzinfo=UTC)


def _python_answers(clock: Clock, now: datetime) -> dict[str, Any]:
    running = clock.status == ClockStatus.RUNNING
    raised = clock.alert_level
    return {
        "_reached": level_at(clock, now),
        "_raised": raised_level(clock, raised, now),
        "_lowered": lowered_level(clock, raised, now, clock.due_at),
        "_next_at": next_alert_at(clock, raised, running),
        "_next_level": next_alert_level(clock, raised, running),
        "_rung_at": getattr(clock, RUNGS[raised - 1].field) if raised else None,
    }


def assert_parity(clock: Clock, now: datetime) -> dict[str, Any]:
    clock.refresh_from_db()
    python = _python_answers(clock, now)
    assert _queryset_answers(clock.pk, now) == python, (clock.status, clock.alert_level, now)
    raw = _raw_answers(clock.pk, now)
    assert raw == {k: python[k] for k in raw}, (clock.status, clock.alert_level, now)
    return python


def _set(clock: Clock, **fields: Any) -> Clock:
    Clock.objects.filter(pk=clock.pk).update(**fields)
    clock.refresh_from_db()
    return clock


# --- the table of edge cases ----------------------------------------------------------------------

T = at("2026-11-02", 0)  # a Monday, 00:00 Asia/Shanghai
LADDER: dict[str, datetime] = {
    "remind_at": T,
    "warn_at": T + timedelta(days=1),
    "red_at": T + timedelta(days=2) - US,  # day_end: 23:59:59.999999
    "statutory_due_at": T + timedelta(days=9) - US,
    "due_at": T + timedelta(days=2) - US,
}
NOW_CASES = [
    T - S,  # one second before the reminder
    T,  # exactly at the reminder
    T + S,
    LADDER["warn_at"] - S,
    LADDER["warn_at"],  # exactly at warn_at
    LADDER["warn_at"] + S,
    LADDER["red_at"] - US,
    LADDER["red_at"],  # the last microsecond of the due day
    LADDER["red_at"] + US,  # the next day's first instant
    LADDER["statutory_due_at"],
    LADDER["statutory_due_at"] + S,
]
SHAPES: dict[str, dict[str, Any]] = {
    "full ladder": LADDER,
    "no statutory limit": {**LADDER, "statutory_due_at": None},
    # a one-day obligation: the reminder is clamped to the start, on the yellow instant
    "reminder on yellow": {**LADDER, "remind_at": LADDER["warn_at"]},
    # paused before the limit ran out: no instants but the statutory one
    "paused, no due instant": {**dict.fromkeys(LADDER), "statutory_due_at": LADDER["statutory_due_at"]},
    "nothing": dict.fromkeys(LADDER),
}


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("status", [s.value for s in ClockStatus])
def test_lad_python_and_sql_agree_on_every_edge(make_clock, shape, status):
    # given one clock with the shape's instants, at every level raised and status
    clock = make_clock(limit=5, started_at=at("2026-10-26"))
    for raised in range(AlertLevel.NONE, AlertLevel.STATUTORY + 1):
        _set(clock, **SHAPES[shape], status=status, alert_level=raised)
        for now in NOW_CASES:
            # when the Python functions and the SQL (queryset and compiled) are evaluated
            # then they agree (SUP-1)
            assert_parity(clock, now)


def test_lad_reach_counts_an_instant_equal_to_now_and_not_one_microsecond_later(make_clock):
    clock = _set(make_clock(limit=5, started_at=at("2026-10-26")), **LADDER)
    assert assert_parity(clock, T - S)["_reached"] == AlertLevel.NONE
    assert assert_parity(clock, T)["_reached"] == AlertLevel.REMIND
    assert assert_parity(clock, LADDER["warn_at"])["_reached"] == AlertLevel.YELLOW
    assert assert_parity(clock, LADDER["red_at"] - US)["_reached"] == AlertLevel.YELLOW
    assert assert_parity(clock, LADDER["red_at"])["_reached"] == AlertLevel.RED
    assert assert_parity(clock, LADDER["statutory_due_at"])["_reached"] == AlertLevel.STATUTORY
    # LAD-RAISE: the scan raises every rung passed above the level already raised, lowest first
    assert passed_rungs(clock, AlertLevel.REMIND, LADDER["red_at"]) == [
        (AlertLevel.YELLOW, LADDER["warn_at"]),
        (AlertLevel.RED, LADDER["red_at"]),
    ]


def test_lad_next_is_none_unless_running(make_clock):
    clock = _set(make_clock(limit=5, started_at=at("2026-10-26")), **LADDER)
    assert assert_parity(clock, T)["_next_at"] == T
    for status in (ClockStatus.PAUSED, ClockStatus.STOPPED, ClockStatus.CANCELLED):
        _set(clock, status=status)
        assert assert_parity(clock, T)["_next_at"] is None
    # the rung above a missing statutory instant: none left after red
    _set(clock, status=ClockStatus.RUNNING, statutory_due_at=None, alert_level=AlertLevel.RED)
    assert assert_parity(clock, T)["_next_level"] == AlertLevel.NONE


# --- real clocks from the services: every unit, paused, stopped, extended --------------------------


@pytest.mark.parametrize(
    ("unit", "limit"), [(ClockUnit.WORKING_DAYS, 5), (ClockUnit.NATURAL_DAYS, 10), (ClockUnit.HOURS, 36)]
)
def test_lad_services_store_what_the_ladder_says(world, make_clock, unit, limit):
    # given a clock computed by the services, with a statutory limit
    clock = make_clock(limit=limit, statutory_limit=limit * 2, unit=unit, started_at=at("2026-10-26", 9))
    clock.refresh_from_db()
    # then the stored next alert is the ladder's, and Python and SQL agree at each rung's instant
    assert clock.next_alert_at == next_alert_at(clock, clock.alert_level, True) == clock.remind_at
    for field in FIELDS:
        instant = getattr(clock, field)
        for now in (instant - S, instant, instant + S):
            assert_parity(clock, now)
    # extended: the instants move, the ladder follows
    clock_extend(clock=clock, days=3, kind="agency_head", reason="依法延长", approver=world.user("dept_head"))
    clock.refresh_from_db()
    assert clock.next_alert_at == clock_next_alert_at(clock)
    assert_parity(clock, clock.warn_at)
    # paused: not watched
    clock_pause(clock=clock, reason="supplement", at=at("2026-10-27", 10))
    clock.refresh_from_db()
    assert clock.next_alert_at is None
    assert_parity(clock, at("2026-10-28", 10))
    # stopped: not watched either
    clock = clock_stop(clock=clock, at=at("2026-10-28", 11))
    assert assert_parity(clock, at("2026-11-30"))["_next_at"] is None


# --- LAD-COLOUR: the pill, and the colour every level maps to -------------------------------------


def test_lad_colour_reminder_is_yellow_and_paused_grey():
    assert URGENCY_LEVELS[urgency_key(ClockStatus.RUNNING, AlertLevel.NONE)].colour == "green"
    assert URGENCY_LEVELS[urgency_key(ClockStatus.RUNNING, AlertLevel.REMIND)].colour == "yellow"
    assert URGENCY_LEVELS[urgency_key(ClockStatus.RUNNING, AlertLevel.YELLOW)].colour == "yellow"
    assert URGENCY_LEVELS[urgency_key(ClockStatus.RUNNING, AlertLevel.RED)].colour == "red"
    assert URGENCY_LEVELS[urgency_key(ClockStatus.RUNNING, AlertLevel.STATUTORY)].colour == "red"
    assert URGENCY_LEVELS[urgency_key(ClockStatus.PAUSED, AlertLevel.RED)].colour == "grey"
    assert set(URGENCY_BY_LEVEL.values()) <= set(URGENCY_LEVELS)


def test_lad_pill_follows_the_ladder(make_clock):
    clock = _set(make_clock(limit=5, started_at=at("2026-10-26")), **LADDER)
    for now in NOW_CASES:
        assert clock_urgency(clock, now).level == URGENCY_BY_LEVEL[level_at(clock, now)]


# --- randomized parity ----------------------------------------------------------------------------


@pytest.fixture
def ladder_clock(make_clock) -> Clock:
    # one row for all the examples of a run (they share the test's transaction)
    return make_clock(limit=5, started_at=at("2026-10-26"))


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

_instant = st.one_of(
    st.none(),
    st.integers(min_value=-3 * 86_400_000_000, max_value=12 * 86_400_000_000).map(
        lambda u: T + timedelta(microseconds=u)
    ),
)


@hypothesis.settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture, hypothesis.HealthCheck.too_slow],
)
@hypothesis.given(
    instants=st.tuples(_instant, _instant, _instant, _instant, _instant),
    status=st.sampled_from([s.value for s in ClockStatus]),
    raised=st.integers(min_value=0, max_value=4),
    offset=st.integers(min_value=-3 * 86_400, max_value=12 * 86_400),
    shift=st.sampled_from([timedelta(0), US, -US, S, -S]),
    pick=st.integers(min_value=0, max_value=4),
)
def test_lad_random_clocks_python_and_sql_agree(ladder_clock, instants, status, raised, offset, shift, pick):
    # given any instants (unordered, missing), status and level raised — and a `now` often exactly on
    # one of the instants or a microsecond or second away from it
    fields = dict(zip((*FIELDS, "due_at"), instants, strict=True))
    _set(ladder_clock, **fields, status=status, alert_level=raised)
    base = instants[pick] or T + timedelta(seconds=offset)
    # then Python and both SQL forms agree
    assert_parity(ladder_clock, base + shift)
