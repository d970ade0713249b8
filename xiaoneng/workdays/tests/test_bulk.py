"""The set-based recompute (CLK-5) gives exactly what clock_recompute gives, clock by clock."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction

from xiaoneng.core.models import Event
from xiaoneng.workdays import bulk, services
from xiaoneng.workdays.bulk import clocks_recompute_bulk, write_chunk
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES, ClockStatus, ExtensionKind, PauseReason
from xiaoneng.workdays.models import CalendarRevision, Clock
from xiaoneng.workdays.services import (
    clock_extend,
    clock_pause,
    clock_restart,
    clock_resume,
    clock_stop,
    clocks_recompute,
    set_threshold_resolver,
)
from xiaoneng.workdays.tests.conftest import at

pytestmark = pytest.mark.django_db

OUTPUTS = list(bulk._OUTPUTS)
NOW = at("2026-11-20", 10, 17)


@pytest.fixture
def resolver():
    # thresholds that differ by kind, as supervision's per-jurisdiction policies make them (SUP-1)
    def by_kind(clock):
        return {"test.early": (-3, -2, 0), "test.late": (-1, 0, 1)}.get(clock.kind, (-1, 0, 0))

    previous = services._threshold_resolver  # whatever supervision installed (SUP-1)
    set_threshold_resolver(by_kind)
    yield by_kind
    set_threshold_resolver(previous)  # restore it: later tests rely on supervision's resolver


def _varied_sample(make_clock, world, n: int = 90) -> list[Clock]:
    """Working days, natural days and hours; statutory limits; pauses closed and open; restarts;
    extensions; a stopped clock; starts whose period runs into the provisional year 2027 (CLK-4)."""
    rng = random.Random(2026)
    approver = world.user("dept_head")
    clocks = []
    for i in range(n):
        unit = ("wd", "nd", "h")[i % 3]
        limit = rng.choice([1, 2, 3, 5, 10, 20, 60] if unit != "h" else [4, 8, 24, 72])
        start = NOW - timedelta(days=rng.randint(0, 70), hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
        if i % 11 == 0:
            start = at("2026-12-20", 9) if unit != "h" else start  # runs into 2027: provisional
            limit = 40 if unit != "h" else limit
        clock = make_clock(
            limit=limit,
            unit=unit,
            statutory_limit=(limit * 2 if i % 4 == 0 else None),
            started_at=start,
            kind=("test.early", "test.late", "test.obligation")[i % 3 if i % 2 else 2],
        )
        if i % 5 == 1 and start < NOW - timedelta(days=3):
            clock_pause(clock=clock, reason=PauseReason.EXPERT_REVIEW, at=start + timedelta(days=1, hours=2))
            if i % 10 != 1:  # every other one stays paused
                clock_resume(clock=clock, at=start + timedelta(days=3, hours=1))
        elif i % 13 == 3 and start < NOW - timedelta(days=2):
            clock_pause(clock=clock, reason=PauseReason.SUPPLEMENT, at=start + timedelta(hours=5))
            clock_restart(clock=clock, at=start + timedelta(days=2))  # the earlier pause no longer counts
        if i % 7 == 2:
            clock_extend(clock=clock, days=5, kind=ExtensionKind.AGENCY_HEAD, reason="复杂", approver=approver)
        if i % 17 == 4:
            clock_stop(clock=clock, at=NOW)
        clocks.append(clock)
    return clocks


def _scramble() -> None:
    """Make every cached instant stale, and the alert levels too high, as if computed with another
    calendar and then raised by the scan."""
    ids = list(Clock.objects.order_by("pk").values_list("pk", flat=True))
    Clock.objects.filter(status__in=OPEN_CLOCK_STATUSES).update(
        calendar_revision=0, due_date=None, red_at=None, next_alert_at=None, provisional=False
    )
    for level, part in ((4, ids[0::3]), (2, ids[1::3])):
        Clock.objects.filter(pk__in=part).update(alert_level=level)


def _state() -> list[tuple]:
    return list(Clock.objects.order_by("pk").values_list("pk", "status", *OUTPUTS))


def _restore(snapshot: list[Any]) -> None:
    Clock.objects.bulk_update([Clock(**row) for row in snapshot], [*OUTPUTS, "updated_at"])


# 7: many chunks, each with few clocks on the row path; None: one chunk, where the row path writes
# dozens of changed clocks sharing instants in one statement (on PostgreSQL: per-clock arrays)
@pytest.mark.parametrize("chunk_size", [7, None])
def test_clk5_bulk_recompute_equals_clock_recompute_on_a_varied_sample(
    make_clock, world, resolver, freeze_now, chunk_size
):
    # given a varied sample of clocks whose cached instants and alert levels are stale
    freeze_now(NOW)
    _varied_sample(make_clock, world)
    _scramble()
    snapshot = list(Clock.objects.values())
    before = _state()
    cal = get_calendar()
    assert cal.provisional_years  # 2027 has no confirmed schedule in the test database
    # when the bulk recompute runs (small chunks: several chunks and pause queries; or one chunk)
    changed_bulk = clocks_recompute_bulk(chunk_size=chunk_size)
    by_bulk = _state()
    # and, from the same stale state, the per-clock recompute
    _restore(snapshot)
    clocks_recompute()
    by_one = _state()
    # then every clock has exactly the same instants, next alert and alert level
    rev = OUTPUTS.index("calendar_revision") + 2
    strip = [r[:rev] + r[rev + 1 :] for r in by_bulk]
    assert strip == [r[:rev] + r[rev + 1 :] for r in by_one]
    # and the new revision exactly where something changed; the others keep theirs (bulk.py)
    moved = [old[:rev] + old[rev + 1 :] != new for old, new in zip(before, strip, strict=True)]
    assert [r[rev] for r in by_bulk] == [
        one[rev] if m else old[rev] for one, old, m in zip(by_one, before, moved, strict=True)
    ]
    assert changed_bulk == sum(moved) > 0
    # and the sample did exercise what it should
    states = {r[1] for r in by_bulk}
    assert {ClockStatus.RUNNING, ClockStatus.PAUSED, ClockStatus.STOPPED} <= states
    assert any(r[OUTPUTS.index("provisional") + 2] for r in by_bulk)
    levels = {r[-1] for r in by_bulk if r[1] == ClockStatus.RUNNING}
    assert len(levels) >= 3  # alert levels were lowered to different reached levels
    assert not all(moved)  # some clocks came out as they were and were not written


def test_clk5_bulk_writes_only_what_changed_and_logs_one_event_on_the_revision(make_clock, world, freeze_now):
    # given clocks up to date, two of them stale
    freeze_now(NOW)
    clocks = [make_clock(limit=5 + i, started_at=NOW - timedelta(days=i)) for i in range(6)]
    Clock.objects.filter(pk__in=[clocks[1].pk, clocks[4].pk]).update(due_date=None, calendar_revision=0)
    stamp = {c.pk: c.updated_at for c in Clock.objects.all()}
    events = Event.objects.count()
    rev = CalendarRevision.objects.get(number=get_calendar().revision)
    # when the bulk recompute runs a minute later
    freeze_now(NOW + timedelta(minutes=1))
    changed = clocks_recompute_bulk(actor=world.user("admin"))
    # then only the two stale clocks were written
    assert changed == 2
    moved = {c.pk for c in Clock.objects.all() if c.updated_at != stamp[c.pk]}
    assert moved == {clocks[1].pk, clocks[4].pk}
    # CLK-5: and the change is logged once, on the calendar revision, not once per clock
    assert Event.objects.count() == events + 1
    event = Event.objects.for_subject(rev).order_by("-seq").first()
    assert event is not None
    assert event.action == "clocks.recomputed"
    assert event.actor == world.user("admin")
    assert event.after["recomputed"] == 6
    assert event.after["changed"] == 2
    assert not Event.objects.filter(action="clock.recomputed").exists()


def test_clk5_bulk_recompute_with_years_reads_only_the_affected_clocks(make_clock, freeze_now):
    # given one clock due in 2026 and one running into 2027
    freeze_now(NOW)
    make_clock(limit=3, started_at=at("2026-11-02"))
    make_clock(limit=40, started_at=at("2026-12-01"))
    seen = []
    # when the recompute is limited to 2027
    clocks_recompute_bulk(years=[2027], progress=lambda done, total: seen.append((done, total)))
    # then only the clock whose span touches 2027 is read, and progress says so
    assert seen == [(1, 1)]


def _computed(clock):
    read = bulk._read_pg if connection.vendor == "postgresql" else bulk._read_portable
    clocks, spans = read(Clock.objects.filter(pk=clock.pk), 0, 10)
    return bulk._Computer(get_calendar()).chunk(clocks, spans, NOW)


@pytest.mark.parametrize("change", ["pause", "scan"])
def test_bulk_write_never_overwrites_a_clock_changed_since_it_was_read(make_clock, freeze_now, change):
    # given a stale clock read and computed by the recompute
    freeze_now(NOW)
    clock = make_clock(limit=10, started_at=NOW - timedelta(days=20))
    Clock.objects.filter(pk=clock.pk).update(due_date=None)
    chunk = _computed(clock)
    # when, before the write, a clerk pauses it or the supervision scan raises its next level
    if change == "pause":
        freeze_now(NOW + timedelta(minutes=1))
        clock_pause(clock=clock, reason=PauseReason.HEARING, at=NOW + timedelta(minutes=1))
    else:
        with transaction.atomic():  # its own (sub)transaction, as a real scan run is
            Clock.objects.filter(pk=clock.pk).update(alert_level=3, next_alert_at=None)
    current = Clock.objects.get(pk=clock.pk)
    result = write_chunk(chunk, NOW + timedelta(minutes=2))
    # then nothing is written and the clock is reported as a conflict
    assert result.changed == 0
    assert result.conflicts == [clock.pk]
    after = Clock.objects.get(pk=clock.pk)
    assert [getattr(after, f) for f in OUTPUTS] == [getattr(current, f) for f in OUTPUTS]


def test_bulk_recomputes_a_conflicting_clock_under_its_lock(make_clock, freeze_now, monkeypatch):
    # given two stale hour clocks, each paused once (so they take the row path on every database),
    # one of which a clerk changes while the recompute computes
    freeze_now(NOW)
    a = make_clock(limit=48, unit="h", started_at=NOW - timedelta(days=1))
    b = make_clock(limit=72, unit="h", started_at=NOW - timedelta(days=1))
    for c in (a, b):
        clock_pause(clock=c, reason=PauseReason.EXPERT_REVIEW, at=NOW - timedelta(hours=20))
        clock_resume(clock=c, at=NOW - timedelta(hours=18))
    Clock.objects.update(due_date=None, calendar_revision=0)
    original = bulk._Computer.chunk

    def chunk_then_touch(self, clocks, spans, now):
        out = original(self, clocks, spans, now)
        with transaction.atomic():  # its own (sub)transaction, as a clerk's action is
            Clock.objects.filter(pk=b.pk).update(updated_at=NOW + timedelta(seconds=30))
        return out

    monkeypatch.setattr(bulk._Computer, "chunk", chunk_then_touch)
    # when the bulk recompute runs
    changed = clocks_recompute_bulk()
    # then both end up recomputed: a in bulk, b again under its row lock (with its own event)
    assert changed == 2
    for c in (a, b):
        c.refresh_from_db()
        assert c.due_date is not None
        assert c.calendar_revision == get_calendar().revision
    assert Event.objects.filter(action="clock.recomputed").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="并行重算只在 PostgreSQL 上启用（每个线程一个连接）")
@pytest.mark.django_db(transaction=True)
def test_clk5_bulk_recompute_on_two_connections_equals_clock_recompute(make_clock, world, resolver, freeze_now):
    # given the varied sample, stale, committed (each worker thread reads it on its own connection)
    freeze_now(NOW)
    _varied_sample(make_clock, world)
    _scramble()
    snapshot = list(Clock.objects.values())
    seen: list[tuple[int, int]] = []
    # when the bulk recompute runs on two connections, in many small chunks
    changed_bulk = clocks_recompute_bulk(chunk_size=7, workers=2, progress=lambda d, t: seen.append((d, t)))
    by_bulk = _state()
    # and, from the same stale state, the per-clock recompute
    _restore(snapshot)
    clocks_recompute()
    by_one = _state()
    # then every clock has exactly the same instants, next alert and alert level
    rev = OUTPUTS.index("calendar_revision") + 2
    assert [r[:rev] + r[rev + 1 :] for r in by_bulk] == [r[:rev] + r[rev + 1 :] for r in by_one]
    assert changed_bulk > 0
    # and progress counted every open clock once, in increasing totals
    total = Clock.objects.filter(status__in=OPEN_CLOCK_STATUSES).count()
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)
    assert seen[-1] == (total, total)
