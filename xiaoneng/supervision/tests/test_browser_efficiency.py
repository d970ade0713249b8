# mypy: disable-error-code="union-attr,arg-type,misc,attr-defined"
"""Browser journey (journeys.md, 陈书记): one page with the index by unit, the public warning list,
the bottom-ranked units and their rectifications, the month's complaints and ratings; everything
drills down — from a unit's score to its deductions and from a deduction to the alerts behind it.
Then 王主任 issues the month's bulletin and the public sees the warning list (SUP-3, SUP-5)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from conftest import login, screenshot
from xiaoneng.core.actors import SYSTEM
from xiaoneng.oversight.services import rectification_open
from xiaoneng.supervision.bulletins.services import bulletin_create, bulletin_issue
from xiaoneng.supervision.choices import BulletinKind, Level
from xiaoneng.supervision.efficiency.services import efficiency_compute
from xiaoneng.supervision.models import Bulletin, EfficiencyScore
from xiaoneng.supervision.periods import month_start
from xiaoneng.supervision.tests.test_efficiency import alert, complaint, en_catalog, rating

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
        department=world.other_dept,
        title="红牌整改：招标文件备案超期",
        problem="超过承诺时限",
        source=reds[0],
        actor=SYSTEM,
    )
    efficiency_compute(tenant=world.city, month=month_start(timezone.localdate()), now=now)
    # when 陈书记 opens her one page from the workbench menu
    sign_in(page, "leader")
    page.goto(page.base + "/workbench/")
    page.click("nav.sidebar >> text=领导一页通")
    page.wait_for_selector("#chart-leader canvas")
    assert page.locator("h1").inner_text().startswith("领导一页通")
    public = page.locator("#public-list").inner_text()
    assert "住建局" in public
    assert "65.0" in public
    bottom = page.locator("#bottom").inner_text()
    assert "住建局" in bottom
    assert "红牌整改：招标文件备案超期" in bottom
    assert "整改中 1 项" in bottom
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
    assert "住建局" in listed
    assert "赵先生" not in page.content()
    screenshot(page, "efficiency-public-warnings")


# English wording of the stored messages as the integrator will translate them (longer than the
# Chinese: the layout must hold it); patched into the live catalog, so the pages go through gettext
EN = {
    "红牌%(n)s张，每张扣%(p)s分": "%(n)s red cards, %(p)s points deducted for each",
    "黄牌%(n)s张，每张扣%(p)s分": "%(n)s yellow cards, %(p)s points deducted for each",
    "效能投诉经查属实%(n)s件，每件扣%(p)s分": "%(n)s efficiency complaints found substantiated, %(p)s points each",
    "月度得分低于%(n)s分": "Monthly score below %(n)s",
    "提醒 / 黄牌 / 红牌（事项）": "Reminders / yellow / red cards (obligations)",
    "按计分口径：每个事项每月按最高级别计一次": "As scored: each obligation once a month at its highest level",
}


def test_index_score_leader_and_bulletin_read_in_english(page, world):
    now = timezone.now()
    month = month_start(timezone.localdate())
    for _i in range(3):
        alert(world, Level.RED, dept=world.other_dept, at=now)
    alert(world, Level.YELLOW, at=now)
    complaint(world, dept=world.other_dept, at=now)
    efficiency_compute(tenant=world.city, month=month, now=now)
    score = EfficiencyScore.objects.get(department=world.other_dept, month=month)
    office = world.user("supervisor")
    b = bulletin_issue(
        bulletin=bulletin_create(actor=office, region=world.city, kind=BulletinKind.MONTHLY, period=month),
        actor=office,
    )
    with en_catalog(EN):
        sign_in(page, "leader")
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": page.base}])
        page.goto(page.base + "/supervision/efficiency/")
        page.wait_for_selector("#chart-index canvas")
        screenshot(page, "efficiency-index-en")
        page.goto(page.base + f"/supervision/efficiency/score/{score.pk}/")
        deductions = page.locator("#deductions").inner_text()
        assert "3 red cards, 10 points deducted for each" in deductions
        assert "红牌3张" not in page.content()
        assert "Monthly score below 80" in page.content()
        screenshot(page, "efficiency-score-en")
        page.goto(page.base + "/supervision/leader/")
        page.wait_for_selector("#chart-leader canvas")
        assert "Monthly score below 80" in page.locator("#public-list").inner_text()
        screenshot(page, "efficiency-leader-en")
        page.goto(page.base + f"/supervision/bulletins/{b.pk}/")
        page.wait_for_selector("#chart-bulletin canvas")
        assert "Reminders / yellow / red cards (obligations)" in page.locator("#alerts-total").inner_text()
        screenshot(page, "efficiency-bulletin-en")
