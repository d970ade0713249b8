"""Permission-scoped reads of the enterprise-service app (ENT-6), and what other apps read: the
overdue problems (for supervision, ENT-3) and the monitoring-point reports (for the warning index,
ENT-7)."""

from __future__ import annotations

__all__ = [
    "enterprise_credit_code",
    "enterprises_for",
    "monitoring_points_for",
    "monitoring_reports_for",
    "overdue_problems",
    "pairings_for",
    "problems_for",
    "projects_for",
]

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from xiaoneng.core.scoping import region_subtree_q, restrict
from xiaoneng.enterprise.choices import ProblemStatus
from xiaoneng.enterprise.models import (
    AgentProject,
    Enterprise,
    MonitoringPoint,
    MonitoringPointReport,
    Pairing,
    Problem,
)
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, ApplicantKind, Role


def enterprise_credit_code(user: Any) -> str:
    """ENT-6: the credit code an enterprise account reads by ("" for anyone else)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.role != Role.APPLICANT:
        return ""
    if user.applicant_kind != ApplicantKind.COMPANY:
        return ""
    return user.company_credit_code or ""


def _scoped[M: Any](
    qs: QuerySet[M],
    user: Any,
    *,
    departments: tuple[str, ...],
    regions: tuple[str, ...],
    people: tuple[str, ...] = (),
    enterprise: str | None = "enterprise__credit_code",
) -> QuerySet[M]:
    """ENT-6: a row is read by the enterprise it concerns, by the people named on it, by the staff of
    any department named on it, by region roles whose subtree holds one of those departments, by the
    administrator of its tenant, by the superuser."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.APPLICANT:
        code = enterprise_credit_code(user)
        if not code or enterprise is None:
            return qs.none()
        return qs.filter(**{enterprise: code})
    q = Q(pk__in=[])
    for p in people:
        q |= Q(**{p: user.pk})
    if user.role in DEPARTMENT_ROLES and user.department_id:
        for d in departments:
            q |= Q(**{d: user.department_id})
    elif user.role == Role.ADMIN and user.tenant_id:
        q |= Q(tenant_id=user.tenant_id)
    elif user.region_id is not None:
        for r in regions:
            q |= region_subtree_q(f"{r}__path", user.region.path)
    return qs.filter(q).distinct() if len(people) + len(departments) > 1 else qs.filter(q)


def enterprises_for(user: Any) -> QuerySet[Enterprise]:
    return restrict(Enterprise.objects.select_related("region"), user)


def pairings_for(user: Any) -> QuerySet[Pairing]:
    return _scoped(
        Pairing.objects.select_related("enterprise", "department", "official"),
        user,
        departments=("department",),
        regions=("department__region",),
        people=("official",),
    )


def problems_for(user: Any) -> QuerySet[Problem]:
    return _scoped(
        Problem.objects.select_related(
            "enterprise", "pairing__department", "pairing__official", "department", "clock", "assign_clock"
        ),
        user,
        departments=("pairing__department", "department"),
        regions=("pairing__department__region", "department__region"),
        people=("pairing__official",),
    )


def projects_for(user: Any) -> QuerySet[AgentProject]:
    return _scoped(
        AgentProject.objects.select_related("enterprise", "department", "agent"),
        user,
        departments=("department", "approvals__department"),
        regions=("department__region",),
        people=("agent",),
    )


def monitoring_points_for(user: Any) -> QuerySet[MonitoringPoint]:
    return restrict(MonitoringPoint.objects.select_related("region", "account"), user)


def monitoring_reports_for(user: Any) -> QuerySet[MonitoringPointReport]:
    """ENT-7: reports a user may read — the point's own account, the department concerned, the region's
    office and leaders. The warning index (evaluation) counts them through this selector."""
    return restrict(MonitoringPointReport.objects.select_related("department", "monitoring_point", "clock"), user)


def overdue_problems(user: Any) -> QuerySet[Problem]:
    """ENT-3, for supervision: problems not yet solved whose assign or solve clock is past due."""
    now = timezone.now()
    return problems_for(user).filter(
        Q(status=ProblemStatus.RAISED, assign_clock__due_at__lt=now)
        | Q(status=ProblemStatus.ASSIGNED, clock__due_at__lt=now)
    )
