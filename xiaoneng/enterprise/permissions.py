"""Who may do what in the enterprise-service app, and the only way pages and the API look rows up
by id (`access_*_by_id`: 404 outside the user's scope, conventions §3)."""

from __future__ import annotations

__all__ = [
    "OFFICE_ROLES",
    "access_pairing_by_id",
    "access_problem_by_id",
    "access_project_by_id",
    "access_report_by_id",
    "can_act_for_pairing",
    "can_assign_problem",
    "can_manage_project",
    "can_reply_problem",
    "can_reply_report",
    "in_region",
    "is_enterprise_user",
    "is_office_for",
    "is_staff_user",
]

from typing import Any

from django.shortcuts import get_object_or_404

from xiaoneng.enterprise.models import AgentProject, MonitoringPointReport, Pairing, Problem
from xiaoneng.enterprise.selectors import (
    enterprise_credit_code,
    monitoring_reports_for,
    pairings_for,
    problems_for,
    projects_for,
)
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role

# ENT-1, ENT-7: the efficiency office (效能办) and the leaders of a region organise the service
OFFICE_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})


def is_staff_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.is_staff_member))


def is_enterprise_user(user: Any) -> bool:
    """ENT-6: an applicant account of kind 法人/企业 with its company credit code."""
    return bool(enterprise_credit_code(user))


def in_region(user: Any, region: Any) -> bool:
    if user.region_id is None or region is None:
        return False
    path, mine = region.path, user.region.path
    return bool(path == mine or path.startswith(mine + "/"))


def is_office_for(user: Any, region: Any) -> bool:
    """The efficiency office or a leader of `region` or above; the superuser."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.role in OFFICE_ROLES and in_region(user, region)


def _dept_user(user: Any, department_id: int | None) -> bool:
    return bool(user.role in DEPARTMENT_ROLES and department_id and user.department_id == department_id)


def can_act_for_pairing(user: Any, pairing: Pairing) -> bool:
    """ENT-2: the paired official or the pairing department's staff log visits and record problems."""
    if user.is_superuser:
        return True
    return user.pk == pairing.official_id or _dept_user(user, pairing.department_id)


def can_assign_problem(user: Any, problem: Problem) -> bool:
    """ENT-3: the paired official, or the head of the pairing department, assigns a problem."""
    if user.is_superuser:
        return True
    pairing = problem.pairing
    return bool(
        user.pk == pairing.official_id or (user.role == Role.DEPT_HEAD and user.department_id == pairing.department_id)
    )


def can_reply_problem(user: Any, problem: Problem) -> bool:
    """ENT-4: the responsible department replies."""
    return bool(user.is_superuser or _dept_user(user, problem.department_id))


def can_manage_project(user: Any, project: AgentProject) -> bool:
    """ENT-5: the agent, or the head of the agent's department."""
    if user.is_superuser:
        return True
    return bool(
        user.pk == project.agent_id or (user.role == Role.DEPT_HEAD and user.department_id == project.department_id)
    )


def can_reply_report(user: Any, report: MonitoringPointReport) -> bool:
    """ENT-7: the department concerned answers a forwarded report."""
    return bool(user.is_superuser or _dept_user(user, report.department_id))


def access_pairing_by_id(user: Any, pk: int) -> Pairing:
    return get_object_or_404(pairings_for(user), pk=pk)


def access_problem_by_id(user: Any, pk: int) -> Problem:
    return get_object_or_404(problems_for(user), pk=pk)


def access_project_by_id(user: Any, pk: int) -> AgentProject:
    return get_object_or_404(projects_for(user), pk=pk)


def access_report_by_id(user: Any, pk: int) -> MonitoringPointReport:
    return get_object_or_404(monitoring_reports_for(user), pk=pk)
