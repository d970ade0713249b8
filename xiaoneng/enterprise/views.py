"""Workbench pages (problems, pairings, projects, monitoring reports) and the enterprise's own page
(ENT-6): every read through the selectors, every write through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiaoneng.catalog.choices import VersionStatus
from xiaoneng.catalog.models import Item
from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.enterprise import services
from xiaoneng.enterprise.choices import PointKind, ProblemStatus, ProjectStatus, ReportStatus, Satisfaction, Severity
from xiaoneng.enterprise.models import MonitoringPoint
from xiaoneng.enterprise.permissions import (
    access_pairing_by_id,
    access_problem_by_id,
    access_project_by_id,
    access_report_by_id,
    can_act_for_pairing,
    can_assign_problem,
    can_manage_project,
    can_reply_problem,
    can_reply_report,
    is_enterprise_user,
    is_office_for,
    is_staff_user,
)
from xiaoneng.enterprise.selectors import (
    monitoring_points_for,
    monitoring_reports_for,
    overdue_problems,
    pairings_for,
    problems_for,
    projects_for,
)
from xiaoneng.orgs.choices import STAFF_ROLES
from xiaoneng.orgs.models import Department, User


def _staff(request: AuthedRequest) -> None:
    if not is_staff_user(request.user):
        raise PermissionDenied


def _int(value: Any) -> int:
    """An id from a form, 0 (matching nothing) when it is not one."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else 0


def _error(request: AuthedRequest, e: ValidationError) -> None:
    messages.error(request, "；".join(e.messages))


def _departments(user: Any) -> QuerySet[Department]:
    if user.is_superuser:
        return Department.objects.order_by("name")
    return Department.objects.filter(tenant_id=user.tenant_id).order_by("name")


def _office(user: Any) -> bool:
    return bool(user.is_superuser or (user.region_id is not None and is_office_for(user, user.region)))


# --- problems (ENT-3, ENT-4) ---------------------------------------------------------------------


@login_required
def problem_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    overdue = request.GET.get("overdue") == "1"
    qs = overdue_problems(request.user) if overdue else problems_for(request.user)
    status = request.GET.get("status", "")
    if status in ProblemStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(
        request,
        "enterprise/problem_list.html",
        {
            "items": page.object_list,
            "page": page,
            "statuses": ProblemStatus.choices,
            "status": status,
            "overdue": overdue,
        },
    )


