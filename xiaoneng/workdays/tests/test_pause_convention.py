"""Issue 9: the pause convention, with worked examples (行政许可法 第四十五条: the time a hearing,
testing, expert review … needs is not counted in the limit).

Convention (deadline.py, explained to users by explain.py): every day from the day the clock is
paused to the day it resumes, both included, is left out of the count; counting resumes the day
after the resumption. So a pause begun and ended on one working day excludes that working day.

The base case for most examples: 20 working days from Monday 2026-11-02, due Monday 2026-11-30
(11-03 … 11-06, 11-09 … 11-13, 11-16 … 11-20, 11-23 … 11-27, 11-30; no holiday in between).
"""

from datetime import date

import pytest

from xiaoneng.workdays.choices import PauseReason
from xiaoneng.workdays.explain import clock_explain
from xiaoneng.workdays.services import clock_pause, clock_resume
from xiaoneng.workdays.tests.conftest import at

pytestmark = pytest.mark.django_db


def _paused(make_clock, spans, *, start="2026-11-02", limit=20, unit="wd"):
    clock = make_clock(limit=limit, unit=unit, started_at=at(start, 9))
    for (d0, h0), (d1, h1) in spans:
        clock_pause(clock=clock, reason=PauseReason.HEARING, at=at(d0, h0))
        clock_resume(clock=clock, at=at(d1, h1))
    clock.refresh_from_db()
    return clock


def test_without_pause_due_monday_11_30(make_clock):
    assert _paused(make_clock, []).due_date == date(2026, 11, 30)


def test_a_one_day_pause_excludes_one_working_day(make_clock):
    # a hearing on Wednesday 11-04 from 10:00 to 16:00: 11-04 is not counted
    clock = _paused(make_clock, [(("2026-11-04", 10), ("2026-11-04", 16))])
    assert clock.due_date == date(2026, 12, 1)
    line = next(x for x in clock_explain(clock).lines if x.startswith("暂停："))
    assert "2026-11-04（周三） 至 2026-11-04（周三）" in line
    assert "暂停当日至恢复当日均不计入期限" in line
    assert "共扣除1个工作日" in line


def test_a_pause_overnight_excludes_both_days(make_clock):
    # paused Wednesday 11-04 at 15:00, resumed Thursday 11-05 at 09:00: neither day was a full
    # working day for the handling, both are left out
    clock = _paused(make_clock, [(("2026-11-04", 15), ("2026-11-05", 9))])
    assert clock.due_date == date(2026, 12, 2)


def test_a_pause_across_a_weekend_excludes_only_its_working_days(make_clock):
    # Friday 11-06 15:00 → Monday 11-09 10:00: Friday and Monday (the weekend was no working day)
    clock = _paused(make_clock, [(("2026-11-06", 15), ("2026-11-09", 10))])
    assert clock.due_date == date(2026, 12, 2)
    assert "共扣除2个工作日" in next(x for x in clock_explain(clock).lines if x.startswith("暂停："))


def test_a_pause_across_a_holiday_excludes_only_its_working_days(make_clock):
    # 20 working days from Monday 2026-09-21: 09-22 … 09-24, 中秋节 09-25 is rest, 09-28 … 09-30
    # (6), National Day 10-01 … 10-07 is rest, 10-08, 10-09, make-up Saturday 10-10, 10-12 … 10-16,
    # 10-19 … 10-23 (19), 10-26: due Monday 10-26
    assert _paused(make_clock, [], start="2026-09-21").due_date == date(2026, 10, 26)
    # paused Wednesday 09-30 → Thursday 10-08: the working days 09-30 and 10-08 are excluded, the
    # holiday was no working day anyway: two working days later, Wednesday 10-28
    clock = _paused(make_clock, [(("2026-09-30", 10), ("2026-10-08", 10))], start="2026-09-21")
    assert clock.due_date == date(2026, 10, 28)
    assert "共扣除2个工作日" in next(x for x in clock_explain(clock).lines if x.startswith("暂停："))


def test_two_pauses_add_up(make_clock):
    # a one-day pause on Tuesday 11-03 (1) and one from Monday 11-09 to Wednesday 11-11 (3):
    # 4 working days later than 11-30, Friday 12-04
    clock = _paused(make_clock, [(("2026-11-03", 10), ("2026-11-03", 17)), (("2026-11-09", 9), ("2026-11-11", 17))])
    assert clock.due_date == date(2026, 12, 4)
    lines = [x for x in clock_explain(clock).lines if x.startswith("暂停：")]
    assert len(lines) == 2
    assert "共扣除1个工作日" in lines[0]
    assert "共扣除3个工作日" in lines[1]


def test_while_paused_the_remaining_days_exclude_the_pause_day(make_clock):
    # paused on Wednesday 11-04: only 11-03 was used, 19 of 20 remain, and the explanation says
    # how counting resumes
    clock = make_clock(limit=20, started_at=at("2026-11-02", 9))
    clock_pause(clock=clock, reason=PauseReason.TESTING, at=at("2026-11-04", 10))
    clock.refresh_from_db()
    assert clock.due_date is None
    assert clock.remaining == 19
    line = next(x for x in clock_explain(clock).lines if x.startswith("暂停中："))
    assert "恢复当日也不计入" in line
    assert "剩余19个工作日" in line


def test_natural_days_follow_the_same_convention(make_clock):
    # 10 natural days from Monday 2026-11-02 end Thursday 11-12; a pause on 11-04 (one day)
    # leaves that day out: Friday 11-13
    assert _paused(make_clock, [], limit=10, unit="nd").due_date == date(2026, 11, 12)
    clock = _paused(make_clock, [(("2026-11-04", 10), ("2026-11-04", 16))], limit=10, unit="nd")
    assert clock.due_date == date(2026, 11, 13)
    assert "共扣除1个自然日" in next(x for x in clock_explain(clock).lines if x.startswith("暂停："))
