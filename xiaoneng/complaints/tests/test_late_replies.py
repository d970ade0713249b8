# mypy: disable-error-code="union-attr,arg-type,misc,operator"
# (tests follow nullable clocks that the fixtures always set)
"""One definition of a late reply (CMP-2 / CMP-4, issue 9): a complaint still open past its reply
limit is late, not only one replied late. The on-time rate (staff and public statistics, the leader's
page) counts it, and it is the same complaint the supervision scan puts on the public overdue list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xiaoneng.complaints.actions.reply import complaint_reply
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.selectors import department_stats, reply_late_q
from xiaoneng.complaints.tests.conftest import age_clock, dispatched
from xiaoneng.supervision.alerts.scan import scan
from xiaoneng.supervision.selectors import overdue_public

pytestmark = pytest.mark.django_db


def test_an_open_complaint_past_its_limit_is_late_in_the_rate_and_on_the_overdue_list(world):
    # given a department with one complaint replied on time and one still open past its reply limit
    on_time = dispatched(world)
    complaint_reply(complaint=on_time, actor=world.user("clerk"), text="已经处理完毕，谢谢监督。", substantiated=False)
    late = dispatched(world, title="投诉迟迟无人答复")
    clock = age_clock(late.reply_clock_id, 30)
    assert clock.due_at < timezone.now()
    # when the supervision scan runs, the late one is on the public overdue list (SUP-4)
    scan()
    listed = {a.clock_id for a in overdue_public()}
    assert late.reply_clock_id in listed
    assert on_time.reply_clock_id not in listed
    # then the statistics count it late: 50 % on time, not 100 %
    today = timezone.localdate()
    dept = {f.key: f for f in department_stats(Complaint.objects.all(), start=today, end=today)}[world.dept.pk]
    assert (dept.replied, dept.on_time, dept.due_reply, dept.late) == (1, 1, 2, 1)
    assert dept.on_time_rate == 50.0
    assert dept.reply_rate == 50.0
    assert not dept.meets_reply_target
    # the same complaints by the one definition, in both places
    assert set(Complaint.objects.filter(reply_late_q()).values_list("reply_clock_id", flat=True)) == {
        late.reply_clock_id
    }
    # and the staff statistics page shows it
    c = Client()
    c.force_login(world.user("supervisor"))
    page = c.get("/workbench/complaints/statistics/").content.decode()
    row = page.split(world.dept.name, 1)[1].split("</tr>", 1)[0]
    # reply rate and on-time rate, each 1 of 2 replies due
    assert row.count('50.0% <span class="muted">(n=2)</span>') == 2


def test_a_complaint_within_its_limit_is_not_yet_due(world):
    # a dispatched complaint with time left counts in neither rate: the department is not late yet
    dispatched(world)
    today = timezone.localdate()
    dept = department_stats(Complaint.objects.all(), start=today, end=today)[0]
    assert (dept.due_reply, dept.on_time_rate, dept.reply_rate) == (0, None, None)
    # a reply after the limit is late too
    c = dispatched(world)
    age_clock(c.reply_clock_id, 30)
    complaint_reply(complaint=c, actor=world.user("clerk"), text="已经处理完毕，谢谢监督。", substantiated=False)
    assert Complaint.objects.filter(reply_late_q(timezone.now() + timedelta(days=1))).count() == 1
