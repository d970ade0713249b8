# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value"
"""The complaint pages a clerk or a citizen reads, looked at in a real browser (screenshots under
test-results/screenshots/): department statistics, the published monthly figures, tracking by number
and code, the office queue and the department's order (complainant hidden)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from conftest import login, screenshot
from xiaoneng.complaints.actions.acceptance import complaint_accept
from xiaoneng.complaints.actions.closure import complaint_callback
from xiaoneng.complaints.actions.dispatch import complaint_dispatch
from xiaoneng.complaints.actions.intake import complaint_submit
from xiaoneng.complaints.actions.reply import complaint_reply
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.publication import figures_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _loop(world, n: int, *, satisfied: bool = True) -> Complaint:
    office = world.user("supervisor")
    reg = complaint_submit(
        kind="efficiency",
        title=f"窗口办事拖延{n}",
        content="窗口工作人员要求重复提交材料，办理拖延。",
        name="赵先生",
        phone="13900000021",
        department=world.dept,
        hide_from_department=True,
    )
    c = complaint_accept(complaint=reg.complaint, actor=office)
    c = complaint_dispatch(complaint=c, actor=office, department=world.dept)
    c = complaint_reply(complaint=c, actor=world.user("clerk"), text="已核实并整改，向您致歉。", substantiated=True)
    return complaint_callback(complaint=c, actor=office, satisfaction="satisfied" if satisfied else "basic")


def test_statistics_published_figures_and_tracking_pages(page, world):
    # given last month's loop of six complaints (one only basically satisfied) and one open this month
    for n in range(6):
        _loop(world, n, satisfied=n != 0)
    first = timezone.localdate().replace(day=1)
    last_month = timezone.make_aware(datetime.combine(first - timedelta(days=3), time(10)))
    Complaint.objects.update(received_at=last_month)
    open_one = complaint_submit(
        kind="request", title="路灯不亮", content="人民路88号门前路灯已坏三天。", name="钱女士", phone="13700000001"
    )
    assert figures_publish() >= 1

    # the department statistics (office)
    sign_in(page, "supervisor")
    page.goto(page.base + f"/workbench/complaints/statistics/?start={(first - timedelta(days=40)).isoformat()}")
    assert world.dept.name in page.locator("main table").inner_text()
    screenshot(page, "complaints-stats-office")
    page.goto(page.base + "/workbench/complaints/?status=open")
    screenshot(page, "complaints-office-list")

    # the department sees its own orders, with the complainant hidden
    sign_in(page, "dept_head")
    page.goto(page.base + "/workbench/orders/")
    assert "赵先生" not in page.content()
    screenshot(page, "complaints-department-list")

    # the public monthly figures: last month's row and its departments, with sample sizes
    page.context.clear_cookies()
    year = (first - timedelta(days=3)).year
    page.goto(page.base + f"/complaints/statistics/?year={year}")
    text = page.locator("main").inner_text()
    assert (first - timedelta(days=3)).strftime("%Y-%m") in text
    assert "n=6" in text
    screenshot(page, "complaints-public-monthly")

    # tracking by number + code: a wrong code learns nothing; the right one shows plain steps
    page.goto(page.base + "/complaints/track/")
    page.fill("#id_number", open_one.complaint.number)
    page.fill("#id_code", "WRONG1")
    page.click("main form button[type=submit]")
    assert "不正确" in page.locator("[role=alert]").inner_text()
    page.fill("#id_code", open_one.code)
    page.click("main form button[type=submit]")
    assert "已登记" in page.locator("#steps").inner_text()
    assert "钱女士" not in page.content()
    screenshot(page, "complaints-track-open")
