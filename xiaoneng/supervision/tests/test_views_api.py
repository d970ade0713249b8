from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from xiaoneng.supervision.alerts.external import external_system_create
from xiaoneng.supervision.alerts.scan import scan
from xiaoneng.supervision.models import Alert, ExternalObligation
from xiaoneng.supervision.tests.conftest import make_clock

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def red_alert(world):
    clock = make_clock(world, limit=3, responsible=world.user("reviewer"))
    scan(now=clock.red_at)
    return Alert.objects.get(clock=clock, level=3)


@pytest.mark.parametrize(
    "username", ["applicant", "other_clerk", "county_clerk", "other_county_supervisor", "county_supervisor", "legal"]
)
def test_alert_pages_and_api_refuse_users_outside_scope(world, client, red_alert, username):
    client.force_login(world.user(username))
    for url in (f"/supervision/alerts/{red_alert.pk}/", f"/api/supervision/alerts/{red_alert.pk}"):
        assert client.get(url).status_code in (403, 404), url
    for action in ("acknowledge", "explain", "resolve", "escalate"):
        r = client.post(f"/api/supervision/alerts/{red_alert.pk}/{action}", {}, content_type="application/json")
        assert r.status_code in (403, 404), action


@pytest.mark.parametrize("username", ["applicant", "clerk", "dept_head", "legal", "admin"])
def test_dashboard_refuses_non_supervisors(world, client, username):
    client.force_login(world.user(username))
    assert client.get("/supervision/").status_code == 403
    assert client.get("/api/supervision/dashboard").status_code == 403


def test_unit_acknowledges_and_explains_supervisor_resolves(world, client, red_alert):
    # the supervisor cannot acknowledge for the unit; the unit cannot resolve
    client.force_login(world.user("supervisor"))
    assert client.post(f"/api/supervision/alerts/{red_alert.pk}/acknowledge").status_code == 403
    client.force_login(world.user("clerk"))
    assert client.post(f"/api/supervision/alerts/{red_alert.pk}/acknowledge").status_code == 200
    r = client.post(f"/api/supervision/alerts/{red_alert.pk}/explain", {"text": "短"}, content_type="application/json")
    assert r.status_code == 400
    assert "至少10个字" in str(r.json())
    text = "因系统故障导致超期，已恢复并加派人手处理。"
    r = client.post(f"/api/supervision/alerts/{red_alert.pk}/explain", {"text": text}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["status"] == "explained"
    assert (
        client.post(f"/api/supervision/alerts/{red_alert.pk}/resolve", {}, content_type="application/json").status_code
        == 403
    )
    client.force_login(world.user("supervisor"))
    r = client.post(f"/api/supervision/alerts/{red_alert.pk}/resolve", {}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["status"] == "resolved"
    # SUP-4: the public page shows the explanation, never the responsible person
    client.logout()
    page = client.get("/supervision/overdue/").content.decode()
    assert text in page
    assert str(world.user("reviewer")) not in page


def test_alert_list_filters_and_dashboard_numbers(world, client, red_alert):
    client.force_login(world.user("supervisor"))
    r = client.get("/supervision/alerts/?level=3")
    assert r.status_code == 200
    assert "红牌" in r.content.decode()
    assert client.get("/api/supervision/alerts?level=1").json()[0]["level"] == 1
    stats = client.get("/api/supervision/dashboard").json()
    assert stats["clocks_by_colour"]["red"] == 1
    # the card was given in October (the clock's month), so this month's cards do not count it
    assert set(stats["cards"]) == {"month", "remind", "yellow", "red"}
    page = client.get("/supervision/").content.decode()
    assert "vendor/echarts.min.js" in page
    assert "dashboard-data" in page
    client.force_login(world.user("other_clerk"))
    assert client.get("/api/supervision/alerts").json() == []
    assert client.get("/supervision/thresholds/").status_code == 200


# --- external obligations --------------------------------------------------------------------


@pytest.fixture
def key(world):
    _system, raw = external_system_create(
        actor=world.user("admin"), tenant=world.city, code="ggzy", name="公共资源交易"
    )
    return raw


def _post(client, url, data, key):
    return client.post(url, data, content_type="application/json", HTTP_X_API_KEY=key)


def test_external_obligation_is_registered_supervised_and_completed(world, client, key):
    # given a payload from the trading system
    started = datetime(2026, 10, 12, 9, 0, tzinfo=SH)
    data = {
        "external_id": "GG-2026-001",
        "title": "工程项目招标公告发布",
        "department_credit_code": world.dept.credit_code,
        "limit": 3,
        "unit": "wd",
        "started_at": started.isoformat(),
    }
    # when it registers twice (a retry) and the scan runs
    r = _post(client, "/api/supervision/external/obligations", data, key)
    assert r.status_code == 201, r.content
    assert _post(client, "/api/supervision/external/obligations", data, key).status_code == 200
    ob = ExternalObligation.objects.get()
    assert ob.clock is not None
    scan(now=ob.clock.red_at)
    # then it is supervised like any clock, and completion stops its clock
    assert Alert.objects.filter(clock=ob.clock, level=3).exists()
    r = _post(client, "/api/supervision/external/obligations/GG-2026-001/complete", {}, key)
    assert r.status_code == 200
    assert r.json()["status"] == "completed"
    ob.clock.refresh_from_db()
    assert ob.clock.status == "stopped"


def test_external_api_refuses_a_bad_key(world, client, key):
    r = _post(client, "/api/supervision/external/obligations", {}, "xnk_wrong")
    assert r.status_code == 401
    r = client.post("/api/supervision/external/obligations", {}, content_type="application/json")
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"limit": "三"}, "limit"),
        ({"limit": 0}, "limit"),
        ({"unit": "weeks"}, "unit"),
        ({"department_credit_code": "91330000000000000X"}, "department_credit_code"),
        ({"started_at": "昨天"}, "started_at"),
        ({"started_at": "2026-10-12T09:00:00"}, "started_at"),
        ({"started_at": (timezone.now() + timedelta(days=2)).isoformat()}, "started_at"),
        ({"title": ""}, "title"),
    ],
)
def test_external_api_bad_payload_is_400_in_chinese_and_writes_nothing(world, client, key, change, field):
    data = {
        "external_id": "GG-1",
        "title": "资金支付",
        "department_credit_code": world.dept.credit_code,
        "limit": 5,
        "unit": "wd",
        "started_at": "2026-10-12T09:00:00+08:00",
        **change,
    }
    r = _post(client, "/api/supervision/external/obligations", data, key)
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert field in detail
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(detail[field]))
    assert ExternalObligation.objects.count() == 0
