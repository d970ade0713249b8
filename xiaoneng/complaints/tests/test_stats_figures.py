# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value"
"""The department statistics (CMP-4) pinned against the rule definitions, row by row: whatever the
query becomes for speed (issue 6), these figures and the scoping must not move."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from xiaoneng.complaints.choices import SATISFIED, Status
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.selectors import complaints_for, department_stats

FIELDS = ("total", "decided", "accepted", "due_reply", "replied", "on_time", "callbacks", "satisfied")


def _sample(world, n: int = 240) -> list[Complaint]:
    """Complaints in every state, over two regions and three handling departments, around the period's
    edges (local midnight), some merged."""
    rnd = random.Random(4)
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    start = datetime.combine(today - timedelta(days=20), time.min, tz)
    regions = [world.city, world.county]
    depts = [world.dept, world.other_dept, world.county_dept, None]
    out = []
    for i in range(n):
        # received from 2 days before the period to 2 days after, with exact midnights on the edges
        received = start + timedelta(minutes=rnd.randrange(-2 * 1440, 23 * 1440))
        if i % 17 == 0:
            received = start  # the first instant of the period
        if i % 19 == 0:
            received = start - timedelta(microseconds=1)  # just before it
        c = Complaint(
            tenant=world.dept.tenant,
            number=f"TS-339100-STATS-{i:05d}",
            verification_hash="0" * 64,
            region=rnd.choice(regions),
            channel="web",
            kind="efficiency",
            title="办事效率反映",
            content="办理业务时等候时间较长，希望优化流程。",
            complainant_name="测试",
            complainant_phone="13900000000",
            received_at=received,
            department=world.dept,
        )
        fate = rnd.random()
        if fate < 0.08:
            c.status, c.refused_at, c.refusal_reason, c.closed_at = "refused", received, "litigation", received
        elif fate < 0.14:
            c.status = "registered"
        elif fate < 0.18:
            c.status = "accepted"
            c.accepted_at = received + timedelta(hours=3)
        else:
            c.accepted_at = received + timedelta(days=1)
            c.dispatched_at = received + timedelta(days=1, hours=2)
            c.handling_department = rnd.choice(depts[:3])
            c.status = "dispatched"
            if fate > 0.3:
                c.replied_at = received + timedelta(days=rnd.randint(2, 9))
                c.replied_on_time = c.replied_at <= received + timedelta(days=7)
                c.reply = "已处理。"
                c.status = "replied"
                if fate > 0.45:
                    c.satisfaction = rnd.choice(["satisfied", "satisfied", "basic", "unsatisfied"])
                    c.callback_at = c.closed_at = c.replied_at + timedelta(days=1)
                    c.status = "closed"
        if i % 23 == 0:
            c.status = Status.MERGED  # counted under the work order it was merged into, never twice
        out.append(c)
    Complaint.objects.bulk_create(out)
    return out


def _expected(rows: list[Complaint], lo: datetime, hi: datetime) -> dict[int | None, tuple[int, ...]]:
    """CMP-4 by its definitions: accepted ÷ decided (accepted or refused), replied ÷ due (replied, or
    open past the reply limit), on time ÷ due, (satisfied + basic) ÷ called back; merged orders left out."""
    by: dict[int | None, list[int]] = {}
    for c in rows:
        if c.status == Status.MERGED or not (lo <= c.received_at <= hi):
            continue
        f = by.setdefault(c.handling_department_id, [0] * 8)
        flags = (
            True,
            c.accepted_at is not None or c.refused_at is not None,
            c.accepted_at is not None,
            # due: replied, or unreplied past the reply clock's limit (reply_late_q; no clocks here)
            c.replied_at is not None,
            c.replied_at is not None,
            c.replied_on_time is True,
            c.satisfaction != "",
            c.satisfaction in SATISFIED,
        )
        for k, flag in enumerate(flags):
            f[k] += int(flag)
    return {k: tuple(v) for k, v in by.items()}


def _got(qs, start, end) -> dict[int | None, tuple[int, ...]]:
    return {f.key: tuple(getattr(f, k) for k in FIELDS) for f in department_stats(qs, start=start, end=end)}


def test_cmp4_department_figures_equal_the_definitions_row_by_row(world):
    rows = _sample(world)
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    start, end = today - timedelta(days=20), today - timedelta(days=3)
    lo, hi = datetime.combine(start, time.min, tz), datetime.combine(end, time.max, tz)
    expected = _expected(rows, lo, hi)
    assert sum(v[0] for v in expected.values()) > 100  # the sample does reach into the period
    assert _got(Complaint.objects.all(), start, end) == expected
    # the rates follow from the counts (CMP-4): e.g. reply rate = replied ÷ due, one decimal
    for f in department_stats(Complaint.objects.all(), start=start, end=end):
        if f.due_reply:
            assert f.reply_rate == round(100.0 * f.replied / f.due_reply, 1)
        if f.callbacks:
            assert f.satisfaction_rate == round(100.0 * f.satisfied / f.callbacks, 1)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("supervisor", lambda c, w: True),  # the city's subtree: everything here
        ("county_supervisor", lambda c, w: c.region_id == w.county.pk),
        ("other_county_supervisor", lambda c, w: False),
        ("clerk", lambda c, w: c.handling_department_id == w.dept.pk),
        ("other_clerk", lambda c, w: c.handling_department_id == w.other_dept.pk),
    ],
)
def test_cmp4_department_figures_keep_the_scope(world, role, sees):
    rows = _sample(world, n=120)
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    start, end = today - timedelta(days=25), today
    lo, hi = datetime.combine(start, time.min, tz), datetime.combine(end, time.max, tz)
    expected = _expected([c for c in rows if sees(c, world)], lo, hi)
    assert _got(complaints_for(world.user(role)), start, end) == expected
