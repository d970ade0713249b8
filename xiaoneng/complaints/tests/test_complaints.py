# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value"
# (tests follow nullable clocks and XML nodes that the fixtures always set)
"""Complaint services: the closed loop (CMP-1), its clocks (CMP-2), refusals (CMP-3), statistics
(CMP-4), the hidden and anonymous complainant, merging, rectification and escalation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoneng.complaints.accountability import accountability_record_open
from xiaoneng.complaints.actions.acceptance import complaint_accept, complaint_merge, complaint_refuse
from xiaoneng.complaints.actions.closure import complaint_callback, complaint_close
from xiaoneng.complaints.actions.dispatch import (
    complaint_dispatch,
    complaint_extend,
    complaint_return,
    complaint_suggest,
)
from xiaoneng.complaints.actions.escalation import complaints_escalate
from xiaoneng.complaints.actions.intake import complaint_register, complaint_submit
from xiaoneng.complaints.actions.reply import complaint_reply
from xiaoneng.complaints.choices import WHERE_TO_GO, Kind, RefusalReason, Satisfaction, Status
from xiaoneng.complaints.clocks import CLOCK_ACCEPT, CLOCK_REPLY, CLOCK_RETURN
from xiaoneng.complaints.models import Complaint, DispatchRule, MonthlyFigure
from xiaoneng.complaints.publication import figures_publish
from xiaoneng.complaints.selectors import complaint_track, department_stats, monthly_figures
from xiaoneng.complaints.tests.conftest import age_clock, dispatched, submit
from xiaoneng.core.models import Event, Notification
from xiaoneng.oversight.models import AccountabilityRecord, Rectification
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_recompute

pytestmark = pytest.mark.django_db


def test_cmp1_closed_loop_from_intake_to_closure_and_lookup_by_number(world, office):
    # given a web complaint
    reg = complaint_submit(
        kind=Kind.EFFICIENCY,
        title="办件超期未办结",
        content="我的营业执照申请已经超过承诺时限十天了，还没有结果。",
        name="赵先生",
        phone="13900000021",
        department=world.dept,
    )
    c = reg.complaint
    # when it goes round the loop
    complaint_accept(complaint=c, actor=office)
    complaint_dispatch(complaint=c, actor=office, department=world.dept)
    complaint_reply(
        complaint=c, actor=world.user("dept_head"), text="已核实并于今日办结，向您致歉。", substantiated=True
    )
    complaint_callback(complaint=c, actor=office, satisfaction=Satisfaction.SATISFIED, note="满意")
    # then it is closed, every step is in the trail, and the number + code find it
    c.refresh_from_db()
    assert c.status == Status.CLOSED
    assert c.replied_on_time is True
    actions = list(Event.objects.for_subject(c).values_list("action", flat=True))
    for a in [
        "complaint.registered",
        "complaint.accepted",
        "complaint.dispatched",
        "complaint.replied",
        "complaint.closed",
    ]:
        assert a in actions
    assert complaint_track(c.number, reg.code) == c
    assert complaint_track(c.number, "WRONG1") is None


def test_cmp1_unsatisfied_callback_reopens_then_second_reply_closes(world, office):
    # given a replied complaint
    c = dispatched(world)
    complaint_reply(complaint=c, actor=world.user("clerk"), text="已经提醒窗口人员注意。", substantiated=False)
    # when the complainant is not satisfied
    c = complaint_callback(complaint=c, actor=office, satisfaction=Satisfaction.UNSATISFIED, note="没有解决")
    # then it reopens at the same department with a new 5-working-day reply clock
    assert c.status == Status.DISPATCHED
    assert c.reopen_count == 1
    assert c.reply_clock.kind == CLOCK_REPLY
    assert c.reply_clock.is_open
    complaint_reply(
        complaint=c, actor=world.user("clerk"), text="已重新核查并当面致歉，材料已退还。", substantiated=True
    )
    c = complaint_callback(complaint=c, actor=office, satisfaction=Satisfaction.SATISFIED)
    assert c.status == Status.CLOSED
    assert c.replies.count() == 2
    assert c.callbacks.count() == 2


def test_cmp2_each_limit_is_a_clock_accept_5_return_2_reply_5_working_days(world, office):
    # given a registered complaint
    c = submit(world)
    # then acceptance is a 5-working-day clock
    assert c.accept_clock.kind == CLOCK_ACCEPT
    assert c.accept_clock.limit == 5
    assert c.accept_clock.unit == "wd"
    # when dispatched
    complaint_accept(complaint=c, actor=office)
    c = complaint_dispatch(complaint=c, actor=office, department=world.dept)
    # then the return window is 2 and the reply limit 5 working days, owned by the department
    assert (c.return_clock.kind, c.return_clock.limit) == (CLOCK_RETURN, 2)
    assert (c.reply_clock.kind, c.reply_clock.limit) == (CLOCK_REPLY, 5)
    assert c.reply_clock.department_id == world.dept.pk
    assert Clock.objects.get(pk=c.accept_clock_id).status == "stopped"


def test_cmp2_return_within_two_working_days_is_allowed(world, office):
    # given a freshly dispatched order
    c = dispatched(world)
    # when the department returns it with reasons
    c = complaint_return(complaint=c, actor=world.user("dept_head"), reasons="该事项属于住建局职责")
    # then the office gets it back and the department's clocks stop
    assert c.status == Status.RETURNED
    assert c.handling_department is None
    assert c.return_count == 1
    assert Clock.objects.get(pk=c.reply_clock_id).status == "cancelled"


def test_cmp2_return_after_the_two_working_day_window_is_refused(world, office):
    # given an order dispatched more than 2 working days ago
    c = dispatched(world)
    age_clock(c.return_clock_id, 10)
    # when the department tries to return it
    with pytest.raises(ValidationError) as e:
        complaint_return(complaint=c, actor=world.user("dept_head"), reasons="该事项属于住建局职责")
    # then it is refused and nothing changes
    assert "退单期限" in str(e.value)
    c.refresh_from_db()
    assert c.status == Status.DISPATCHED
    assert c.returns.count() == 0


def test_cmp2_extension_needs_approval_and_is_at_most_ten_working_days(world, office):
    c = dispatched(world)
    # a department cannot approve its own extension
    with pytest.raises(PermissionDenied):
        complaint_extend(complaint=c, actor=world.user("dept_head"), days=5, reason="需现场核查")
    complaint_extend(complaint=c, actor=office, days=6, reason="需现场核查")
    with pytest.raises(ValidationError):
        complaint_extend(complaint=c, actor=office, days=5, reason="再延")
    assert Clock.objects.get(pk=c.reply_clock_id).extension_total == 6


def test_cmp2_late_reply_is_recorded_as_not_on_time(world, office):
    c = dispatched(world)
    age_clock(c.reply_clock_id, 20)
    c = complaint_reply(complaint=c, actor=world.user("clerk"), text="已经处理完毕，谢谢监督。", substantiated=False)
    assert c.replied_on_time is False


@pytest.mark.parametrize("reason", list(RefusalReason))
def test_cmp3_refusal_says_where_to_go_instead(world, office, reason):
    # given a matter that belongs elsewhere
    c = submit(world, title="对行政处罚决定不服", content="我对市场监管局的罚款决定不服，要求撤销处罚决定。")
    # when refused for that reason
    c = complaint_refuse(complaint=c, actor=office, reason=reason)
    # then the reply names where to go, and the refusal closes it
    assert c.status == Status.REFUSED
    assert str(WHERE_TO_GO[reason]) in c.refusal_note
    assert c.closed_at is not None


def test_cmp3_refusal_without_a_reason_is_rejected_in_chinese(world, office):
    c = submit(world)
    with pytest.raises(ValidationError) as e:
        complaint_refuse(complaint=c, actor=office, reason="")
    assert "请选择不予受理的理由" in str(e.value)
    c.refresh_from_db()
    assert c.status == Status.REGISTERED


def test_cmp4_statistics_by_department_and_month_with_targets(world, office):
    # given three complaints: one replied and satisfied, one replied and unsatisfied-then-open, one refused
    a = dispatched(world)
    complaint_reply(complaint=a, actor=world.user("clerk"), text="已经处理完毕，谢谢监督。", substantiated=False)
    complaint_callback(complaint=a, actor=office, satisfaction=Satisfaction.SATISFIED)
    b = dispatched(world)
    complaint_reply(complaint=b, actor=world.user("clerk"), text="已经处理完毕，谢谢监督。", substantiated=False)
    complaint_callback(complaint=b, actor=office, satisfaction=Satisfaction.UNSATISFIED)
    r = submit(world)
    complaint_refuse(complaint=r, actor=office, reason=RefusalReason.LITIGATION)
    today = timezone.localdate()
    # when the figures are computed
    rows = {f.label: f for f in department_stats(Complaint.objects.all(), start=today, end=today)}
    dept = rows[world.dept.name]
    # then: reply rate 100% meets the target, satisfaction 50% misses 95%
    assert (dept.total, dept.replied, dept.due_reply, dept.callbacks, dept.satisfied) == (2, 2, 2, 2, 1)
    assert dept.reply_rate == 100.0
    assert dept.meets_reply_target
    assert dept.satisfaction_rate == 50.0
    assert not dept.meets_satisfaction_target
    month = monthly_figures(Complaint.objects.all(), year=today.year)
    assert month[-1].total == 3
    assert month[-1].acceptance_rate == pytest.approx(66.7)


def test_anonymous_complaint_keeps_no_identity_and_cannot_be_called_back(world, office):
    # given an anonymous complaint that was replied
    c = dispatched(world, anonymous=True, name="不该保存", phone="13900000099")
    assert c.complainant_name == ""
    assert c.complainant_phone == ""
    complaint_reply(complaint=c, actor=world.user("clerk"), text="已经处理完毕，谢谢监督。", substantiated=False)
    # when the office tries to call back
    with pytest.raises(ValidationError) as e:
        complaint_callback(complaint=c, actor=office, satisfaction=Satisfaction.SATISFIED)
    # then it is refused; the office closes it without a callback
    assert "匿名" in str(e.value)
    c = complaint_close(complaint=c, actor=office)
    assert c.status == Status.CLOSED
    assert c.satisfaction == ""


@pytest.mark.parametrize("role", ["applicant", "clerk", "dept_head", "legal", "admin", "other_county_supervisor"])
def test_wrong_roles_cannot_accept_dispatch_refuse_or_call_back(world, role):
    c = submit(world)
    user = world.user(role)
    calls = [
        lambda: complaint_accept(complaint=c, actor=user),
        lambda: complaint_refuse(complaint=c, actor=user, reason=RefusalReason.LITIGATION),
        lambda: complaint_dispatch(complaint=c, actor=user, department=world.dept),
    ]
    if role != "other_county_supervisor":  # an office elsewhere may register in its own region
        calls.append(
            lambda: complaint_register(
                actor=user, channel="hotline", kind="efficiency", title="来电", content="来电反映办事难的问题情况"
            )
        )
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    c.refresh_from_db()
    assert c.status == Status.REGISTERED


def test_only_the_handling_department_may_reply_or_return(world, office):
    c = dispatched(world)
    for role in ["other_clerk", "county_clerk", "applicant", "legal"]:
        with pytest.raises(PermissionDenied):
            complaint_reply(complaint=c, actor=world.user(role), text="不是我们部门的答复内容", substantiated=False)
        with pytest.raises(PermissionDenied):
            complaint_return(complaint=c, actor=world.user(role), reasons="不是我们部门的")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"title": ""}, "请填写标题"),
        ({"content": "太短"}, "请填写内容"),
        ({"name": ""}, "实名投诉请填写姓名"),
        ({"phone": "12345"}, "联系电话格式不正确"),
        ({"kind": "nonsense"}, "请选择投诉类型"),
        ({"case_number": "XK-000000-20260101-99999"}, "办件编号不存在"),
    ],
)
def test_bad_input_is_rejected_in_chinese_and_nothing_is_written(world, kw, message):
    before = (Complaint.objects.count(), Clock.objects.count())
    with pytest.raises(ValidationError) as e:
        submit(world, **kw)
    assert message in str(e.value)
    assert (Complaint.objects.count(), Clock.objects.count()) == before


def test_duplicates_merge_and_a_matter_reported_three_times_is_flagged_for_oversight(
    world, office, django_capture_on_commit_callbacks
):
    # given one matter reported three times
    orig, d1, d2 = submit(world), submit(world), submit(world)
    # when the duplicates are merged
    complaint_merge(duplicate=d1, into=orig, actor=office)
    assert not Complaint.objects.get(pk=orig.pk).flagged_for_oversight
    with django_capture_on_commit_callbacks(execute=True):
        complaint_merge(duplicate=d2, into=orig, actor=office)
    # then the original counts three reports and is flagged (督办); the office is told
    orig.refresh_from_db()
    assert orig.report_count == 3
    assert orig.flagged_for_oversight
    assert Complaint.objects.get(pk=d1.pk).status == Status.MERGED
    assert Notification.objects.filter(recipient=office, title__contains="督办").exists()


def test_substantiated_efficiency_complaint_opens_a_rectification_and_accountability(world, office):
    # given a dispatched efficiency complaint
    c = dispatched(world)
    # when the department finds it substantiated
    complaint_reply(
        complaint=c, actor=world.user("dept_head"), text="经核查属实，已批评教育当事人。", substantiated=True
    )
    # then a rectification opens for the department complained about
    rect = Rectification.objects.get(source_id=str(c.pk), source_type__model="complaint")
    assert rect.department_id == world.dept.pk
    assert rect.clock is not None
    # and the office can record an accountability decision (ACC-1)
    rec = accountability_record_open(complaint=c, actor=office, sanction="written_warning", reason="重复索要材料")
    assert AccountabilityRecord.objects.filter(pk=rec.pk, department=world.dept).exists()


def test_accountability_needs_a_substantiated_complaint(world, office):
    c = dispatched(world)
    complaint_reply(
        complaint=c, actor=world.user("dept_head"), text="经核查不属实，已向投诉人解释。", substantiated=False
    )
    with pytest.raises(ValidationError):
        accountability_record_open(complaint=c, actor=office, sanction="oral_warning", reason="无")
    assert not Rectification.objects.filter(source_id=str(c.pk)).exists()


def test_overdue_order_escalates_up_the_supervisor_chain(world, office, django_capture_on_commit_callbacks):
    # given an order whose reply limit passed three days ago
    c = dispatched(world)
    clock = age_clock(c.reply_clock_id, 20)
    assert clock.due_at < timezone.now() - timedelta(days=2)
    # when the periodic task runs (twice: idempotent)
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_escalate() == 1
    assert complaints_escalate() == 0
    # then it reached level 3: the city's leader is told
    c.refresh_from_db()
    assert c.escalation_level == 3
    assert Notification.objects.filter(recipient=world.user("leader"), title__contains="逾期").exists()


def test_overdue_by_less_than_a_day_goes_to_the_department_head_first(
    world, office, django_capture_on_commit_callbacks
):
    c = dispatched(world)
    Clock.objects.filter(pk=c.reply_clock_id).update(started_at=timezone.now() - timedelta(days=30))
    clock = Clock.objects.get(pk=c.reply_clock_id)
    clock_recompute(clock=clock)
    clock.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        complaints_escalate(now=clock.due_at + timedelta(hours=1))
    c.refresh_from_db()
    assert c.escalation_level == 1
    assert Notification.objects.filter(recipient=world.user("dept_head"), title__contains="第1级").exists()


def test_dispatch_suggestion_from_rules_on_department_and_keywords(world, office):
    # given a rule: complaints mentioning 施工 go to 住建局
    DispatchRule.objects.create(
        tenant=world.dept.tenant, name="施工扰民", target=world.other_dept, keywords="施工,噪音", priority=200
    )
    c = submit(world, title="夜间施工噪音", content="小区旁工地夜间施工噪音很大，影响休息，希望管理。", department=None)
    complaint_accept(complaint=c, actor=office)
    # then the suggestion names the rule and the keyword
    s = complaint_suggest(c)
    assert s is not None
    assert s.department == world.other_dept
    assert "施工" in s.reason
    # without a matching rule, the department complained about is suggested
    c2 = submit(world)
    assert complaint_suggest(c2).department == world.dept


def test_hotline_registration_by_the_office(world, office):
    reg = complaint_register(
        actor=office,
        channel="hotline",
        kind="request",
        title="咨询营业执照办理",
        content="来电咨询个体工商户营业执照如何办理。",
        name="钱女士",
        phone="13900000031",
    )
    assert reg.complaint.channel == "hotline"
    assert reg.complaint.registered_by == office
    with pytest.raises(ValidationError):
        complaint_register(
            actor=office, channel="web", kind="request", title="网上", content="网上渠道不应由操作员登记"
        )


def test_cmp4_complete_months_are_published_once_as_snapshots_on_the_public_page(world, office, client):

    # given two replied complaints received last month, one satisfied
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    for sat in (Satisfaction.SATISFIED, Satisfaction.UNSATISFIED):
        c = dispatched(world)
        complaint_reply(complaint=c, actor=world.user("clerk"), text="已经处理完毕，谢谢监督。", substantiated=False)
        complaint_callback(complaint=c, actor=office, satisfaction=sat)
    Complaint.objects.update(received_at=timezone.make_aware(datetime(last_month.year, last_month.month, 10, 9)))
    # when the monthly publication runs (twice: idempotent)
    assert figures_publish() >= 1
    assert figures_publish() == 0
    # then the month is published for the city and the department, with the sample sizes
    whole = MonthlyFigure.objects.get(department__isnull=True, month=last_month.replace(day=1))
    dept = MonthlyFigure.objects.get(department=world.dept, month=last_month.replace(day=1))
    assert (whole.total, whole.callbacks, whole.satisfied) == (2, 2, 1)
    assert dept.replied == 2
    page = client.get(f"/complaints/statistics/?year={last_month.year}").content.decode()
    assert last_month.strftime("%Y-%m") in page
    assert "50.0%" in page
    assert world.dept.name in page
