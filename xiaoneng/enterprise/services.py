"""Every write of the enterprise-service app: one keyword-only, atomic action per state change that
checks permission, validates (ENT-8), writes, appends the Event and notifies on commit.

挂点帮扶: pairing_create, pairing_end, visit_log, problem_raise, problem_assign, problem_reply,
problem_rate. 代办/帮办: project_create, approval_add, approval_link_case, approval_complete,
project_note_add, project_complete. 发展环境监测点: monitoring_point_designate,
monitoring_report_submit, monitoring_report_record, monitoring_report_forward,
monitoring_report_reply, monitoring_report_close."""

from __future__ import annotations

__all__ = [
    "APPROVAL_CLOCK_KIND",
    "ASSIGN_CLOCK_KIND",
    "REPLY_CLOCK_KIND",
    "SOLVE_CLOCK_KIND",
    "approval_add",
    "approval_complete",
    "approval_link_case",
    "monitoring_point_designate",
    "monitoring_report_close",
    "monitoring_report_forward",
    "monitoring_report_record",
    "monitoring_report_reply",
    "monitoring_report_submit",
    "pairing_create",
    "pairing_end",
    "problem_assign",
    "problem_raise",
    "problem_rate",
    "problem_reply",
    "project_complete",
    "project_create",
    "project_note_add",
    "visit_log",
]

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.models import Case
from xiaoneng.catalog.choices import VersionStatus
from xiaoneng.catalog.models import Item
from xiaoneng.core.services import notify, tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.enterprise.choices import (
    APPROVAL_TRANSITIONS,
    BAD_SATISFACTION,
    PROBLEM_TRANSITIONS,
    REPORT_TRANSITIONS,
    PointKind,
    ProblemStatus,
    ProjectStatus,
    Satisfaction,
    Severity,
)
from xiaoneng.enterprise.inputs import check_choice, check_credit_code, check_date, check_text
from xiaoneng.enterprise.models import (
    AgentProject,
    Enterprise,
    MonitoringPoint,
    MonitoringPointReport,
    Pairing,
    Problem,
    ProblemReply,
    ProjectApproval,
    ProjectNote,
    Visit,
)
from xiaoneng.enterprise.permissions import (
    can_act_for_pairing,
    can_assign_problem,
    can_manage_project,
    can_reply_problem,
    can_reply_report,
    in_region,
    is_office_for,
)
from xiaoneng.enterprise.selectors import enterprise_credit_code
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, STAFF_ROLES, Role
from xiaoneng.orgs.models import Department, Region, User
from xiaoneng.workdays.services import clock_start, clock_stop

ASSIGN_CLOCK_KIND = "enterprise.problem.assign"
SOLVE_CLOCK_KIND = "enterprise.problem.solve"
APPROVAL_CLOCK_KIND = "enterprise.approval"
REPLY_CLOCK_KIND = "enterprise.monitoring.reply"

ASSIGN_DAYS = 2  # ENT-3: the paired official assigns within 2 working days
REOPEN_DAYS = 5  # ENT-4: a problem reopened after a bad rating
APPROVAL_DEFAULT_DAYS = 20  # ENT-5: an item with neither a committed nor a statutory limit
REPLY_DAYS = 5  # ENT-7: the department answers a forwarded monitoring report


def _solve_days() -> int:
    # ENT-3 default: 10 working days for the responsible department (configurable)
    return int(getattr(settings, "XIAONENG_ENTERPRISE_SOLVE_DAYS", 10))


def _transition(table: dict[str, tuple[frozenset[str], str]], status: str, action: str, label: str) -> str:
    sources, target = table[action]
    if status not in sources:
        raise ValidationError(_("当前状态为“%(status)s”，不能执行该操作。") % {"status": label}, code="state")
    return target


def _enterprise_get_or_create(*, name: str, credit_code: str, region: Region, actor: Any) -> Enterprise:
    """ENT-1: an enterprise is one row per credit code in the jurisdiction; a known code keeps its name."""
    tenant_id = region.tenant_id or region.pk  # a city is its own tenant
    found = Enterprise.objects.filter(tenant_id=tenant_id, credit_code=credit_code).first()
    if found is not None:
        return found
    enterprise = Enterprise.objects.create(tenant_id=tenant_id, name=name, credit_code=credit_code, region=region)
    event_append(
        subject=enterprise,
        action="enterprise.registered",
        actor=actor,
        after={"name": name, "credit_code": credit_code, "region": region.pk},
    )
    return enterprise