@login_required
def problem_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    user = request.user
    problem = access_problem_by_id(user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "assign":
                dept = _departments(user).filter(pk=_int(request.POST.get("department"))).first()
                services.problem_assign(actor=user, problem=problem, department=dept)
                messages.success(request, _("已交办。"))
            elif action in {"reply", "solve"}:
                services.problem_reply(
                    actor=user, problem=problem, text=request.POST.get("text", ""), solution=action == "solve"
                )
                messages.success(request, _("已答复。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            _error(request, e)
        return redirect("enterprise:problem", pk=problem.pk)
    return render(
        request,
        "enterprise/problem_detail.html",
        {
            "problem": problem,
            "replies": problem.replies.select_related("author"),
            "may_assign": can_assign_problem(user, problem) and problem.status == ProblemStatus.RAISED,
            "may_reply": can_reply_problem(user, problem) and problem.status == ProblemStatus.ASSIGNED,
            "departments": _departments(user) if problem.status == ProblemStatus.RAISED else [],
        },
    )


# --- pairings (ENT-1, ENT-2) ---------------------------------------------------------------------


@login_required
def pairing_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    user = request.user
    office = _office(user)
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        try:
            dept = _departments(user).filter(pk=_int(request.POST.get("department"))).first()
            if dept is None:
                raise ValidationError(_("请选择挂点单位。"))
            official = User.objects.filter(pk=_int(request.POST.get("official"))).first()
            pairing = services.pairing_create(
                actor=user,
                department=dept,
                official=official,
                enterprise_name=request.POST.get("enterprise_name", ""),
                credit_code=request.POST.get("credit_code", ""),
                started_on=request.POST.get("started_on", ""),
            )
        except ValidationError as e:
            _error(request, e)
            return redirect("enterprise:pairings")
        messages.success(request, _("挂点帮扶关系已确定。"))
        return redirect("enterprise:pairing", pk=pairing.pk)
    page = paginate(request, pairings_for(user))
    officials: Any = []
    if office:
        officials = User.objects.filter(is_active=True, role__in=STAFF_ROLES)
        if not user.is_superuser:
            officials = officials.filter(tenant_id=user.tenant_id)
        officials = officials.order_by("username")[:500]
    return render(
        request,
        "enterprise/pairing_list.html",
        {
            "items": page.object_list,
            "page": page,
            "office": office,
            "departments": _departments(user),
            "officials": officials,
        },
    )


@login_required
def pairing_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    user = request.user
    pairing = access_pairing_by_id(user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "visit":
                services.visit_log(
                    actor=user,
                    pairing=pairing,
                    visited_on=request.POST.get("visited_on", ""),
                    content=request.POST.get("content", ""),
                )
                messages.success(request, _("走访已登记。"))
            elif action == "problem":
                problem = services.problem_raise(
                    actor=user, pairing=pairing, title=request.POST.get("title", ""), text=request.POST.get("text", "")
                )
                messages.success(request, _("问题已登记，编号 %(number)s。") % {"number": problem.number})
            elif action == "end":
                services.pairing_end(actor=user, pairing=pairing, ended_on=request.POST.get("ended_on", ""))
                messages.success(request, _("挂点帮扶已结束。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            _error(request, e)
        return redirect("enterprise:pairing", pk=pairing.pk)
    return render(
        request,
        "enterprise/pairing_detail.html",
        {
            "pairing": pairing,
            "visits": pairing.visits.select_related("recorded_by")[:100],
            "problems": pairing.problems.select_related("department", "clock", "assign_clock")[:100],
            "may_act": can_act_for_pairing(user, pairing) and pairing.active,
            "may_end": pairing.active and is_office_for(user, pairing.department.region),
        },
    )


# --- 代办/帮办 projects (ENT-5) -------------------------------------------------------------------


@login_required
def project_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    user = request.user
    if request.method == "POST":
        try:
            dept = user.department if not _office(user) else None
            if dept is None:
                dept = _departments(user).filter(pk=_int(request.POST.get("department"))).first()
            if dept is None:
                raise ValidationError(_("请选择帮办单位。"))
            agent = User.objects.filter(pk=_int(request.POST.get("agent")), department=dept).first()
            project = services.project_create(
                actor=user,
                department=dept,
                agent=agent,
                name=request.POST.get("name", ""),
                enterprise_name=request.POST.get("enterprise_name", ""),
                credit_code=request.POST.get("credit_code", ""),
                description=request.POST.get("description", ""),
            )
        except ValidationError as e:
            _error(request, e)
            return redirect("enterprise:projects")
        messages.success(request, _("帮办项目已登记。"))
        return redirect("enterprise:project", pk=project.pk)
    qs = projects_for(user)
    status = request.GET.get("status", "")
    if status in ProjectStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    agents: Any = []
    if user.department_id:
        agents = User.objects.filter(department_id=user.department_id, is_active=True).order_by("username")
    return render(
        request,
        "enterprise/project_list.html",
        {
            "items": page.object_list,
            "page": page,
            "statuses": ProjectStatus.choices,
            "status": status,
            "may_create": user.role == "dept_head" or _office(user),
            "office": _office(user),
            "departments": _departments(user),
            "agents": agents,
        },
    )


@login_required
def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    user = request.user
    project = access_project_by_id(user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "approval":
                item = Item.objects.filter(pk=_int(request.POST.get("item")), tenant_id=project.tenant_id).first()
                services.approval_add(actor=user, project=project, item=item)
                messages.success(request, _("审批事项已加入。"))
            elif action in {"link", "approved", "refused"}:
                approval = project.approvals.filter(pk=_int(request.POST.get("approval"))).first()
                if approval is None:
                    raise ValidationError(_("请选择审批事项。"))
                if action == "link":
                    services.approval_link_case(
                        actor=user, approval=approval, case_number=request.POST.get("case_number", "")
                    )
                else:
                    services.approval_complete(
                        actor=user, approval=approval, approved=action == "approved", note=request.POST.get("note", "")
                    )
                messages.success(request, _("已保存。"))
            elif action == "note":
                services.project_note_add(actor=user, project=project, text=request.POST.get("text", ""))
                messages.success(request, _("进展已登记。"))
            elif action == "complete":
                services.project_complete(actor=user, project=project)
                messages.success(request, _("帮办项目已办结。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            _error(request, e)
        return redirect("enterprise:project", pk=project.pk)
    manage = can_manage_project(user, project) and project.status == ProjectStatus.ACTIVE
    items: Any = []
    if manage:
        items = (
            Item.objects.filter(tenant_id=project.tenant_id, published__status=VersionStatus.PUBLISHED)
            .select_related("published")
            .order_by("id")[:300]
        )
    return render(
        request,
        "enterprise/project_detail.html",
        {
            "project": project,
            "approvals": project.approvals.select_related("department", "clock", "case"),
            "notes": project.notes.select_related("author")[:100],
            "may_manage": manage,
            "items": items,
        },
    )


# --- 发展环境监测点 (ENT-7) -----------------------------------------------------------------------


@login_required
def report_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    user = request.user
    office = _office(user)
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            if action == "point":
                account = User.objects.filter(username=str(request.POST.get("account", ""))[:150]).first()
                if request.POST.get("account") and account is None:
                    raise ValidationError(_("没有找到该报送账户。"))
                if user.region is None:
                    raise PermissionDenied
                services.monitoring_point_designate(
                    actor=user,
                    region=user.region,
                    name=request.POST.get("name", ""),
                    kind=request.POST.get("kind", ""),
                    credit_code=request.POST.get("credit_code", ""),
                    account=account,
                )
                messages.success(request, _("监测点已设立。"))
            elif action == "record":
                dept = _departments(user).filter(pk=_int(request.POST.get("department"))).first()
                if dept is None:
                    raise ValidationError(_("请选择涉及的单位。"))
                services.monitoring_report_record(
                    actor=user,
                    point=request.POST.get("point", ""),
                    department=dept,
                    reported_on=request.POST.get("reported_on", ""),
                    text=request.POST.get("text", ""),
                    severity=request.POST.get("severity", ""),
                )
                messages.success(request, _("已登记。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            _error(request, e)
        return redirect("enterprise:reports")
    qs = monitoring_reports_for(user)
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(
        request,
        "enterprise/report_list.html",
        {
            "items": page.object_list,
            "page": page,
            "statuses": ReportStatus.choices,
            "status": status,
            "office": office,
            "points": monitoring_points_for(user)[:200],
            "kinds": PointKind.choices,
            "severities": Severity.choices,
            "departments": _departments(user) if office else [],
        },
    )


@login_required
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    user = request.user
    report = access_report_by_id(user, pk)
    office = is_office_for(user, report.department.region)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "forward":
                services.monitoring_report_forward(actor=user, report=report)
            elif action == "reply":
                services.monitoring_report_reply(actor=user, report=report, text=request.POST.get("text", ""))
            elif action == "close":
                services.monitoring_report_close(actor=user, report=report, note=request.POST.get("note", ""))
            else:
                raise ValidationError(_("未知操作。"))
            messages.success(request, _("已保存。"))
        except ValidationError as e:
            _error(request, e)
        return redirect("enterprise:report", pk=report.pk)
    return render(
        request,
        "enterprise/report_detail.html",
        {
            "report": report,
            "may_forward": office and report.status == ReportStatus.SUBMITTED,
            "may_close": office and report.status in {ReportStatus.SUBMITTED, ReportStatus.REPLIED},
            "may_reply": can_reply_report(user, report) and report.status == ReportStatus.FORWARDED,
        },
    )


# --- the enterprise's own page (ENT-6) -----------------------------------------------------------


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """What an enterprise account follows: its pairings (to raise problems), its problems (to rate
    them), its 帮办 projects; a monitoring point's account also submits reports here."""
    user = request.user
    points = MonitoringPoint.objects.filter(account=user, active=True) if user.role == "applicant" else None
    if not is_enterprise_user(user) and not (points is not None and points.exists()):
        raise PermissionDenied
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "raise":
                pairing = access_pairing_by_id(user, _int(request.POST.get("pairing")))
                services.problem_raise(
                    actor=user, pairing=pairing, title=request.POST.get("title", ""), text=request.POST.get("text", "")
                )
                messages.success(request, _("问题已提交给挂点领导。"))
            elif action == "rate":
                problem = access_problem_by_id(user, _int(request.POST.get("problem")))
                services.problem_rate(
                    actor=user,
                    problem=problem,
                    satisfaction=request.POST.get("satisfaction", ""),
                    comment=request.POST.get("comment", ""),
                )
                messages.success(request, _("感谢您的评价。"))
            elif action == "report" and points is not None:
                point = points.filter(pk=_int(request.POST.get("point"))).first()
                if point is None:
                    raise PermissionDenied
                dept = Department.objects.filter(pk=_int(request.POST.get("department")), tenant_id=point.tenant_id)
                services.monitoring_report_submit(
                    actor=user,
                    point=point,
                    department=dept.first(),
                    text=request.POST.get("text", ""),
                    severity=request.POST.get("severity", ""),
                )
                messages.success(request, _("报告已报送。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            _error(request, e)
        return redirect("enterprise:mine")
    page = paginate(request, problems_for(user))
    point_list = list(points) if points is not None else []
    return render(
        request,
        "enterprise/mine.html",
        {
            "pairings": pairings_for(user).filter(active=True),
            "items": page.object_list,
            "page": page,
            "projects": projects_for(user).prefetch_related("approvals__clock", "notes")[:50],
            "satisfactions": Satisfaction.choices,
            "points": point_list,
            "reports": monitoring_reports_for(user)[:50] if point_list else [],
            "severities": Severity.choices,
            "departments": Department.objects.filter(tenant_id=point_list[0].tenant_id).order_by("name")
            if point_list
            else [],
        },
    )
