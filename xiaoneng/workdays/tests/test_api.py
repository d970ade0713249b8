"""The workdays API: public arithmetic, and the administrator's confirmation of a year (CLK-4, CLK-5)."""

import json
from datetime import date

import pytest

from xiaoneng.core.models import Event
from xiaoneng.workdays.forms import NOTICE_EXAMPLE_2027
from xiaoneng.workdays.models import CalendarDay, CalendarRevision, CalendarYear
from xiaoneng.workdays.tests.conftest import at

pytestmark = pytest.mark.django_db

URL = "/api/workdays/years/2027"


def _state() -> tuple[int, int, int, int]:
    return (
        CalendarDay.objects.count(),
        CalendarRevision.objects.count(),
        CalendarYear.objects.count(),
        Event.objects.count(),
    )


def _post(client, payload):
    return client.post(URL, data=json.dumps(payload), content_type="application/json")


def test_clk2_public_add_and_day(client, world):
    r = client.get("/api/workdays/add", {"start": "2026-02-10", "days": 20})
    assert r.status_code == 200
    assert r.json()["due"] == "2026-03-16"
    assert client.get("/api/workdays/day", {"on": "2026-02-14"}).json()["is_workday"] is True
    assert client.get("/api/workdays/add", {"start": "1900-01-01", "days": 1}).status_code == 400


def test_clk4_public_years_list(client, world):
    years = {y["year"]: y for y in client.get("/api/workdays/years").json()}
    assert years[2027]["status"] == "missing"
    assert years[2026]["status"] == "confirmed"


@pytest.mark.parametrize("role", ["applicant", "clerk", "reviewer", "dept_head", "legal", "supervisor", "leader"])
def test_clk4_confirm_year_api_refuses_non_administrators(client, world, role):
    client.force_login(world.user(role))
    before = _state()
    # even a malformed payload gets 403, not a parse report
    assert _post(client, {"notice_ref": "x", "text": NOTICE_EXAMPLE_2027}).status_code == 403
    assert _post(client, {"notice_ref": "x", "text": "bad"}).status_code == 403
    assert _state() == before


def test_confirm_year_api_needs_sign_in(client, world):
    assert _post(client, {"notice_ref": "x", "text": NOTICE_EXAMPLE_2027}).status_code == 401


def test_clk4_confirm_year_api_reports_each_bad_line_and_changes_nothing(client, world):
    client.force_login(world.user("admin"))
    before = _state()
    r = _post(
        client, {"notice_ref": "国办发明电〔2026〕7号", "text": "元旦：2027-01-01\n春节：2027-02-30\n上班：2027-01-05"}
    )
    assert r.status_code == 400
    body = r.json()
    assert body["detail"] == "放假安排有误，未做任何修改。"
    assert body["errors"] == [
        {"line": 2, "message": "无法识别的日期“2027-02-30”。"},
        {"line": 3, "message": "2027-01-05 是周一至周五，不能作为调休上班日。"},
    ]
    assert _state() == before


def test_clk4_confirm_year_api_requires_a_notice_reference(client, world):
    client.force_login(world.user("admin"))
    before = _state()
    r = _post(client, {"notice_ref": " ", "text": NOTICE_EXAMPLE_2027})
    assert r.status_code == 400
    assert "请填写通知文号。" in json.dumps(r.json(), ensure_ascii=False)
    assert _state() == before


def test_clk4_clk5_confirm_year_api_enters_the_year_and_recomputes(client, world, make_clock):
    clock = make_clock(limit=10, started_at=at("2026-12-21"))
    client.force_login(world.user("admin"))
    r = _post(client, {"notice_ref": "国办发明电〔2026〕7号", "text": NOTICE_EXAMPLE_2027})
    assert r.status_code == 200
    body = r.json()
    assert body["year"] == 2027
    assert "2027-01-01" in body["holidays"]
    assert body["makeup"][0] == "2027-01-31"
    assert "重算1个时限" in body["note"]
    clock.refresh_from_db()
    assert clock.due_date == date(2027, 1, 5)
    assert clock.calendar_revision == body["revision"]
    assert client.get("/api/workdays/day", {"on": "2027-01-01"}).json() == {
        "date": "2027-01-01",
        "is_workday": False,
        "provisional": False,
    }