# --- 挂点帮扶 (ENT-1 … ENT-4) -------------------------------------------------------------------


def pairing_create(
    *,
    actor: Any,
    department: Department,
    official: User | None,
    enterprise_name: str,
    credit_code: str,
    started_on: Any,
) -> Pairing:
    """ENT-1: the efficiency office pairs an official of a department with an enterprise."""
    if not is_office_for(actor, department.region):
        raise PermissionDenied(_("只有本辖区效能办可以确定挂点帮扶关系。"))
    name = check_text(enterprise_name, field="enterprise_name", label=_("企业名称"), max_length=200)
    code = check_credit_code(credit_code)
    day = check_date(started_on, field="started_on", label=_("挂点开始日期"))
    if official is None or not official.is_active or official.role not in STAFF_ROLES:
        raise ValidationError({"official": _("挂点领导必须是在职的工作人员。")})
    if official.role in DEPARTMENT_ROLES and official.department_id != department.pk:
        raise ValidationError({"official": _("挂点领导必须是本单位的工作人员或本辖区的领导。")})
    if official.role not in DEPARTMENT_ROLES and not in_region(official, department.region):
        raise ValidationError({"official": _("挂点领导必须是本单位的工作人员或本辖区的领导。")})
    try:
        with transaction.atomic():
            enterprise = _enterprise_get_or_create(name=name, credit_code=code, region=department.region, actor=actor)
            pairing = Pairing.objects.create(
                tenant_id=department.tenant_id,
                enterprise=enterprise,
                department=department,
                official=official,
                started_on=day,
                created_by=actor,
            )
            event_append(
                subject=pairing,
                action="enterprise.pairing.created",
                actor=actor,
                after={"enterprise": enterprise.pk, "department": department.pk, "official": official.pk},
            )
            notify(
                recipients=[official],
                title=_("挂点帮扶企业：%(name)s") % {"name": enterprise.name},
                url=reverse("enterprise:pairing", args=[pairing.pk]),
            )
    except IntegrityError:
        raise ValidationError({"enterprise_name": _("该单位已在挂点帮扶这家企业。")}) from None
    return pairing


def pairing_end(*, actor: Any, pairing: Pairing, ended_on: Any) -> Pairing:
    """ENT-1: the office ends a pairing (problems already raised are still followed to the end)."""
    if not is_office_for(actor, pairing.department.region):
        raise PermissionDenied(_("只有本辖区效能办可以确定挂点帮扶关系。"))
    day = check_date(ended_on, field="ended_on", label=_("挂点结束日期"), earliest=pairing.started_on)
    with transaction.atomic():
        p = Pairing.objects.select_for_update(of=("self",)).get(pk=pairing.pk)
        if not p.active:
            raise ValidationError(_("该挂点帮扶已经结束。"), code="state")
        p.active = False
        p.ended_on = day
        p.save(update_fields=["active", "ended_on", "updated_at"])
        event_append(subject=p, action="enterprise.pairing.ended", actor=actor, after={"ended_on": day.isoformat()})
    return p


def visit_log(*, actor: Any, pairing: Pairing, visited_on: Any, content: str) -> Visit:
    """ENT-2: a visit to the enterprise, dated between the pairing's start and today."""
    if not can_act_for_pairing(actor, pairing):
        raise PermissionDenied(_("只有挂点领导和挂点单位的工作人员可以登记走访。"))
    day = check_date(visited_on, field="visited_on", label=_("走访日期"), earliest=pairing.started_on)
    text = check_text(content, field="content", label=_("走访内容"))
    with transaction.atomic():
        visit = Visit.objects.create(pairing=pairing, visited_on=day, content=text, recorded_by=actor)
        event_append(
            subject=pairing,
            action="enterprise.visit.logged",
            actor=actor,
            after={"visit": visit.pk, "visited_on": day.isoformat()},
            reason=text[:200],
        )
    return visit


def _problem_url(problem: Problem) -> str:
    return reverse("enterprise:problem", args=[problem.pk])


