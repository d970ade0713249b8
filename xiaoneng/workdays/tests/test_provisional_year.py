"""Issue 9: a year whose schedule is not announced yet (CLK-4) rests on the holidays the law fixes
(全国年节及纪念日放假办法, 2024: 第二条 the holidays, 第六条 补假 for those on a weekend), stays
marked provisional and says why each day was skipped."""

from datetime import date

import chinese_calendar
import pytest
from django.template.loader import render_to_string

from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.explain import clock_explain
from xiaoneng.workdays.holidays import statutory_holidays
from xiaoneng.workdays.services import clock_stop
from xiaoneng.workdays.tests.conftest import at

pytestmark = pytest.mark.django_db


def _rest(year: int) -> dict[date, str]:
    return {h.day: h.name for h in statutory_holidays(year)}


def test_clk4_one_working_day_after_new_years_eve_is_the_next_monday_not_new_years_day():
    # given 2027 has no announced schedule
    cal = get_calendar()
    assert cal.is_provisional(date(2027, 1, 4))
    # when 1 working day is added to Thursday 2026-12-31
    # then 元旦 (Friday 01-01) and the weekend are skipped: Monday 2027-01-04 (was 2027-01-01)
    assert cal.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_clk4_fixed_date_holidays_of_2027_and_their_make_up_days_off():
    rest = _rest(2027)
    # 劳动节 1–2 May fall on Saturday and Sunday: made up on Monday 3 and Tuesday 4 May (第六条)
    assert rest[date(2027, 5, 1)] == rest[date(2027, 5, 2)] == "劳动节"
    assert rest[date(2027, 5, 3)] == rest[date(2027, 5, 4)] == "劳动节补假"
    assert date(2027, 5, 5) not in rest
    # 国庆节 1–3 October (Friday–Sunday): two days made up, Monday 4 and Tuesday 5 October
    assert [rest.get(date(2027, 10, d)) for d in range(1, 7)] == [
        "国庆节",
        "国庆节",
        "国庆节",
        "国庆节补假",
        "国庆节补假",
        None,
    ]
    cal = get_calendar()
    # Thursday 2027-09-30 + 1 working day: 10-01 … 10-05 rest, so Wednesday 10-06
    assert cal.add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 6)
    # 2028-01-01 is a Saturday: made up on Monday 01-03
    assert _rest(2028)[date(2028, 1, 3)] == "元旦补假"


def test_clk4_lunar_holidays_of_2027_from_the_lunar_calendar():
    rest = _rest(2027)
    # 春节: 除夕 02-05 (Friday) and 正月初一 to 初三 (02-06 … 02-08), two of them on the weekend
    assert [rest.get(date(2027, 2, d)) for d in range(4, 12)] == [
        None,
        "春节",
        "春节",
        "春节",
        "春节",
        "春节补假",
        "春节补假",
        None,
    ]
    assert rest[date(2027, 4, 5)] == "清明节"  # the 清明 solar term
    assert rest[date(2027, 6, 9)] == "端午节"  # 五月初五
    assert rest[date(2027, 9, 15)] == "中秋节"  # 八月十五


@pytest.mark.parametrize("year", [2025, 2026])
def test_clk4_the_rule_matches_the_announced_schedules_under_the_2024_amendment(year):
    # every day the provisional rule rests on was a rest day of the announced 2025 and 2026
    # schedules (chinese-calendar's data): the rule never invents a holiday
    rest = _rest(year)
    assert len([d for d, name in rest.items() if not name.endswith("补假")]) == 13  # 1+4+1+2+1+1+3
    assert [d for d in rest if chinese_calendar.is_workday(d)] == []


def test_clk4_explanation_names_each_provisional_holiday_and_why(make_clock, freeze_now):
    # given a 20-working-day clock started on Monday 2026-12-21, due in unannounced 2027
    freeze_now(at("2026-12-21", 9))
    clock = make_clock(limit=20, started_at=at("2026-12-21", 9))
    # then 元旦 is skipped: 12-22 … 12-31 is 8 working days, then 01-04 … 01-15 (no 01-01): 01-19
    assert clock.due_date == date(2027, 1, 19)
    assert clock.provisional
    ex = clock_explain(clock)
    line = next(x for x in ex.lines if "元旦" in x)
    assert "2027-01-01（周五）" in line
    assert "暂定" in line
    assert "《全国年节及纪念日放假办法》" in line
    assert ex.provisional
    assert any(x.startswith("暂定：2027年") for x in ex.lines)
    assert not any("CLK-" in x for x in [ex.summary, *ex.lines])


def test_issue9_a_finished_clock_no_longer_shows_provisional(make_clock, client, freeze_now):
    # given a provisional clock, due in 2027
    freeze_now(at("2026-12-21", 9))
    clock = make_clock(limit=20, started_at=at("2026-12-21", 9))
    assert clock.provisional
    assert clock_explain(clock).provisional
    # when the obligation is met
    clock = clock_stop(clock=clock, at=at("2026-12-28", 10))
    # then neither the explanation nor the clock partial shows 暂定 any more
    ex = clock_explain(clock)
    assert not ex.provisional
    assert not any(x.startswith("暂定") for x in ex.lines)

    html = render_to_string("workdays/_clock.html", {"clock": clock})
    assert "clock-provisional" not in html
    assert "按时办结" in html


def test_issue9_an_open_provisional_clock_still_shows_it(make_clock, freeze_now):
    freeze_now(at("2026-12-21", 9))
    clock = make_clock(limit=20, started_at=at("2026-12-21", 9))

    html = render_to_string("workdays/_clock.html", {"clock": clock})
    assert "clock-provisional" in html
    assert 'datetime="2027-01-19"' in html


def test_clk4_provisional_holidays_in_the_year_view(client, world):
    # the administrator's month view of 2027 shows 元旦 and 春节 with their names
    client.force_login(world.user("admin"))
    r = client.get("/workdays/calendar/2027/")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-date="2027-01-01" data-kind="holiday"' in html
    assert 'data-date="2027-02-09" data-kind="holiday"' in html  # 春节补假
    assert "春节补假" in html
    # 261 weekdays less the 13 that are holidays or 补假 by law (01-01, 02-05, 02-08 … 02-10, 04-05,
    # 05-03, 05-04, 06-09, 09-15, 10-01, 10-04, 10-05)
    assert get_calendar().count_working_days(date(2026, 12, 31), date(2027, 12, 31)) == 248
    assert "全年工作日 248 天" in html
