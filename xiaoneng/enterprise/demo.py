"""Demo: the enterprise services of 青溪市, loaded through the services (so every rule held).

- 挂点帮扶 (ENT-1 … ENT-4): the market regulator's head 吴局长 is paired with the demo enterprise account
  (青溪云帆餐饮管理有限公司) since two months, with two visits; the city leader 陈书记 with a machinery
  maker for the housing bureau. Problems at each stage: one solved and rated 非常满意, one assigned to the
  housing bureau with a progress reply (its 10 working-day clock running), one waiting to be assigned
  (its 2 working-day clock running).
- 代办/帮办 (ENT-5): a central-kitchen project of the enterprise with 李科员 as agent, its 食品经营许可 on the
  item's committed clock (linked to the enterprise's own case when the cases demo made one) and its
  施工许可 already approved, with a progress note.
- 发展环境监测点 (ENT-7): the restaurant association (account `monitor`) and a deputy are designated;
  the association's report on the housing bureau was forwarded, answered and closed, its report on the
  market regulator waits for the office to forward it (no clock yet). Both count in the warning index.

Lawful: every clock starts today and runs for days to come, nothing is overdue, nothing waits on a
deadline already missed. Idempotent: skipped when the demo enterprise's pairing exists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xiaoneng.cases.models import Case
from xiaoneng.catalog.choices import VersionStatus
from xiaoneng.catalog.models import Item
from xiaoneng.enterprise.choices import PointKind, Satisfaction, Severity
from xiaoneng.enterprise.models import Pairing
from xiaoneng.enterprise.services import (
    approval_add,
    approval_complete,
    approval_link_case,
    monitoring_point_designate,
    monitoring_report_close,
    monitoring_report_forward,
    monitoring_report_reply,
    monitoring_report_submit,
    pairing_create,
    problem_assign,
    problem_raise,
    problem_rate,
    problem_reply,
    project_create,
    project_note_add,
    visit_log,
)
from xiaoneng.orgs.choices import ApplicantKind, Role
from xiaoneng.orgs.demo import DEMO_PASSWORD
from xiaoneng.orgs.models import Department, Region, User
from xiaoneng.orgs.validators import credit_code_check_char

MAKER_NAME = "青溪精密机械有限公司"
ASSOCIATION_NAME = "青溪市餐饮行业协会"


def _code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


MAKER_CODE = _code("91339100MA2B7K5P3")  # 9…: an enterprise
ASSOCIATION_CODE = _code("51339100MJ8Q2W4X6")  # 5…: a social organisation (行业协会)


def _published(dept: Department, name: str) -> Item | None:
    return (
        Item.objects.filter(department=dept, published__status=VersionStatus.PUBLISHED, published__name=name)
        .select_related("published")
        .first()
    )


def _monitor_account() -> User:
    user = User.objects.filter(username="monitor").first()
    if user is None:
        user = User(
            username="monitor",
            display_name=ASSOCIATION_NAME,
            role=Role.APPLICANT,
            applicant_kind=ApplicantKind.COMPANY,
            company_name=ASSOCIATION_NAME,
            company_credit_code=ASSOCIATION_CODE,
            phone="13900000003",
            email="monitor@demo.invalid",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def load(stdout: Any) -> None:
    city = Region.objects.filter(code="339100").first()
    depts = {d.short_name: d for d in Department.objects.filter(region=city)} if city else {}
    users = {
        u.username: u for u in User.objects.filter(username__in=["supervisor", "head", "clerk", "leader", "company"])
    }
    market, housing = depts.get("市场监管局"), depts.get("住建局")
    if city is None or market is None or housing is None or len(users) < 5:
        stdout.write("enterprise demo: no demo jurisdiction, skipped\n")
        return
    company = users["company"]
    company_code = company.company_credit_code or ""
    if Pairing.objects.filter(enterprise__credit_code=company_code, department=market).exists():
        stdout.write("enterprise demo: already loaded\n")
        return
    office, head, clerk, leader = users["supervisor"], users["head"], users["clerk"], users["leader"]
    housing_head = User.objects.filter(department=housing, role=Role.DEPT_HEAD, is_active=True).order_by("pk").first()
    housing_clerk = User.objects.filter(department=housing, role=Role.CLERK, is_active=True).order_by("pk").first()
    if housing_head is None or housing_clerk is None:
        stdout.write("enterprise demo: the housing bureau has no staff, skipped\n")
        return
    today = timezone.localdate()

    # 挂点帮扶 (ENT-1, ENT-2): two pairings, visits in the past within each pairing
    pairing = pairing_create(
        actor=office,
        department=market,
        official=head,
        enterprise_name=company.company_name or company.display_name,
        credit_code=company_code,
        started_on=today - timedelta(days=60),
    )
    visit_log(
        actor=head,
        pairing=pairing,
        visited_on=today - timedelta(days=45),
        content="走访企业，了解中央厨房扩建计划和证照办理需求，宣讲食品经营许可告知承诺制。",
    )
    visit_log(
        actor=clerk,
        pairing=pairing,
        visited_on=today - timedelta(days=7),
        content="上门指导食品安全管理制度建设，收集企业反映的用工和消防验收问题。",
    )
    maker = pairing_create(
        actor=office,
        department=housing,
        official=leader,
        enterprise_name=MAKER_NAME,
        credit_code=MAKER_CODE,
        started_on=today - timedelta(days=90),
    )
    visit_log(
        actor=leader,
        pairing=maker,
        visited_on=today - timedelta(days=20),
        content="到企业新厂区现场办公，协调厂区道路和用电接入。",
    )

    # ENT-3, ENT-4: one problem solved and rated, one in progress, one waiting to be assigned
    solved = problem_raise(
        actor=company,
        pairing=pairing,
        title="食品经营许可变更经营场所需重新提交全部材料",
        text="门店搬迁到同一街道，窗口要求重新提交全部申请材料，希望只补交新场所的材料。",
    )
    solved = problem_assign(actor=head, problem=solved, department=market)
    problem_reply(
        actor=clerk,
        problem=solved,
        text="经核实，同一辖区内变更经营场所可按变更办理，只需提交新场所平面图和变更申请，已当场受理。",
        solution=True,
    )
    problem_rate(actor=company, problem=solved, satisfaction=Satisfaction.VERY_SATISFIED, comment="当天就办好了。")
    assigned = problem_raise(
        actor=company,
        pairing=pairing,
        title="中央厨房扩建的施工许可何时能办",
        text="扩建厂房的设计图已报审一个月，不清楚施工许可还缺哪些手续。",
    )
    assigned = problem_assign(actor=head, problem=assigned, department=housing)
    problem_reply(
        actor=housing_clerk,
        problem=assigned,
        text="已调阅报审材料，缺人防审查意见，已联系人防办并列入下周联合审查。",
    )
    problem_raise(
        actor=leader,
        pairing=maker,
        title="新厂区道路未接通市政道路",
        text="企业新厂区已建成，厂区出入口与市政道路之间约200米未接通，影响原料运输。",
    )

    # 代办/帮办 (ENT-5): the project, its approvals on the items' clocks, a progress note
    project = project_create(
        actor=head,
        department=market,
        agent=clerk,
        name="中央厨房扩建项目",
        enterprise_name=company.company_name or company.display_name,
        credit_code=company_code,
        description="新建中央厨房3000平方米，为全市12家门店统一配送，计划投资3800万元。",
    )
    food = _published(market, "食品经营许可")
    if food is not None:
        approval = approval_add(actor=clerk, project=project, item=food)
        case = Case.objects.filter(applicant=company, item=food).order_by("pk").first()
        if case is not None:
            approval_link_case(actor=clerk, approval=approval, case_number=case.tracking_number)
    building = _published(housing, "建筑工程施工许可")
    if building is not None:
        permit = approval_add(actor=clerk, project=project, item=building)
        approval_complete(actor=clerk, approval=permit, approved=True, note="施工许可证已核发。")
    project_note_add(actor=clerk, project=project, text="已陪同企业完成施工许可现场核验，食品经营许可材料已预审通过。")

    # 发展环境监测点 (ENT-7)
    association = monitoring_point_designate(
        actor=office,
        region=city,
        name="餐饮行业协会监测点",
        kind=PointKind.ASSOCIATION,
        credit_code=ASSOCIATION_CODE,
        account=_monitor_account(),
        designated_on=today - timedelta(days=30),
    )
    monitoring_point_designate(
        actor=office, region=city, name="市人大代表赵明监测点", kind=PointKind.DEPUTY, designated_on=today
    )
    monitor = association.account
    if monitor is None:
        raise RuntimeError("invariant: the association point has its account")
    answered = monitoring_report_submit(
        actor=monitor,
        point=association,
        department=housing,
        text="会员企业反映装修备案要求提供的材料与办事指南不一致。",
        severity=Severity.MINOR,
    )
    answered = monitoring_report_forward(actor=office, report=answered)
    answered = monitoring_report_reply(
        actor=housing_head,
        report=answered,
        text="已按办事指南统一材料清单，窗口人员已培训，不再要求指南以外的材料。",
    )
    monitoring_report_close(actor=office, report=answered, note="经回访会员企业，问题已解决。")
    monitoring_report_submit(
        actor=monitor,
        point=association,
        department=market,
        text="部分门店反映食品经营许可现场核查预约要等一周以上。",
        severity=Severity.SERIOUS,
    )
    stdout.write(
        "enterprise demo: 2 pairings, 3 visits, 3 problems, 1 project, 2 monitoring points, 2 reports\n"
        f"  监测点报送账户     monitor         {ASSOCIATION_NAME}\n"
    )
