"""Who may do what with proposals and decisions, and the only way pages and the API look them up by id
(`access_*_by_id`: 404 outside the user's scope, conventions §3)."""

from __future__ import annotations

__all__ = [
    "access_decision_by_id",
    "access_proposal_by_id",
    "can_adopt",
    "can_answer_cohandling",
    "can_record_feedback",
    "can_record_step",
    "can_register_decision",
    "can_register_proposal",
    "can_reply",
    "can_review_legality",
    "in_region",
    "is_department_user",
    "is_office_user",
    "is_staff_user",
]

from typing import Any

from django.shortcuts import get_object_or_404

from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import Department
from xiaoneng.proposals.choices import OFFICE_ROLES
from xiaoneng.proposals.models import CoHandling, MajorDecision, Proposal
from xiaoneng.proposals.selectors import decisions_for, proposals_for


def is_staff_user(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_staff_member))


def is_department_user(user: Any) -> bool:
    return bool(user.is_authenticated and user.role in DEPARTMENT_ROLES and user.department_id)


def is_office_user(user: Any) -> bool:
    """PRP-1: the government office's supervision staff and leaders, the administrator, the superuser."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in OFFICE_ROLES))


def in_region(user: Any, department: Department) -> bool:
    """Whether `department` lies in the subtree of the user's region (the administrator: its tenant)."""
    if user.role == Role.ADMIN:
        return bool(user.tenant_id and user.tenant_id == department.tenant_id)
    if user.region_id is None:
        return False
    path, mine = department.region.path, user.region.path
    return path == mine or path.startswith(mine + "/")


def can_register_proposal(user: Any, department: Department) -> bool:
    """PRP-1: the office registers and assigns to departments of its region."""
    if user.is_superuser:
        return True
    return is_office_user(user) and in_region(user, department)


def can_answer_cohandling(user: Any, cohandling: CoHandling) -> bool:
    """PRP-3: the co-handling department's staff."""
    if user.is_superuser:
        return True
    return is_department_user(user) and user.department_id == cohandling.department_id


def can_reply(user: Any, proposal: Proposal) -> bool:
    """PRP-4: the lead department's head signs the reply."""
    if user.is_superuser:
        return True
    return bool(
        user.is_authenticated and user.role == Role.DEPT_HEAD and user.department_id == proposal.lead_department_id
    )


def can_record_feedback(user: Any, proposal: Proposal) -> bool:
    """PRP-5: the office that assigned it records the proposer's answer."""
    return can_register_proposal(user, proposal.lead_department)


def can_register_decision(user: Any, department: Department) -> bool:
    """DEC-1: the department that carries the decision (决策承办单位) registers it and records its steps."""
    if user.is_superuser:
        return True
    return is_department_user(user) and user.department_id == department.pk


def can_record_step(user: Any, decision: MajorDecision) -> bool:
    return can_register_decision(user, decision.department)


def can_review_legality(user: Any, decision: MajorDecision) -> bool:
    """DEC-3: the legal office of the region."""
    if user.is_superuser:
        return True
    return bool(user.is_authenticated and user.role == Role.LEGAL and in_region(user, decision.department))


def can_adopt(user: Any, decision: MajorDecision) -> bool:
    """DEC-4: the leaders of the region (or the office recording the meeting's decision)."""
    if user.is_superuser:
        return True
    return bool(
        user.is_authenticated and user.role in (Role.LEADER, Role.SUPERVISOR) and in_region(user, decision.department)
    )


def access_proposal_by_id(user: Any, pk: int) -> Proposal:
    return get_object_or_404(proposals_for(user), pk=pk)


def access_decision_by_id(user: Any, pk: int) -> MajorDecision:
    return get_object_or_404(decisions_for(user), pk=pk)
