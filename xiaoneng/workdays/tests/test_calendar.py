from datetime import date, timedelta

import chinese_calendar
import pytest

from xiaoneng.workdays.calendar import CalendarRangeError, get_calendar

pytestmark = pytest.mark.django_db


def test_clk3_clk4_calendar_matches_chinese_calendar_for_every_day_2004_2026():
    # CLK-3/CLK-4: the seeded table agrees with chinese_calendar on every single day
    cal = get_calendar()
    d = date(2004, 1, 1)
    mismatches = []
    while d <= date(2026, 12, 31):
        if cal.is_workday(d) != chinese_calendar.is_workday(d):
            mismatches.append(d)
        d += timedelta(days=1)
    assert mismatches == []


def test_clk2_twenty_working_days_after_2026_02_10_is_2026_03_16():
    assert get_calendar().add_working_days(date(2026, 2, 10), 20) == date(2026, 3, 16)


def test_clk2_start_day_excluded_and_counting_back():
    cal = get_calendar()
    # Friday 2026-11-20 + 1 working day = Monday 2026-11-23
    assert cal.add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)
    assert cal.add_working_days(date(2026, 11, 23), -1) == date(2026, 11, 20)
    assert cal.count_working_days(date(2026, 11, 20), date(2026, 11, 23)) == 1


def test_clk3_2026_makeup_days_are_working_days():
    cal = get_calendar()
    for d in ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]:
        assert cal.is_workday(date.fromisoformat(d)), d


def test_clk4_missing_year_is_provisional_weekdays_less_the_statutory_holidays():
    cal = get_calendar()
    assert 2027 in cal.provisional_years
    assert 2026 not in cal.provisional_years
    # issue 9: 2027-01-01 is a Friday and 元旦 by law (放假办法 第二条): not a working day, even
    # before the State Council publishes the 2027 schedule; an ordinary Monday still is
    assert not cal.is_workday(date(2027, 1, 1))
    assert not cal.is_workday(date(2027, 1, 2))
    assert cal.is_workday(date(2027, 1, 4))
    info = cal.day_info(date(2027, 1, 1))
    assert info is not None
    assert (info.kind, info.name, info.provisional) == ("holiday", "元旦", True)


def test_clk2_add_working_days_refuses_to_leave_the_calendar():
    cal = get_calendar()
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(cal.last - timedelta(days=3), 10)
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(cal.first + timedelta(days=3), -10)
    assert cal.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 14)
    # counting back across the Spring Festival: the working day before 02-24 is make-up Saturday 02-14
    assert cal.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
