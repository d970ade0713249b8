"""The supervisor dashboard beyond the colour counts: every kind of clock in one place, alerts by
item with drill-down, and days used against the committed and statutory limits (提速率)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from xiaoneng.cases.tests.conftest import _media, accepted, cw  # noqa: F401  (fixtures)
from xiaoneng.supervision.alerts.selectors import dashboard_stats, filter_alerts, speed_stats
from xiaoneng.supervision.models import Alert
from xiaoneng.supervision.tests.conftest import make_clock
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_pause, clock_resume, clock_stop

SH = ZoneInfo("Asia/Shanghai")


def _raise(clock: Clock, level: int, world) -> Alert:
    # the alert row as the scan writes it (the scan itself is tested in test_scan)
    Clock.objects.filter(pk=clock.pk).update(alert_level=level)
    now = timezone.now()
    return Alert.objects.create(
        tenant=world.city, clock=clock, level=level, department=clock.department, region=world.city,
        raised_at=now, threshold_at=now,
    )  # fmt: skip


def test_sup1_every_clock_family_is_watched_in_one_place(world):
    _raise(make_clock(world, kind="case.decision"), 3, world)
    _raise(make_clock(world, kind="complaint.reply"), 2, world)
    make_clock(world, kind="complaint.accept")
    make_clock(world, kind="newapp.obligation")  # a kind no one told the dashboard about
    rows = {r["family"]: r for r in dashboard_stats(world.user("supervisor"))["by_kind"]}
    assert rows["case"]["red"] == 1
    assert rows["case"]["name"] == "办件"
    assert rows["complaint"] == {
        "family": "complaint",
        "name": "投诉工单",
        "green": 1,
        "yellow": 1,
        "red": 0,
        "grey": 0,  # paused (LAD-COLOUR; issue 10)
        "total": 2,
        "late": 0,  # = red: running past the limit
    }
    assert rows["newapp"]["total"] == 1
    # red first
    assert next(iter(rows)) == "case"
    # another county's supervisor sees none of the city's clocks
    assert dashboard_stats(world.user("other_county_supervisor"))["by_kind"] == []


def test_sup1_alerts_by_item_drill_down_to_the_cases(world, cw, client):  # noqa: F811
    case = accepted(world, cw.simple)
    other = accepted(world, cw.parallel)
    assert case.decision_clock is not None
    alert = _raise(case.decision_clock, 3, world)
    _raise(make_clock(world, kind="complaint.reply"), 3, world)
    by_item = dashboard_stats(world.user("supervisor"))["by_item"]
    assert by_item == [{"id": cw.simple.pk, "name": "食品经营许可", "remind": 0, "yellow": 0, "red": 1, "total": 1}]
    alerts = Alert.objects.all()
    assert list(filter_alerts(alerts, item=str(cw.simple.pk))) == [alert]
    assert list(filter_alerts(alerts, item=str(other.item_id))) == []
    assert list(filter_alerts(alerts, kind="case")) == [alert]
    assert alert not in filter_alerts(alerts, kind="complaint")
    client.force_login(world.user("supervisor"))
    assert [a["id"] for a in client.get(f"/api/supervision/alerts?item={cw.simple.pk}").json()] == [alert.pk]
    assert [a["id"] for a in client.get("/api/supervision/alerts?kind=case.decision").json()] == [alert.pk]
    page = client.get(f"/supervision/alerts/?item={cw.simple.pk}&status=open").content.decode()
    assert case.decision_clock.label in page


def test_speed_counts_working_days_used_without_pauses_against_both_limits(world):
    # started Mon 2026-10-12; paused Wed 10-14 → Mon 10-19 (10-14 … 10-19 not counted, the pause
    # convention of issue 9); stopped Wed 10-21: used = 10-13, 10-20, 10-21 = 3 working days (CLK-2, CLK-3)
    clock = make_clock(world, kind="case.decision", limit=10, statutory=20)
    clock_pause(clock=clock, reason="supplement", at=datetime(2026, 10, 14, 10, 0, tzinfo=SH))
    clock_resume(clock=clock, at=datetime(2026, 10, 19, 9, 0, tzinfo=SH))
    clock_stop(clock=clock, at=datetime(2026, 10, 21, 16, 0, tzinfo=SH))
    sp = speed_stats(world.user("supervisor"), now=datetime(2026, 11, 2, tzinfo=SH))
    assert (sp["cases"], sp["avg_used"], sp["avg_committed"], sp["avg_statutory"]) == (1, 3.0, 10.0, 20.0)
    assert sp["committed_speedup"] == 50.0
    assert sp["actual_speedup"] == 85.0
    assert sp["departments"][0]["name"] == world.dept.name
    # outside the window, and outside the scope, nothing
    assert speed_stats(world.user("supervisor"), now=datetime(2027, 3, 1, tzinfo=SH))["cases"] == 0
    assert speed_stats(world.user("other_county_supervisor"), now=datetime(2026, 11, 2, tzinfo=SH))["cases"] == 0


def test_dashboard_page_shows_the_new_sections_and_refreshes_itself(world, client):
    _raise(make_clock(world, kind="complaint.reply"), 2, world)
    client.force_login(world.user("supervisor"))
    html = client.get("/supervision/").content.decode()
    for part in ('id="kind-table"', "投诉工单", 'id="item-table"', "办理用时与提速率", 'hx-trigger="every 60s"'):
        assert part in html
    stats = client.get("/api/supervision/dashboard").json()
    assert {"by_kind", "by_item", "speed"} <= stats.keys()