def problem_raise(*, actor: Any, pairing: Pairing, title: str, text: str) -> Problem:
    """ENT-3: the enterprise (or its paired official for it) raises a problem; the official assigns
    it within 2 working days."""
    own = enterprise_credit_code(actor) == pairing.enterprise.credit_code
    if not (own or can_act_for_pairing(actor, pairing)):
        raise PermissionDenied(_("只有本企业或挂点领导可以反映问题。"))
    if not Pairing.objects.filter(pk=pairing.pk, active=True).exists():  # read again: it may have ended
        raise ValidationError(_("该挂点帮扶已经结束。"), code="state")
    t = check_text(title, field="title", label=_("问题"), max_length=200)
    body = check_text(text, field="text", label=_("问题描述"))
    with transaction.atomic():
        problem = Problem.objects.create(
            tenant_id=pairing.tenant_id,
            number=tracking_number_next(tenant=pairing.department.tenant, prefix="QY"),
            pairing=pairing,
            enterprise=pairing.enterprise,
            title=t,
            text=body,
            raised_by=actor,
        )
        problem.assign_clock = clock_start(
            owner=problem,
            kind=ASSIGN_CLOCK_KIND,
            label=_("企业问题交办：%(number)s") % {"number": problem.number},
            limit=ASSIGN_DAYS,
            department=pairing.department,
            responsible=pairing.official,
            actor=actor,
        )
        problem.save(update_fields=["assign_clock", "updated_at"])
        event_append(
            subject=problem,
            action="enterprise.problem.raised",
            actor=actor,
            after={"status": problem.status, "pairing": pairing.pk, "title": t},
            reason=body[:200],
        )
        notify(
            recipients=[pairing.official],
            title=_("挂点企业反映问题：%(title)s") % {"title": t},
            body=pairing.enterprise.name,
            url=_problem_url(problem),
        )
    return problem


def _locked_problem(problem: Problem) -> Problem:
    return Problem.objects.select_for_update(of=("self",)).select_related("pairing", "enterprise").get(pk=problem.pk)


def problem_assign(*, actor: Any, problem: Problem, department: Department | None) -> Problem:
    """ENT-3: the paired official assigns the problem to the responsible department, whose solve
    clock (10 working days) starts now."""
    if not can_assign_problem(actor, problem):
        raise PermissionDenied(_("只有挂点领导可以交办问题。"))
    if department is None or department.tenant_id != problem.tenant_id:
        raise ValidationError({"department": _("请选择本辖区的责任单位。")})
    with transaction.atomic():
        p = _locked_problem(problem)
        target = _transition(PROBLEM_TRANSITIONS, p.status, "assign", p.get_status_display())
        if p.assign_clock_id:
            clock_stop(clock=p.assign_clock_id, actor=actor)
        p.status = target
        p.department = department
        days = _solve_days()
        p.clock = clock_start(
            owner=p,
            kind=SOLVE_CLOCK_KIND,
            label=_("企业问题办理：%(number)s") % {"number": p.number},
            limit=days,
            department=department,
            actor=actor,
        )
        p.save(update_fields=["status", "department", "clock", "updated_at"])
        event_append(
            subject=p,
            action="enterprise.problem.assigned",
            actor=actor,
            before={"status": ProblemStatus.RAISED},
            after={"status": target, "department": department.pk, "days": days},
        )
        notify(
            recipients=User.objects.filter(department=department, role=Role.DEPT_HEAD, is_active=True),
            title=_("企业反映问题交办：%(title)s") % {"title": p.title},
            body=_("请在%(days)d个工作日内办结。") % {"days": days},
            url=_problem_url(p),
        )
    return p


