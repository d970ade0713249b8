"""Browser journey (issue 9): 王主任 reads the same 黄牌 / 红牌 on the supervision dashboard, the
leader's one page and the month's bulletin, and each figure drills down to exactly those cards."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import login, screenshot
from xiaoneng.supervision.bulletins.services import bulletin_create
from xiaoneng.supervision.choices import BulletinKind
from xiaoneng.supervision.efficiency.services import efficiency_compute
from xiaoneng.supervision.tests.test_cards import mixed  # noqa: F401  (fixture: 2 yellow and 1 red card this month, and noise)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_leader_page_and_bulletin_show_the_same_cards(page, mixed):  # noqa: F811
    world = mixed
    month = timezone.localdate().replace(day=1)
    efficiency_compute(tenant=world.city, month=month)
    office = world.user("supervisor")
    b = bulletin_create(actor=office, region=world.city, kind=BulletinKind.MONTHLY, period=month)
    login(page, "supervisor")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # the dashboard
    page.goto(page.base + "/supervision/")
    dash = (page.locator("#n-yellow").inner_text(), page.locator("#n-red").inner_text())
    page.wait_for_selector("#chart-levels canvas")
    screenshot(page, "issue9-cards-dashboard")
    # the leader's one page
    page.goto(page.base + f"/supervision/leader/?month={month:%Y-%m}")
    leader = (page.locator("#n-yellow").inner_text(), page.locator("#n-red").inner_text())
    screenshot(page, "issue9-cards-leader")
    # the bulletin
    page.goto(page.base + f"/supervision/bulletins/{b.pk}/")
    bulletin = (page.locator("#n-yellow").inner_text(), page.locator("#n-red").inner_text())
    screenshot(page, "issue9-cards-bulletin")
    assert dash == leader == bulletin == ("2", "1")
    # and the leader's yellow figure lists exactly those two cards
    page.goto(page.base + f"/supervision/leader/?month={month:%Y-%m}")
    page.click("#n-yellow")
    page.wait_for_url(lambda url: "card=yellow" in url)
    assert "共 2 条" in page.locator(".pagination").inner_text()
    assert page.locator("table tbody tr").count() == 2
