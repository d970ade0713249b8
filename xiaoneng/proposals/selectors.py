"""Permission-scoped reads of proposals and major decisions, and the public list of decisions whose
draft is (or was) published for comment (DEC-2)."""

from __future__ import annotations

__all__ = ["assignable_departments", "decisions_for", "proposals_for", "public_decisions"]

from typing import Any

from django.db.models import Count, Q, QuerySet

from xiaoneng.core.scoping import region_subtree_q, restrict
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import Department
from xiaoneng.proposals.models import MajorDecision, Proposal


def proposals_for(user: Any) -> QuerySet[Proposal]:
    """PRP-1: the lead department's staff, the co-handling departments' staff (their proposals), the
    region roles their subtree, the administrator the tenant."""
    base = Proposal.objects.select_related("lead_department", "reply_clock")
    qs = restrict(base, user)
    if user.is_authenticated and user.role in DEPARTMENT_ROLES and user.department_id:
        qs = base.filter(Q(pk__in=qs.values("pk")) | Q(cohandlings__department_id=user.department_id)).distinct()
    return qs


def decisions_for(user: Any) -> QuerySet[MajorDecision]:
    return restrict(MajorDecision.objects.select_related("department"), user)


def public_decisions() -> QuerySet[MajorDecision]:
    """DEC-2: decisions whose draft has been published for comment, with their comment count."""
    return (
        MajorDecision.objects.filter(published_on__isnull=False)
        .select_related("department")
        .annotate(comment_count=Count("comments"))
        .order_by("-published_on", "-id")
    )


def assignable_departments(user: Any) -> QuerySet[Department]:
    """PRP-1: the departments the office may assign to: its region's subtree (the administrator: its
    tenant)."""
    qs = Department.objects.select_related("region").order_by("region__path", "name")
    if user.is_superuser:
        return qs
    if user.role == Role.ADMIN and user.tenant_id:
        return qs.filter(tenant_id=user.tenant_id)
    if user.region_id is None:
        return qs.none()
    return qs.filter(region_subtree_q("region__path", user.region.path))