def problem_reply(*, actor: Any, problem: Problem, text: str, solution: bool = False) -> ProblemReply:
    """ENT-4: the responsible department replies; a solution stops the solve clock."""
    if not can_reply_problem(actor, problem):
        raise PermissionDenied(_("只有责任单位可以答复。"))
    body = check_text(text, field="text", label=_("答复内容"))
    with transaction.atomic():
        p = _locked_problem(problem)
        if p.status != ProblemStatus.ASSIGNED:
            raise ValidationError(
                _("当前状态为“%(status)s”，不能执行该操作。") % {"status": p.get_status_display()}, code="state"
            )
        reply = ProblemReply.objects.create(problem=p, text=body, solution=solution, author=actor)
        if solution:
            p.status = _transition(PROBLEM_TRANSITIONS, p.status, "solve", p.get_status_display())
            p.solved_at = timezone.now()
            p.save(update_fields=["status", "solved_at", "updated_at"])
            if p.clock_id:
                clock_stop(clock=p.clock_id, actor=actor)
        event_append(
            subject=p,
            action="enterprise.problem.solved" if solution else "enterprise.problem.replied",
            actor=actor,
            after={"status": p.status, "reply": reply.pk},
            reason=body[:200],
        )
        if solution:
            notify(
                recipients=[p.raised_by],
                title=_("您反映的问题已办理：%(title)s") % {"title": p.title},
                body=_("请对办理结果作出评价。"),
                url=reverse("enterprise:mine"),
            )
    return reply


def problem_rate(*, actor: Any, problem: Problem, satisfaction: Any, comment: str = "") -> Problem:
    """ENT-4: the enterprise rates a solved problem once; a bad rating reopens it once (5 working days)."""
    if enterprise_credit_code(actor) != problem.enterprise.credit_code:
        raise PermissionDenied(_("只有反映问题的企业可以评价。"))
    level = check_choice(satisfaction, Satisfaction, field="satisfaction", label=_("满意度"))
    note = check_text(comment, field="comment", label=_("评价意见"), max_length=500, required=False)
    with transaction.atomic():
        p = _locked_problem(problem)
        reopen = level in BAD_SATISFACTION and not p.reopened
        target = _transition(PROBLEM_TRANSITIONS, p.status, "reopen" if reopen else "rate", p.get_status_display())
        before = {"status": p.status}
        p.status = target
        p.satisfaction = int(level)
        p.rating_comment = note
        p.rated_at = timezone.now()
        fields = ["status", "satisfaction", "rating_comment", "rated_at", "updated_at"]
        if reopen:
            if p.department is None:  # a solved problem was assigned
                raise RuntimeError("invariant: p.department is not None")
            p.reopened = True
            p.solved_at = None
            p.clock = clock_start(
                owner=p,
                kind=SOLVE_CLOCK_KIND,
                label=_("企业问题重新办理：%(number)s") % {"number": p.number},
                limit=REOPEN_DAYS,
                department=p.department,
                actor=actor,
            )
            fields += ["reopened", "solved_at", "clock"]
        p.save(update_fields=fields)
        event_append(
            subject=p,
            action="enterprise.problem.reopened" if reopen else "enterprise.problem.rated",
            actor=actor,
            before=before,
            after={"status": target, "satisfaction": int(level)},
            reason=note,
        )
        if reopen:
            if p.department is None:
                raise RuntimeError("invariant: p.department is not None")
            notify(
                recipients=User.objects.filter(department=p.department, role=Role.DEPT_HEAD, is_active=True),
                title=_("企业对办理结果不满意，请重新办理：%(title)s") % {"title": p.title},
                url=_problem_url(p),
            )
    return p


# --- 代办/帮办 (ENT-5) ----------------------------------------------------------------------------


def _project_url(project: AgentProject) -> str:
    return reverse("enterprise:project", args=[project.pk])


def project_create(
    *,
    actor: Any,
    department: Department,
    agent: User | None,
    name: str,
    enterprise_name: str,
    credit_code: str,
    description: str = "",
) -> AgentProject:
    """ENT-5: the head of the agent's department (or the office) opens a project with its 帮办员."""
    if not (
        actor.is_superuser
        or (actor.role == Role.DEPT_HEAD and actor.department_id == department.pk)
        or is_office_for(actor, department.region)
    ):
        raise PermissionDenied(_("只有帮办单位负责人或效能办可以登记帮办项目。"))
    title = check_text(name, field="name", label=_("项目名称"), max_length=200)
    ent_name = check_text(enterprise_name, field="enterprise_name", label=_("企业名称"), max_length=200)
    code = check_credit_code(credit_code)
    desc = check_text(description, field="description", label=_("项目概况"), required=False)
    if agent is None or not agent.is_active or agent.department_id != department.pk or agent.role not in STAFF_ROLES:
        raise ValidationError({"agent": _("帮办员必须是帮办单位的在职工作人员。")})
    with transaction.atomic():
        enterprise = _enterprise_get_or_create(name=ent_name, credit_code=code, region=department.region, actor=actor)
        project = AgentProject.objects.create(
            tenant_id=department.tenant_id,
            number=tracking_number_next(tenant=department.tenant, prefix="BB"),
            name=title,
            enterprise=enterprise,
            department=department,
            agent=agent,
            description=desc,
            created_by=actor,
        )
        event_append(
            subject=project,
            action="enterprise.project.created",
            actor=actor,
            after={"enterprise": enterprise.pk, "agent": agent.pk, "name": title},
        )
        notify(recipients=[agent], title=_("帮办项目：%(name)s") % {"name": title}, url=_project_url(project))
    return project


