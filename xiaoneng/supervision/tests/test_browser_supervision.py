"""Browser journey (journeys.md, 王主任 and the unit): an overdue obligation turns yellow, then red on
the supervision dashboard (SUP-1); the unit signs for the red alert and explains it (SUP-4); the red
alert's rectification is submitted by the unit, verified and closed by the efficiency office."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import login, screenshot
from xiaoneng.oversight.models import Rectification
from xiaoneng.supervision.alerts.scan import scan
from xiaoneng.supervision.models import Alert
from xiaoneng.workdays.services import clock_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_sup1_sup4_overdue_turns_yellow_then_red_unit_explains_rectification_closes(page, world):
    # given an obligation of 3 working days that started two weeks ago, in the city's 市场监管局
    clock = clock_start(
        owner=world.dept,
        kind="test.obligation",
        label="食品经营许可证核发（张记小吃店）",
        limit=3,
        started_at=timezone.now() - timedelta(days=14),
        department=world.dept,
        responsible=world.user("reviewer"),
    )
    # when the scan reaches its yellow instant, the supervisor's dashboard shows it yellow
    scan(now=clock.warn_at)
    sign_in(page, "supervisor")
    page.goto(page.base + "/supervision/")
    assert page.locator("h1").inner_text() == "电子监察总览"
    # (the live lights of running obligations; the month's cards are tested in test_cards)
    assert page.locator("#n-light-yellow").inner_text() == "1"
    assert page.locator("#n-light-red").inner_text() == "0"
    page.wait_for_selector("#chart-levels canvas")
    screenshot(page, "supervision-dashboard-yellow")
    # and once it is past its limit, red, with the department in the table
    scan(now=clock.red_at)
    page.reload()
    assert page.locator("#n-light-yellow").inner_text() == "0"
    assert page.locator("#n-light-red").inner_text() == "1"
    page.wait_for_selector("#chart-depts canvas")
    screenshot(page, "supervision-dashboard-red")
    # the red alert is on the alert list
    page.goto(page.base + "/supervision/alerts/?level=3&status=open")
    assert "食品经营许可证核发（张记小吃店）" in page.locator("table").inner_text()
    screenshot(page, "supervision-alert-list")

    # then the unit signs for the red alert and explains it
    red = Alert.objects.get(clock=clock, level=3)
    sign_in(page, "clerk")
    page.goto(page.base + "/supervision/alerts/?status=open")
    page.click(f"a[href='/supervision/alerts/{red.pk}/']")
    assert page.locator("#alert-status").inner_text() == "已触发"
    page.click("#btn-ack")
    assert page.locator("#alert-status").inner_text() == "已签收"
    page.fill("#id_text", "短")
    page.click("#btn-explain")
    assert "情况说明至少10个字" in page.locator(".messages").inner_text()
    page.fill("#id_text", "因专家评审意见返回较晚导致超期，已调整流程，今后专家评审同步进行。")
    page.click("#btn-explain")
    assert page.locator("#alert-status").inner_text() == "已说明"
    screenshot(page, "supervision-alert-detail")

    # the red alert opened a rectification: the unit submits what it changed
    rect = Rectification.objects.get()
    page.click(f"a[href='/oversight/{rect.pk}/']")
    assert page.locator("#rect-status").inner_text() == "整改中"
    page.fill("#id_measures", "专家评审与材料审查并行；超期前两个工作日由科长督办。")
    page.fill("#id_text", "已修订内部流程并组织窗口人员培训，附培训签到表。")
    page.click("#btn-submit")
    assert page.locator("#rect-status").inner_text() == "已提交待核验"
    screenshot(page, "oversight-rectification-submitted")

    # and the efficiency office verifies and closes it, then closes the alert
    sign_in(page, "supervisor")
    page.goto(page.base + f"/oversight/{rect.pk}/")
    page.fill("#id_note", "经核查，流程已调整，同意销号。")
    page.click("#btn-verify")
    assert page.locator("#rect-status").inner_text() == "已核验销号"
    screenshot(page, "oversight-rectification-closed")
    page.goto(page.base + f"/supervision/alerts/{red.pk}/")
    page.click("#btn-resolve")
    assert page.locator("#alert-status").inner_text() == "已办结"
    rect.refresh_from_db()
    red.refresh_from_db()
    assert rect.status == "closed"
    assert rect.verified_by == world.user("supervisor")
    assert red.status == "resolved"
    # SUP-4: the public page explains the overdue case, without the person who handled it
    page.goto(page.base + "/supervision/overdue/")
    public = page.locator("main").inner_text()
    assert "专家评审意见返回较晚" in public
    assert str(world.user("reviewer")) not in public
    screenshot(page, "supervision-overdue-public")
