"""Demo complaints and work orders in every state of the loop (CMP-1), with dispatch rules, Open311
services and a client key. Idempotent: skipped when the demo data is already there."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xiaoneng.complaints.actions.acceptance import complaint_accept, complaint_merge, complaint_refuse
from xiaoneng.complaints.actions.closure import complaint_callback, complaint_close
from xiaoneng.complaints.actions.dispatch import complaint_dispatch, complaint_return
from xiaoneng.complaints.actions.escalation import complaints_escalate
from xiaoneng.complaints.actions.intake import complaint_register, complaint_submit
from xiaoneng.complaints.actions.reply import complaint_reply
from xiaoneng.complaints.apikeys import api_key_create
from xiaoneng.complaints.choices import RefusalReason, Satisfaction
from xiaoneng.complaints.models import ApiKey, Complaint, DispatchRule, Open311Service
from xiaoneng.orgs.models import Department, Region, User
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_recompute

MARKER = "窗口两次要求提交同一份租赁合同"


def _age(clock_id: int | None, days: int) -> None:
    if clock_id is None:
        return
    Clock.objects.filter(pk=clock_id).update(started_at=timezone.now() - timedelta(days=days))
    clock_recompute(clock=Clock.objects.get(pk=clock_id))


def load(stdout: Any) -> None:
    city = Region.objects.filter(code="339100").first()
    office = User.objects.filter(username="supervisor", role="supervisor").first()
    if city is None or office is None:
        stdout.write("complaints demo: no demo jurisdiction, skipped")
        return
    if Complaint.objects.filter(title=MARKER).exists():
        stdout.write("complaints demo: already loaded")
        return
    depts = {d.short_name: d for d in Department.objects.filter(region=city)}
    scjg, zjj = depts.get("市场监管局"), depts.get("住建局")
    if scjg is None or zjj is None:
        stdout.write("complaints demo: demo departments missing, skipped")
        return
    head = User.objects.filter(department=scjg, role="dept_head").first()
    zj_staff = User.objects.filter(department=zjj, role__in=["clerk", "reviewer", "dept_head"]).first()
    if head is None or zj_staff is None:
        stdout.write("complaints demo: department staff missing, skipped")
        return
    DispatchRule.objects.get_or_create(
        tenant=city, name="施工与物业", defaults={"target": zjj, "keywords": "施工,噪音,物业,房屋", "priority": 200}
    )
    DispatchRule.objects.get_or_create(
        tenant=city,
        name="市场主体登记",
        defaults={"target": scjg, "keywords": "营业执照,食品,市场主体", "priority": 150},
    )
    for code, name, group, kind, dept in [
        ("road-damage", "道路破损", "市政设施", "request", zjj),
        ("noise", "施工噪音", "环境秩序", "request", zjj),
        ("service-efficiency", "办事效率", "效能投诉", "efficiency", None),
    ]:
        Open311Service.objects.get_or_create(
            tenant=city,
            service_code=code,
            defaults={"service_name": name, "group": group, "kind": kind, "department": dept},
        )
    if not ApiKey.objects.filter(tenant=city).exists():
        admin = User.objects.filter(role="admin", tenant=city).first()
        if admin is not None:
            _key, clear = api_key_create(actor=admin, tenant=city, name="城市服务App（演示）")
            stdout.write(f"complaints demo: Open311 api_key = {clear}")

    def web(title: str, content: str, **kw: Any) -> Complaint:
        kw.setdefault("name", "赵建国")
        kw.setdefault("phone", "13905710021")
        kw.setdefault("department", scjg)
        return complaint_submit(kind=kw.pop("kind", "efficiency"), title=title, content=content, **kw).complaint

    def to_dept(c: Complaint, dept: Department = scjg) -> Complaint:
        complaint_accept(complaint=c, actor=office)
        return complaint_dispatch(complaint=c, actor=office, department=dept)

    # 赵先生's journey: substantiated, unsatisfied once, then satisfied and closed
    c = to_dept(
        web(MARKER, "在市场监管局窗口办理营业执照变更，工作人员两次要求提交同一份租赁合同。", hide_from_department=True)
    )
    complaint_reply(complaint=c, actor=head, text="经核查属实，已对窗口人员批评教育。", substantiated=True)
    complaint_callback(complaint=c, actor=office, satisfaction=Satisfaction.UNSATISFIED, note="希望退还重复提交的材料")
    complaint_reply(complaint=c, actor=head, text="已退还重复材料并当面致歉，窗口实行一次性告知。", substantiated=True)
    complaint_callback(complaint=c, actor=office, satisfaction=Satisfaction.SATISFIED, note="满意")
    # registered, waiting for acceptance
    web("网上申报系统经常无法上传附件", "市场监管局网上申报系统上传附件经常失败，多次尝试无果，影响办事。")
    # refused: belongs to litigation
    r = web("不服行政处罚决定", "我对市场监管局作出的罚款决定不服，要求撤销该处罚决定。")
    complaint_refuse(complaint=r, actor=office, reason=RefusalReason.RECONSIDERATION)
    # accepted, waiting for dispatch (rule suggests 住建局)
    complaint_accept(
        complaint=complaint_register(
            actor=office,
            channel="hotline",
            kind="request",
            title="夜间施工噪音扰民",
            content="城东街道某工地夜间施工噪音很大，影响居民休息，希望有关部门管理。",
            name="钱女士",
            phone="13905710031",
        ).complaint,
        actor=office,
    )
    # dispatched and overdue → escalated
    late = to_dept(
        web("营业执照申请超期未办结", "营业执照设立登记已超过承诺时限五个工作日，仍未办结，也无人说明原因。")
    )
    _age(late.reply_clock_id, 12)
    complaints_escalate()
    # returned by the department (mis-dispatched)
    ret = to_dept(
        web(
            "小区物业收费不合理",
            "小区物业擅自提高物业费，业主多次反映无果，请求处理。",
            department=None,
            kind="request",
        )
    )
    complaint_return(complaint=ret, actor=head, reasons="物业收费属于住建部门职责，请改派住建局。")
    # replied, waiting for callback
    rep = to_dept(web("窗口午休无人值守", "中午12点到窗口办事，窗口无人值守，等候一个多小时。"))
    complaint_reply(
        complaint=rep, actor=head, text="经核查不属实，当日实行错时延时服务，已向投诉人解释。", substantiated=False
    )
    # anonymous, replied and closed without callback
    an = to_dept(
        web("工作人员上班时间玩手机", "政务大厅市场监管窗口工作人员上班时间玩手机，群众排队等候。", anonymous=True)
    )
    complaint_reply(complaint=an, actor=head, text="经调取监控核查属实，已对当事人书面告诫。", substantiated=True)
    complaint_close(complaint=an, actor=office)
    # a mayor's-mailbox letter reported three times → merged and flagged for oversight
    letters = [
        complaint_register(
            actor=office,
            channel="mailbox",
            kind="efficiency",
            title="房屋不动产登记排长队",
            content="不动产登记中心每天排长队，取号难，希望增加窗口。",
            name=n,
            phone=p,
            department=zjj,
        ).complaint
        for n, p in [("孙先生", "13905710041"), ("李女士", "13905710042"), ("周先生", "13905710043")]
    ]
    for dup in letters[1:]:
        complaint_merge(duplicate=dup, into=letters[0], actor=office)
    # a media report and praise
    complaint_register(
        actor=office,
        channel="media",
        kind="report",
        title="媒体曝光：审批中介收费",
        content="青溪日报报道部分审批中介借审批之名违规收费。",
        anonymous=True,
    )
    praise = complaint_register(
        actor=office,
        channel="hall",
        kind="praise",
        title="表扬窗口人员耐心细致",
        content="市场监管窗口李科员耐心指导填写材料，一次办成。",
        name="吴女士",
        phone="13905710051",
    ).complaint
    complaint_accept(complaint=praise, actor=office)
    complaint_reply(complaint=praise, actor=office, text="感谢您的表扬，已转达并记入窗口评优。")
    complaint_callback(complaint=praise, actor=office, satisfaction=Satisfaction.SATISFIED)
    # older history for the statistics: 40 complaints over the last months
    for i in range(40):
        h = to_dept(
            web(f"办事体验反馈（{i + 1}）", "办理业务时等候时间较长，希望优化流程，提高效率。"), zjj if i % 3 else scjg
        )
        staff = zj_staff if i % 3 else head
        complaint_reply(complaint=h, actor=staff, text="已收到意见，正在优化预约和叫号流程。", substantiated=False)
        complaint_callback(
            complaint=h, actor=office, satisfaction=Satisfaction.SATISFIED if i % 10 else Satisfaction.BASIC
        )
        Complaint.objects.filter(pk=h.pk).update(received_at=timezone.now() - timedelta(days=10 + i * 3))
    stdout.write(f"complaints demo: {Complaint.objects.filter(tenant=city).count()} work orders")