def _require_project(actor: Any, project: AgentProject) -> None:
    if not can_manage_project(actor, project):
        raise PermissionDenied(_("只有帮办员可以办理帮办项目。"))
    if project.status != ProjectStatus.ACTIVE:
        raise ValidationError(_("该帮办项目已办结。"), code="state")


def approval_add(*, actor: Any, project: AgentProject, item: Item | None) -> ProjectApproval:
    """ENT-5 / CAT-1: an approval the project needs is a published catalog item of the jurisdiction;
    its clock runs at the item's committed limit (else statutory, else 20 working days)."""
    _require_project(actor, project)
    if item is None or item.tenant_id != project.tenant_id:
        raise ValidationError({"item": _("请选择权力清单中的事项。")})
    version = item.published
    if version is None or version.status != VersionStatus.PUBLISHED:
        raise ValidationError({"item": _("该事项不在已公布的事项目录中。")})
    days = version.committed_limit or version.statutory_limit or APPROVAL_DEFAULT_DAYS
    try:
        with transaction.atomic():
            approval = ProjectApproval.objects.create(
                project=project, item=item, item_name=version.name, department_id=item.department_id
            )
            approval.clock = clock_start(
                owner=approval,
                kind=APPROVAL_CLOCK_KIND,
                label=_("帮办审批：%(name)s") % {"name": version.name[:80]},
                limit=days,
                tenant_id=project.tenant_id,
                department=item.department,
                responsible=project.agent,
                actor=actor,
            )
            approval.save(update_fields=["clock", "updated_at"])
            event_append(
                subject=project,
                action="enterprise.approval.added",
                actor=actor,
                after={"approval": approval.pk, "item": item.pk, "days": days},
            )
    except IntegrityError:
        raise ValidationError({"item": _("该事项已在项目的审批清单中。")}) from None
    return approval


def approval_link_case(*, actor: Any, approval: ProjectApproval, case_number: str) -> ProjectApproval:
    """ENT-5: link the case of this approval by its tracking number (same jurisdiction, same item)."""
    project = approval.project
    _require_project(actor, project)
    number = check_text(case_number, field="case_number", label=_("办件编号"), max_length=40)
    case = Case.objects.filter(tenant_id=project.tenant_id, tracking_number=number).first()
    if case is None or case.item_id != approval.item_id:
        raise ValidationError({"case_number": _("没有找到该事项的这个办件，请核对办件编号。")})
    with transaction.atomic():
        approval.case = case
        approval.case_number = number
        approval.save(update_fields=["case", "case_number", "updated_at"])
        event_append(
            subject=project,
            action="enterprise.approval.case_linked",
            actor=actor,
            after={"approval": approval.pk, "case": case.pk},
        )
    return approval


def approval_complete(*, actor: Any, approval: ProjectApproval, approved: bool, note: str = "") -> ProjectApproval:
    """ENT-5: the agent records the approval's outcome; its clock stops."""
    project = approval.project
    _require_project(actor, project)
    text = check_text(note, field="note", label=_("说明"), required=False)
    with transaction.atomic():
        a = ProjectApproval.objects.select_for_update(of=("self",)).get(pk=approval.pk)
        target = _transition(
            APPROVAL_TRANSITIONS, a.status, "approved" if approved else "refused", a.get_status_display()
        )
        a.status = target
        a.done_at = timezone.now()
        a.save(update_fields=["status", "done_at", "updated_at"])
        if a.clock_id:
            clock_stop(clock=a.clock_id, actor=actor)
        event_append(
            subject=project,
            action="enterprise.approval.completed",
            actor=actor,
            after={"approval": a.pk, "status": target},
            reason=text,
        )
    return a


