"""Browser journey (journeys.md, 刘工 1): the administrator enters next year's holidays from the notice."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from conftest import screenshot
from xiaoneng.workdays.forms import NOTICE_EXAMPLE_2027
from xiaoneng.workdays.models import CalendarYear
from xiaoneng.workdays.services import clock_pause, clock_start
from xiaoneng.workdays.tests.conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    # conftest.login clicks the first submit button of the page, which is now the language switcher
    # in the top bar; this one submits the login form itself and waits until it has gone through.
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-Word-2026")
    page.click("#main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_clk4_clk5_admin_pastes_previews_and_confirms_2027(page, world):
    # given a provisional clock running into 2027
    clock = clock_start(
        owner=world.dept, kind="test", label="测试", limit=10, started_at=at("2026-12-21"), department=world.dept
    )
    assert clock.provisional
    # when the administrator opens the calendar
    sign_in(page, "admin")
    page.goto(page.base + "/workdays/calendar/")
    assert page.locator("h1").inner_text() == "工作日历"
    # she enters a bad line first and is told which line is wrong
    page.fill("#id_year", "2027")
    page.fill("#id_notice_ref", "国办发明电〔2026〕7号")
    page.fill("#id_text", "元旦：2027-01-01\n调休上班：2027-01-04")
    page.click("#notice-form button[type=submit]")
    assert "第2行：2027-01-04 是周一至周五，不能作为调休上班日。" in page.locator("#notice-errors").inner_text()
    screenshot(page, "workdays-calendar-errors")
    # then pastes the schedule and previews it
    page.fill("#id_text", NOTICE_EXAMPLE_2027)
    page.click("#notice-form button[type=submit]")
    assert "预览：2027年放假安排" in page.locator("h1").inner_text()
    assert page.locator("#holiday-count").inner_text() == "29"
    assert page.locator("#makeup-count").inner_text() == "6"
    assert page.locator("#affected").inner_text() == "1"
    assert not CalendarYear.objects.filter(year=2027).exists()
    screenshot(page, "workdays-calendar-preview")
    # and confirms
    page.click("#confirm-form button[type=submit]")
    # then the year is confirmed, the revision is listed and the clock was recomputed
    assert "已确认2027年放假安排" in page.locator(".messages").inner_text()
    row = page.locator('#years tr[data-year="2027"]')
    assert "已确认" in row.inner_text()
    assert "国办发明电〔2026〕7号" in row.inner_text()
    assert "重算1个时限" in page.locator("#revisions + table").inner_text()
    screenshot(page, "workdays-calendar-confirmed")
    clock.refresh_from_db()
    assert not clock.provisional
    # and the month view shows the new holidays
    page.goto(page.base + "/workdays/calendar/2027/")
    assert page.locator('[data-date="2027-02-08"]').get_attribute("data-kind") == "holiday"
    assert page.locator('[data-date="2027-01-31"]').get_attribute("data-kind") == "makeup"
    screenshot(page, "workdays-calendar-2027")


def test_clock_partial_renders_in_the_workbench(page, world):
    # given three clocks: provisional, paused, and a Spring Festival one with its explanation
    def start(**kw):
        return clock_start(owner=world.dept, kind="test", label="测试", department=world.dept, **kw)

    clocks = [
        start(limit=20, started_at=at("2026-02-10")),
        start(limit=10, started_at=at("2026-12-21")),
        start(limit=10, started_at=at("2026-11-16")),
    ]
    clock_pause(clock=clocks[2], reason="expert_review", at=at("2026-11-18"), expected_days=5)
    clocks[2].refresh_from_db()
    with translation.override("zh-hans"):  # the default language, whatever an earlier test activated
        html = "".join(render_to_string("workdays/_clock.html", {"clock": c}) for c in clocks)
    # when they are shown on a workbench page
    sign_in(page, "admin")
    page.goto(page.base + "/workbench/")
    page.evaluate("html => { document.querySelector('main').innerHTML = html; }", html)
    page.locator("details.clock-explain").first.evaluate("d => d.open = true")
    # then the pills, the provisional mark and the explanation render in Chinese
    assert page.locator(".clock .pill").first.inner_text() == "已超期"
    assert "春节放假" in page.locator("details.clock-explain").first.inner_text()
    screenshot(page, "workdays-clock-partial")
