"""Issue 9: one Clock, one date, everywhere. A complaint's reply deadline was Saturday 2026-12-12
on the public tracking page and Friday 2026-12-11 on the staff page: the public page formatted
`Clock.due_at` — 00:00 of the day AFTER the due day, the instant it becomes overdue — as a date.
Every page, PDF and API now reads the due date through workdays.due.clock_due_date."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from xiaoneng.complaints.actions.acceptance import complaint_accept
from xiaoneng.complaints.actions.dispatch import complaint_dispatch
from xiaoneng.complaints.actions.intake import complaint_submit
from xiaoneng.workdays.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint_due_friday(world, freeze_now):
    # given a complaint dispatched on Friday 2026-12-04: 5 working days to reply (12-07 … 12-11),
    # due Friday 2026-12-11, overdue from 00:00 on Saturday 12-12
    freeze_now(at("2026-12-04", 10))
    reg = complaint_submit(
        kind="efficiency",
        title="窗口两次要求提交同一份材料",
        content="我在市场监管局窗口办理营业执照，工作人员两次要求我提交同一份租赁合同。",
        name="赵先生",
        phone="13900000021",
        department=world.dept,
    )
    c = complaint_accept(complaint=reg.complaint, actor=world.user("supervisor"))
    c = complaint_dispatch(complaint=c, actor=world.user("supervisor"), department=world.dept)
    assert c.reply_clock is not None
    assert c.reply_clock.due_at is not None
    assert str(c.reply_clock.due_date) == "2026-12-11"
    assert str(timezone.localtime(c.reply_clock.due_at).date()) == "2026-12-12"  # the trap
    return c, reg.code


def test_issue9_complaint_reply_due_is_the_same_on_public_page_staff_pages_and_apis(
    client, world, complaint_due_friday
):
    c, code = complaint_due_friday
    # the public tracking page (it showed 2026-12-12, a Saturday)
    public = client.get("/complaints/track/", {"number": c.number, "code": code}).content.decode()
    assert re.search(r'<p id="due">[^<]*2026-12-11</p>', public), public
    assert "2026-12-12" not in public
    # the public tracking API
    api_public = client.get("/api/complaints/track", {"number": c.number, "code": code}).json()
    assert api_public["due_date"] == "2026-12-11"
    # Open311: the expected instant is the last second of the due day, not the next day's midnight
    o311 = client.get(f"/open311/v2/requests/{c.number}.json")
    assert o311.status_code == 200, o311.content
    assert o311.json()[0]["expected_datetime"].startswith("2026-12-11T23:59:59")
    # the complaints office's page, list and the staff API
    client.force_login(world.user("supervisor"))
    staff = client.get(f"/workbench/complaints/{c.pk}/").content.decode()
    assert '<span id="reply-due">2026-12-11</span>' in staff
    assert "2026-12-11" in client.get("/workbench/complaints/").content.decode()
    assert client.get(f"/api/complaints/complaints/{c.pk}").json()["reply_due"] == "2026-12-11"
    # the handling department's list
    client.force_login(world.user("dept_head"))
    orders = client.get("/workbench/orders/")
    assert orders.status_code == 200
    assert "2026-12-11" in orders.content.decode()
    assert "2026-12-12" not in orders.content.decode()


def test_issue9_no_template_formats_a_clock_instant_or_field_as_its_due_date():
    # every page shows a due date through the clock_due_date filter, never `.due_at|date` (the next
    # day's midnight) nor a hand-picked `.due_date` (the rule: one function). An hour clock's
    # instant as an ISO attribute (`due_at|date:'c'`) is an instant, not a date, and allowed.
    offenders = []
    for path in Path(settings.BASE_DIR, "xiaoneng").rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"due_at\s*\|\s*date(?!:\s*['\"]c['\"])|\.due_date\s*(\||\}\}|%\})", text):
            offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {m.group(0)}")
    assert offenders == []