def project_note_add(*, actor: Any, project: AgentProject, text: str) -> ProjectNote:
    """ENT-5: a progress note, which the enterprise sees."""
    _require_project(actor, project)
    body = check_text(text, field="text", label=_("进展情况"))
    with transaction.atomic():
        note = ProjectNote.objects.create(project=project, text=body, author=actor)
        event_append(subject=project, action="enterprise.project.noted", actor=actor, after={"note": note.pk})
    return note


def project_complete(*, actor: Any, project: AgentProject) -> AgentProject:
    """ENT-5: a project is completed once none of its approvals is still pending."""
    _require_project(actor, project)
    if project.approvals.filter(status="pending").exists():
        raise ValidationError(_("还有审批事项在办理中，不能办结项目。"), code="pending")
    with transaction.atomic():
        project.status = ProjectStatus.COMPLETED
        project.save(update_fields=["status", "updated_at"])
        event_append(
            subject=project, action="enterprise.project.completed", actor=actor, after={"status": project.status}
        )
    return project


# --- 发展环境监测点 (ENT-7) -----------------------------------------------------------------------


def monitoring_point_designate(
    *,
    actor: Any,
    region: Region,
    name: str,
    kind: Any,
    credit_code: str = "",
    account: User | None = None,
    designated_on: Any = None,
) -> MonitoringPoint:
    """ENT-7: the office designates an enterprise, association or deputy as a monitoring point."""
    if not is_office_for(actor, region):
        raise PermissionDenied(_("只有本辖区效能办可以设立监测点。"))
    label = check_text(name, field="name", label=_("监测点名称"), max_length=100)
    k = check_choice(kind, PointKind, field="kind", label=_("监测点类型"))
    code = ""
    if k != PointKind.DEPUTY or str(credit_code or "").strip():
        code = check_credit_code(credit_code)
    day = check_date(designated_on or timezone.localdate(), field="designated_on", label=_("设立日期"))
    if account is not None and (account.role != Role.APPLICANT or not account.is_active):
        raise ValidationError({"account": _("报送账户必须是已注册的企业或个人账户。")})
    with transaction.atomic():
        point = MonitoringPoint.objects.create(
            tenant_id=region.tenant_id or region.pk,
            name=label,
            kind=k,
            region=region,
            credit_code=code,
            account=account,
            designated_on=day,
            created_by=actor,
        )
        event_append(
            subject=point,
            action="enterprise.monitoring_point.designated",
            actor=actor,
            after={"name": label, "kind": str(k), "account": account.pk if account else None},
        )
    return point


def _report_create(
    *,
    actor: Any,
    point: MonitoringPoint | None,
    point_name: str,
    department: Department,
    day: Any,
    text: str,
    severity: Any,
) -> MonitoringPointReport:
    name = check_text(point_name, field="point", label=_("监测点"), max_length=100)
    reported_on = check_date(day, field="reported_on", label=_("报告日期"))
    body = check_text(text, field="text", label=_("反映情况"))
    sev = check_choice(severity, Severity, field="severity", label=_("严重程度"))
    with transaction.atomic():
        report = MonitoringPointReport.objects.create(
            tenant_id=department.tenant_id,
            point=name,
            monitoring_point=point,
            department=department,
            reported_on=reported_on,
            text=body,
            severity=int(sev),
            reported_by=actor,
        )
        event_append(
            subject=report,
            action="enterprise.monitoring.reported",
            actor=actor,
            after={"department": department.pk, "severity": int(sev), "point": point.pk if point else None},
            reason=body[:200],
        )
        notify(
            recipients=User.objects.filter(role=Role.SUPERVISOR, region_id=department.region_id, is_active=True),
            title=_("发展环境监测点报告：%(point)s") % {"point": name},
            url=reverse("enterprise:report", args=[report.pk]),
        )
    return report


def monitoring_report_submit(
    *, actor: Any, point: MonitoringPoint, department: Department | None, text: str, severity: Any
) -> MonitoringPointReport:
    """ENT-7: a monitoring point's account reports a problem with a department of its region's tenant."""
    if not point.active or point.account_id is None or point.account_id != actor.pk:
        raise PermissionDenied(_("只有监测点的报送账户可以报送。"))
    if department is None or department.tenant_id != point.tenant_id:
        raise ValidationError({"department": _("请选择涉及的单位。")})
    return _report_create(
        actor=actor,
        point=point,
        point_name=point.name,
        department=department,
        day=timezone.localdate(),
        text=text,
        severity=severity,
    )


