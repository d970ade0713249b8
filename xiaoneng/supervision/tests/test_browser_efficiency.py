# mypy: disable-error-code="union-attr,arg-type,misc,attr-defined"
"""Browser journey (journeys.md, 陈书记): one page with the index by unit, the public warning list,
the bottom-ranked units and their rectifications, the month's complaints and ratings; everything
drills down — from a unit's score to its deductions and from a deduction to the alerts behind it.
Then 王主任 issues the month's bulletin and the public sees the warning list (SUP-3, SUP-5)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import login, screenshot
from xiaoneng.oversight.services import rectification_open
from xiaoneng.supervision.choices import Level
from xiaoneng.supervision.efficiency import efficiency_compute, month_start
from xiaoneng.supervision.models import Bulletin

from .test_efficiency import alert, complaint, rating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_leader_one_page_drills_down_and_office_issues_bulletin(page, world):
    # given this month: 住建局 has three red cards and a substantiated complaint, 市场监管局 a yellow one
    now = timezone.now()
    reds = [alert(world, Level.RED, dept=world.other_dept, at=now) for _i in range(3)]
    alert(world, Level.YELLOW, at=now)
    complaint(world, dept=world.other_dept, at=now)
    for level in (5, 4, 2):
        rating(world, level, at=now)
    rectification_open(
        department=world.other_dept, title="红牌整改：招标文件备案超期", problem="超过承诺时限", source=reds[0]
    )
    efficiency_compute(tenant=world.city, month=month_start(timezone.localdate()), now=now)
    # when 陈书记 opens her one page from the workbench menu
    sign_in(page, "leader")
    page.goto(page.base + "/workbench/")
    page.click("nav.sidebar >> text=领导一页通")
    page.wait_for_selector("#chart-leader canvas")
    assert page.locator("h1").inner_text().startswith("领导一页通")
    public = page.locator("#public-list").inner_text()
    assert "住建局" in public and "65.0" in public
    bottom = page.locator("#bottom").inner_text()
    assert "住建局" in bottom and "红牌整改：招标文件备案超期" in bottom and "整改中 1 项" in bottom
    assert "投诉 1 件，属实 1 件" in page.locator("#n-reply").locator("..").inner_text()
    assert page.locator("#n-satisfaction").inner_text() == "66.7%"
    screenshot(page, "efficiency-leader-page")
    # the average drills down to the index by unit
    page.click("#n-average a")
    page.wait_for_selector("#chart-index canvas")
    assert page.locator("#index-table tbody tr").count() == 4
    screenshot(page, "efficiency-index")
    page.go_back()
    page.wait_for_selector("#bottom")
    # then she drills down: the unit's score → its deductions → the red cards behind them
    page.click("#bottom >> text=住建局")
    page.wait_for_selector("#deductions")
    assert page.locator("#score").inner_text() == "65.0"
    assert "红牌3张，每张扣10分" in page.locator("#deductions").inner_text()
    screenshot(page, "efficiency-score")
    page.click("#deductions >> text=红牌")
    page.wait_for_selector("#records")
    assert page.locator("#records tbody tr").count() == 3
    screenshot(page, "efficiency-deduction")
    page.locator("#records a").first.click()
    page.wait_for_url(lambda url: "/supervision/alerts/" in url)
    # 王主任 issues the month's bulletin; the leader reads it
    sign_in(page, "supervisor")
    page.goto(page.base + "/supervision/bulletins/")
    page.click("#new-bulletin button[type=submit]")
    page.wait_for_selector("#issue-form")
    page.fill("#i-remarks", "对列入公开预警的单位予以通报。")
    page.click("#btn-issue")
    page.wait_for_selector("#bulletin-meta strong")
    number = page.locator("#bulletin-meta strong").inner_text()
    assert number.startswith("XNTB-339100-")
    assert Bulletin.objects.get().snapshot["units"]
    page.wait_for_selector("#chart-bulletin canvas")
    screenshot(page, "efficiency-bulletin")
    # and the public sees the warning list without any personal data
    page.context.clear_cookies()
    page.goto(page.base + "/supervision/warnings/")
    listed = page.locator("#warning-list").inner_text()
    assert "住建局" in listed and "赵先生" not in page.content()
    screenshot(page, "efficiency-public-warnings")
