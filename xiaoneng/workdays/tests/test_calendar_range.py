"""Issue 9: working-day arithmetic outside the calendar's span raised nothing and returned a wrong
date (a start before 2004 counted from the first working day of 2004). Every query now raises
CalendarRangeError — a ValidationError, so a form or the API turns it into a clear 400."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from xiaoneng.supervision.alerts.external import external_system_create
from xiaoneng.supervision.models import ExternalObligation
from xiaoneng.workdays.calendar import CalendarRangeError, get_calendar
from xiaoneng.workdays.models import Clock

pytestmark = pytest.mark.django_db


def test_clk2_a_start_before_the_calendar_raises_instead_of_counting_from_its_first_day():
    cal = get_calendar()
    assert cal.first == date(2004, 1, 1)
    # before: 5 working days after 2003-06-02 gave 2004-01-08, the 5th working day of 2004
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(date(2003, 6, 2), 5)
    with pytest.raises(CalendarRangeError):
        cal.count_working_days(date(2003, 6, 2), date(2004, 3, 1))


def test_clk2_counting_back_from_past_the_calendar_raises():
    cal = get_calendar()
    # before: counting back from far past the horizon returned a date near the horizon
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(cal.last + timedelta(days=400), -3)
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(cal.last - timedelta(days=3), 10)


@pytest.mark.parametrize(
    "call",
    [
        lambda cal: cal.is_workday(date(2003, 12, 31)),
        lambda cal: cal.is_workday(cal.last + timedelta(days=1)),
        lambda cal: cal.next_workday_on_or_after(date(2003, 12, 1)),
        lambda cal: cal.add_natural_days(cal.last, 30),
        lambda cal: cal.rest_days(date(2003, 12, 1), date(2004, 1, 10)),
        lambda cal: cal.count_working_days(date(2026, 1, 1), cal.last + timedelta(days=1)),
        lambda cal: cal.add_working_days(date(1, 1, 1), 0),
        lambda cal: cal.add_working_days(date(9999, 12, 31), 0),
    ],
)
def test_every_sibling_query_refuses_a_date_outside_the_calendar(call):
    with pytest.raises(CalendarRangeError) as e:
        call(get_calendar())
    # a named error, a ValidationError with a translated message that cites no rule ID
    assert isinstance(e.value, ValidationError)
    assert isinstance(e.value, ValueError)
    assert e.value.code == "calendar_range"
    message = e.value.messages[0]
    assert "日期超出工作日历范围（2004-01-01 至" in message
    assert "CLK" not in message


def test_the_edges_of_the_calendar_still_work():
    cal = get_calendar()
    # counting from the day before the first year reads only days of the calendar
    assert cal.add_working_days(date(2003, 12, 31), 1) == date(2004, 1, 2)  # 01-01 元旦
    assert cal.count_working_days(date(2003, 12, 31), date(2004, 1, 2)) == 1
    assert cal.add_working_days(cal.last + timedelta(days=1), -1) <= cal.last


def test_api_add_out_of_range_is_a_clear_400(client):
    r = client.get("/api/workdays/add", {"start": "2026-12-01", "days": 100000})
    assert r.status_code == 400
    assert "日期超出工作日历范围" in r.json()["detail"]
    r = client.get("/api/workdays/add", {"start": "0001-01-01", "days": 1})
    assert r.status_code == 400


def test_a_caller_taking_user_input_answers_400_and_writes_nothing(client, world):
    # given another system registering an obligation of 3650 working days (its maximum): it ends
    # past the calendar's horizon, which was a 500
    _system, key = external_system_create(
        actor=world.user("admin"), tenant=world.city, code="ggzy", name="公共资源交易"
    )
    data = {
        "external_id": "GG-9",
        "title": "资金支付",
        "department_credit_code": world.dept.credit_code,
        "limit": 3650,
        "unit": "wd",
        "started_at": "2026-10-12T09:00:00+08:00",
    }
    r = client.post("/api/supervision/external/obligations", data, content_type="application/json", HTTP_X_API_KEY=key)
    # then a clear, translated 400, and no obligation nor clock
    assert r.status_code == 400, r.content
    assert "日期超出工作日历范围" in str(r.json()["detail"])
    assert ExternalObligation.objects.count() == 0
    assert Clock.objects.count() == 0