def monitoring_report_record(
    *, actor: Any, point: str, department: Department, reported_on: Any, text: str, severity: Any
) -> MonitoringPointReport:
    """ENT-7: the office records a report it received otherwise (by phone, at a meeting)."""
    if not is_office_for(actor, department.region):
        raise PermissionDenied(_("只有本辖区效能办可以执行此操作。"))
    return _report_create(
        actor=actor, point=None, point_name=point, department=department, day=reported_on, text=text, severity=severity
    )


def _locked_report(report: MonitoringPointReport) -> MonitoringPointReport:
    return (
        MonitoringPointReport.objects.select_for_update(of=("self",))
        .select_related("department__region")
        .get(pk=report.pk)
    )


def monitoring_report_forward(*, actor: Any, report: MonitoringPointReport) -> MonitoringPointReport:
    """ENT-7: the office forwards a report to the department; it answers within 5 working days."""
    if not is_office_for(actor, report.department.region):
        raise PermissionDenied(_("只有本辖区效能办可以转办。"))
    with transaction.atomic():
        r = _locked_report(report)
        target = _transition(REPORT_TRANSITIONS, r.status, "forward", r.get_status_display())
        r.status = target
        r.clock = clock_start(
            owner=r,
            kind=REPLY_CLOCK_KIND,
            label=_("监测点报告答复：%(point)s") % {"point": r.point[:60]},
            limit=REPLY_DAYS,
            department=r.department,
            actor=actor,
        )
        r.save(update_fields=["status", "clock", "updated_at"])
        event_append(subject=r, action="enterprise.monitoring.forwarded", actor=actor, after={"status": target})
        notify(
            recipients=User.objects.filter(department=r.department, role=Role.DEPT_HEAD, is_active=True),
            title=_("发展环境监测点反映问题转办"),
            body=_("请在%(days)d个工作日内答复。") % {"days": REPLY_DAYS},
            url=reverse("enterprise:report", args=[r.pk]),
        )
    return r


def monitoring_report_reply(*, actor: Any, report: MonitoringPointReport, text: str) -> MonitoringPointReport:
    """ENT-7: the department concerned answers; the reply clock stops."""
    if not can_reply_report(actor, report):
        raise PermissionDenied(_("只有涉及单位可以答复。"))
    body = check_text(text, field="text", label=_("答复内容"))
    with transaction.atomic():
        r = _locked_report(report)
        target = _transition(REPORT_TRANSITIONS, r.status, "reply", r.get_status_display())
        r.status = target
        r.reply = body
        r.replied_at = timezone.now()
        r.save(update_fields=["status", "reply", "replied_at", "updated_at"])
        if r.clock_id:
            clock_stop(clock=r.clock_id, actor=actor)
        event_append(
            subject=r, action="enterprise.monitoring.replied", actor=actor, after={"status": target}, reason=body[:200]
        )
    return r


def monitoring_report_close(*, actor: Any, report: MonitoringPointReport, note: str) -> MonitoringPointReport:
    """ENT-7: the office closes a report (after the reply, or at once when nothing is to forward)."""
    if not is_office_for(actor, report.department.region):
        raise PermissionDenied(_("只有本辖区效能办可以办结。"))
    text = check_text(note, field="note", label=_("办结意见"))
    with transaction.atomic():
        r = _locked_report(report)
        target = _transition(REPORT_TRANSITIONS, r.status, "close", r.get_status_display())
        r.status = target
        r.close_note = text
        r.closed_at = timezone.now()
        r.save(update_fields=["status", "close_note", "closed_at", "updated_at"])
        event_append(
            subject=r, action="enterprise.monitoring.closed", actor=actor, after={"status": target}, reason=text
        )
        if r.monitoring_point_id and r.monitoring_point and r.monitoring_point.account_id:
            notify(
                recipients=[r.monitoring_point.account],
                title=_("您报送的问题已办结"),
                body=text[:200],
                url=reverse("enterprise:mine"),
            )
    return r
