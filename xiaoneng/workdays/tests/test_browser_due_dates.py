"""Browser journey (issue 9): 赵先生 follows his complaint on the public tracking page and the office
looks at it on the workbench — both show the same reply deadline, the clock's due day; and the
queue's legend gives "即将到期" the colour of its pill."""

import re

import pytest

from conftest import screenshot
from xiaoneng.complaints.actions.acceptance import complaint_accept
from xiaoneng.complaints.actions.dispatch import complaint_dispatch
from xiaoneng.complaints.actions.intake import complaint_submit
from xiaoneng.workdays.due import clock_due_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass-Word-2026")
    page.click("#main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_issue9_public_tracking_page_and_staff_page_show_the_same_reply_deadline(page, world):
    # given a dispatched complaint (5 working days to reply)
    reg = complaint_submit(
        kind="efficiency",
        title="营业执照申请超期未办结",
        content="我的营业执照申请已超过承诺时限，窗口两次要求我提交同一份租赁合同。",
        name="赵先生",
        phone="13900000021",
        department=world.dept,
    )
    c = complaint_accept(complaint=reg.complaint, actor=world.user("supervisor"))
    c = complaint_dispatch(complaint=c, actor=world.user("supervisor"), department=world.dept)
    due = str(clock_due_date(c.reply_clock))
    # when 赵先生 looks it up
    page.goto(page.base + "/complaints/track/")
    page.fill("#id_number", c.number)
    page.fill("#id_code", reg.code)
    page.click("form.card button[type=submit]")
    public = page.locator("#due").inner_text()
    screenshot(page, "issue9-complaint-track-due")
    # and the efficiency office opens the complaint
    sign_in(page, "supervisor")
    page.goto(page.base + f"/workbench/complaints/{c.pk}/")
    staff = page.locator("#reply-due").inner_text()
    # then both show the clock's due day
    shown = re.search(r"\d{4}-\d{2}-\d{2}", public)
    assert shown is not None
    assert shown.group(0) == staff == due


def test_issue9_queue_legend_is_drawn_from_the_pill_colours(page, world):
    sign_in(page, "clerk")
    page.goto(page.base + "/workbench/cases/")
    legend = page.locator("#queue-legend .pill")
    colours = [legend.nth(i).get_attribute("data-legend-colour") for i in range(legend.count())]
    assert colours == ["red", "yellow", "green", "grey"]
    yellow = page.locator('#queue-legend .pill[data-legend-colour="yellow"]')
    assert "临近到期" in yellow.inner_text()
    # the yellow of the legend is the yellow of a pill (the same CSS class)
    assert "yellow" in (yellow.get_attribute("class") or "")
