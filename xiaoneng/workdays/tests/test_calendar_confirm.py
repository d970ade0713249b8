"""Entering a year from the State Council notice (CLK-3, CLK-4) and recomputing clocks (CLK-5)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaoneng.core.models import Event
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.choices import DayKind, YearSource, YearStatus
from xiaoneng.workdays.forms import NOTICE_EXAMPLE_2027
from xiaoneng.workdays.models import CalendarDay, CalendarRevision, CalendarYear
from xiaoneng.workdays.services import (
    NoticeParseError,
    calendar_confirm_year,
    calendar_missing_next_year,
    calendar_parse_notice,
    clock_stop,
)
from xiaoneng.workdays.tests.conftest import at

pytestmark = pytest.mark.django_db


def _state() -> tuple[int, int, int, int]:
    return (
        CalendarDay.objects.count(),
        CalendarRevision.objects.count(),
        CalendarYear.objects.count(),
        Event.objects.count(),
    )


def test_clk4_example_on_the_page_parses():
    # the format example shown to administrators is itself valid
    holidays, makeup = calendar_parse_notice(year=2027, text=NOTICE_EXAMPLE_2027)
    assert holidays[date(2027, 1, 1)] == "元旦"
    assert holidays[date(2027, 2, 5)] == "春节"
    assert len([d for d, n in holidays.items() if n == "国庆节"]) == 7
    assert sorted(makeup)[0] == date(2027, 1, 31)
    assert all(d.weekday() >= 5 for d in makeup)


def test_clk4_parser_accepts_the_notice_s_own_ways_of_writing_dates():
    text = (
        "元旦：1月1日（周五）至1月3日（周日）\n春节：2027年2月5日 至 2027年2月13日  # 共9天\n补班：2027/1/31，2027.2.20"
    )
    holidays, makeup = calendar_parse_notice(year=2027, text=text)
    assert sorted(holidays)[:3] == [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]
    assert len(holidays) == 3 + 9
    assert set(makeup) == {date(2027, 1, 31), date(2027, 2, 20)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("元旦：2027-01-01\n春节：2027-02-30", "第2行：无法识别的日期“2027-02-30”。"),
        ("元旦：2027-01-03 至 2027-01-01", "第1行：日期范围“2027-01-03至2027-01-01”起止颠倒。"),
        ("元旦：2027-01-01\n调休上班：2027-01-04", "第2行：2027-01-04 是周一至周五，不能作为调休上班日。"),
        ("元旦：2026-12-31、2027-01-01", "第1行：2026-12-31 不属于2027年。"),
        ("元旦：2027-01-01\n\n春节：2027-01-01", "第3行：2027-01-01 已在第1行出现。"),
        ("元旦：2027-01-01\n春节 2027-02-05", "第2行：缺少“名称：日期”中的冒号。"),
        ("元旦：2027-01-01 至 2027-01-30", "第1行：日期范围“2027-01-01至2027-01-30”超过15天，请核对。"),
        ("# 只有注释\n调休上班：2027-01-31", "没有录入任何节假日。"),
    ],
    ids=[
        "bad-date",
        "reversed-range",
        "makeup-on-weekday",
        "other-year",
        "duplicate",
        "missing-colon",
        "too-long",
        "no-holiday",
    ],
)
def test_clk4_malformed_notice_is_rejected_line_by_line_and_changes_nothing(world, text, message):
    # given the calendar as it stands
    before = _state()
    # when an administrator confirms a malformed schedule
    with pytest.raises(NoticeParseError) as exc:
        calendar_confirm_year(year=2027, text=text, notice_ref="国办发明电〔2026〕7号", actor=world.user("admin"))
    # then the error names the line in Chinese, and nothing was written
    assert message in exc.value.messages
    assert _state() == before
    assert 2027 in get_calendar().provisional_years


def test_clk4_every_bad_line_is_reported_at_once(world):
    text = "元旦：2027-13-01\n春节：2027-02-05\n上班：2027-02-08\n国庆节"
    with pytest.raises(NoticeParseError) as exc:
        calendar_parse_notice(year=2027, text=text)
    assert [e.line for e in exc.value.line_errors] == [1, 3, 4]


def test_clk4_notice_reference_and_year_range_are_required(world):
    before = _state()
    with pytest.raises(ValidationError):
        calendar_confirm_year(year=2027, text=NOTICE_EXAMPLE_2027, notice_ref="  ", actor=world.user("admin"))
    with pytest.raises(ValidationError):
        calendar_confirm_year(year=1999, text="元旦：1999-01-01", notice_ref="x", actor=world.user("admin"))
    assert _state() == before


@pytest.mark.parametrize("role", ["clerk", "reviewer", "dept_head", "legal", "supervisor", "leader", "applicant"])
def test_clk4_only_administrators_confirm_a_year(world, role):
    before = _state()
    with pytest.raises(PermissionDenied):
        calendar_confirm_year(year=2027, text=NOTICE_EXAMPLE_2027, notice_ref="x", actor=world.user(role))
    assert _state() == before


def test_clk4_clk5_provisional_clock_is_recomputed_when_the_year_is_confirmed(world, make_clock):
    # given a 35-working-day clock from Monday 2026-12-21 while 2027 is not yet known: weekdays less
    # the holidays by law (元旦 01-01; 春节 02-05 … 02-08 and its 补假 02-09, 02-10), so it is due
    # Monday 2027-02-15, provisional
    clock = make_clock(limit=35, started_at=at("2026-12-21"))
    assert clock.due_date == date(2027, 2, 15)
    assert clock.provisional is True
    old_revision = clock.calendar_revision
    # and a clock that ends in 2026 and a stopped one that would have been affected
    untouched = make_clock(limit=3, started_at=at("2026-11-02"))
    stopped = make_clock(limit=10, started_at=at("2026-12-21"))
    clock_stop(clock=stopped, at=at("2026-12-22"))
    # when the administrator confirms 2027 with the Spring Festival 02-05 … 02-13 and the make-up
    # working day Sunday 01-31
    rev = calendar_confirm_year(
        year=2027, text=NOTICE_EXAMPLE_2027, notice_ref="国办发明电〔2026〕7号", actor=world.user("admin")
    )
    clock.refresh_from_db()
    # then the clock follows the announced swaps: 01-31 counts, 02-11 and 02-12 no longer do: due
    # Tuesday 02-16, no longer provisional, with the new revision
    assert clock.due_date == date(2027, 2, 16)
    assert clock.provisional is False
    assert clock.calendar_revision == rev.number > old_revision
    recomputed = Event.objects.for_subject(clock).get(action="clock.recomputed")
    assert recomputed.before["due_date"] == "2027-02-15"
    assert recomputed.after["due_date"] == "2027-02-16"
    assert recomputed.actor_id == world.user("admin").pk
    # and the change is logged on the revision, with the count of clocks recomputed
    logged = Event.objects.for_subject(rev).get(action="calendar.year_confirmed")
    assert logged.after["recomputed"] == 1
    assert "2027-01-01" in logged.after["holidays"]
    assert "重算1个时限" in rev.note
    # and clocks the year does not affect are left alone
    assert not Event.objects.for_subject(untouched).filter(action="clock.recomputed").exists()
    assert not Event.objects.for_subject(stopped).filter(action="clock.recomputed").exists()
    # and the calendar now knows 2027
    year = CalendarYear.objects.get(year=2027)
    assert (year.status, year.source, year.confirmed_by) == (
        YearStatus.CONFIRMED,
        YearSource.NOTICE,
        world.user("admin"),
    )
    assert CalendarDay.objects.get(date=date(2027, 1, 1)).kind == DayKind.HOLIDAY
    assert CalendarDay.objects.get(date=date(2027, 1, 31)).kind == DayKind.MAKEUP
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    assert not get_calendar().is_workday(date(2027, 1, 1))
    assert get_calendar().is_workday(date(2027, 1, 31))


def test_clk5_replacing_a_year_recomputes_again_and_keeps_history(world, make_clock):
    admin = world.user("admin")
    clock = make_clock(limit=10, started_at=at("2026-12-21"))
    first = calendar_confirm_year(year=2027, text=NOTICE_EXAMPLE_2027, notice_ref="A", actor=admin)
    clock.refresh_from_db()
    assert clock.due_date == date(2027, 1, 5)
    # when a corrected notice makes 01-04 a holiday too
    second = calendar_confirm_year(
        year=2027, text=NOTICE_EXAMPLE_2027.replace("2027-01-03", "2027-01-04"), notice_ref="B", actor=admin
    )
    clock.refresh_from_db()
    # then the clock moves again and records the newer revision; both revisions remain
    assert clock.due_date == date(2027, 1, 6)
    assert clock.calendar_revision == second.number == first.number + 1
    assert Event.objects.for_subject(clock).filter(action="clock.recomputed").count() == 2
    replaced = Event.objects.for_subject(second).get()
    assert replaced.before["notice_ref"] == "A"
    assert "2027-01-04" not in replaced.before["holidays"]


def test_clk4_span_through_a_missing_year_is_provisional_even_if_the_due_year_is_known(world, make_clock):
    # given 2028 confirmed but 2027 still missing
    calendar_confirm_year(year=2028, text="元旦：2028-01-01", notice_ref="x", actor=world.user("admin"))
    # when a clock runs from December 2026 through 2027 into 2028
    clock = make_clock(limit=270, started_at=at("2026-12-28"))
    # then its due date depends on 2027's unknown holidays: provisional
    assert clock.due_date is not None
    assert clock.due_date.year == 2028
    assert clock.provisional is True


def test_clk4_missing_year_is_warned_from_1_november_and_until_entered(world):
    # CLK-4: nothing to warn about before 1 November when the current year is known
    assert calendar_missing_next_year(date(2026, 10, 31)) is None
    assert calendar_missing_next_year(date(2026, 11, 1)) == 2027
    assert calendar_missing_next_year(date(2026, 12, 31)) == 2027
    # still warned in January if nobody entered it
    assert calendar_missing_next_year(date(2027, 1, 15)) == 2027
    calendar_confirm_year(year=2027, text=NOTICE_EXAMPLE_2027, notice_ref="x", actor=world.user("admin"))
    assert calendar_missing_next_year(date(2026, 11, 1)) is None
    assert calendar_missing_next_year(date(2027, 1, 15)) is None


def test_clk4_seeded_holiday_names_fit_the_table():
    # the 2015 anniversary make-up day's label broke the seed on PostgreSQL (varchar(30))
    names = CalendarDay.objects.filter(date__year=2015, kind=DayKind.MAKEUP).values_list("name", flat=True)
    assert "调休上班（抗战胜利70周年纪念日）" in names
    assert max(len(n) for n in CalendarDay.objects.values_list("name", flat=True)) <= 30
