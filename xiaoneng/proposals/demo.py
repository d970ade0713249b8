"""Demo: two deputies' suggestions and a member's proposal at different stages, and two major
decisions (one published for comment with a public comment, one just registered). Every clock runs
within its period (nothing overdue by accident). Idempotent: matched by title."""

from __future__ import annotations

from typing import Any

from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, Region, User
from xiaoneng.proposals.actions.decisions import decision_comment, decision_publish, decision_register
from xiaoneng.proposals.actions.proposals import cohandling_answer, proposal_feedback, proposal_register, proposal_reply
from xiaoneng.proposals.models import MajorDecision, Proposal

SESSION_NPC = "青溪市十七届人大五次会议"
SESSION_CPPCC = "政协青溪市十二届五次会议"


def load(stdout: Any) -> None:
    city = Region.objects.filter(code="339100").first()
    office = User.objects.filter(username="supervisor").first()
    market = Department.objects.filter(short_name="市场监管局", region=city).first()
    housing = Department.objects.filter(short_name="住建局", region=city).first()
    if city is None or office is None or market is None or housing is None:
        stdout.write("proposals demo: no demo jurisdiction, skipped\n")
        return
    head = User.objects.filter(department=market, role=Role.DEPT_HEAD, is_active=True).order_by("pk").first()
    housing_clerk = User.objects.filter(department=housing, role=Role.CLERK, is_active=True).order_by("pk").first()
    if head is None or housing_clerk is None:
        stdout.write("proposals demo: no department staff, skipped\n")
        return
    made = 0
    title = "关于加强农贸市场食品安全快检的建议"
    if not Proposal.objects.filter(title=title).exists():
        proposal_register(
            actor=office,
            kind="suggestion",
            number="第0012号",
            session=SESSION_NPC,
            title=title,
            proposer="王建国代表",
            content="建议在全市农贸市场增设快检室，每日公开检测结果。",
            urgent=False,
            lead_department=market,
            cohandlers=[housing],
        )
        made += 1
    title = "关于老旧小区加装电梯审批提速的建议"
    if not Proposal.objects.filter(title=title).exists():
        p = proposal_register(
            actor=office,
            kind="suggestion",
            number="第0047号",
            session=SESSION_NPC,
            title=title,
            proposer="陈丽代表",
            content="建议简化加装电梯的特种设备使用登记材料。",
            urgent=True,
            lead_department=market,
            cohandlers=[housing],
        )
        ch = p.cohandlings.get()
        cohandling_answer(actor=housing_clerk, cohandling=ch, opinion="同意简化，住建部门同步精简规划核实材料。")
        made += 1
    title = "关于推行企业开办“一日办结”的提案"
    if not Proposal.objects.filter(title=title).exists():
        p = proposal_register(
            actor=office,
            kind="proposal",
            number="第0101号",
            session=SESSION_CPPCC,
            title=title,
            proposer="李明委员",
            content="建议企业开办全流程一日办结，免费刻制印章。",
            urgent=False,
            lead_department=market,
        )
        p = proposal_reply(
            actor=head, proposal=p, category="A", text="已实现企业开办一日办结，自2026年起免费刻制首套印章。"
        )
        proposal_feedback(actor=office, proposal=p, satisfaction="satisfied")
        made += 1
    decisions = 0
    title = "青溪市农贸市场布局规划（2027—2031年）"
    if not MajorDecision.objects.filter(title=title).exists():
        d = decision_register(
            actor=head,
            department=market,
            title=title,
            description="新建、迁建农贸市场12处，关停3处；草案公开征求意见30日。",
        )
        decision_publish(actor=head, decision=d)
        decision_comment(decision=d, name="城东居民", text="建议保留老城区菜场的早市时段。")
        decisions += 1
    title = "青溪市市场监管领域信用分级分类监管实施方案"
    if not MajorDecision.objects.filter(title=title).exists():
        decision_register(
            actor=head,
            department=market,
            title=title,
            description="按信用等级确定抽查比例和频次。",
            risk_not_required="不涉及社会稳定、公共安全和生态环境风险",
        )
        decisions += 1
    stdout.write(f"proposals demo: {made} proposals, {decisions} decisions\n")
