"""Browser journey (issue 10): 王主任 opens the supervision dashboard; an obligation in its reminder
(提醒, "即将到期") is counted among the yellow lights, as its pill is yellow, and a paused one is
not a light at all but in the by-kind table's 暂停 column (LAD-COLOUR, SUP-1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import login, screenshot
from xiaoneng.supervision.tests.conftest import make_clock, run_scan
from xiaoneng.workdays.ladder import AlertLevel
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_pause
from xiaoneng.workdays.urgency import clock_urgency

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_counts_a_reminder_as_a_yellow_light_and_a_paused_clock_apart(page, world):
    # given three obligations of one family: one running normally, one whose reminder the scan has
    # raised, and one paused
    start = timezone.now() - timedelta(days=1)
    normal = make_clock(world, start=start, limit=40, kind="ladder.normal")
    soon = make_clock(world, start=start, limit=10, kind="ladder.soon")
    paused = make_clock(world, start=start, limit=40, kind="ladder.paused")
    assert soon.remind_at is not None
    assert normal.remind_at is not None
    assert soon.remind_at < normal.remind_at
    run_scan(now=soon.remind_at)
    clock_pause(clock=paused, reason="supplement")
    soon.refresh_from_db()
    assert soon.alert_level == AlertLevel.REMIND
    assert clock_urgency(soon, soon.remind_at).colour == "yellow"
    assert Clock.objects.filter(status="running").count() == 2
    # when the efficiency office opens the dashboard
    login(page, "supervisor")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(page.base + "/supervision/")
    screenshot(page, "issue10-dashboard-lights")
    # then the reminder is a yellow light, not a green one, and the paused clock is no light
    assert page.locator("#n-green").inner_text() == "1"
    assert page.locator("#n-light-yellow").inner_text() == "1"
    assert page.locator("#n-light-red").inner_text() == "0"
    # and the by-kind table puts it in the 暂停 column
    headers = page.locator("#kind-table thead th").all_inner_texts()
    cells = page.locator("#kind-table tbody tr").first.locator("td").all_inner_texts()
    row = dict(zip(headers, cells, strict=True))
    assert (row["绿灯"], row["黄灯"], row["红灯（逾期）"], row["暂停"], row["合计"]) == ("1", "1", "0", "1", "3")
