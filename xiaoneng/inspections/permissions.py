"""Who may do what in the inspections app, and the only way pages and the API look rows up by id
(`access_*_by_id`: 404 outside the user's scope, conventions §3)."""

from __future__ import annotations

__all__ = [
    "EVIDENCE_FIELDS",
    "access_certificate_by_id",
    "access_filing_by_id",
    "access_inspection_by_id",
    "access_notice_by_id",
    "access_penalty_by_id",
    "can_approve_filing",
    "can_issue_certificate",
    "can_record_for",
    "evidence_access",
    "in_region",
    "is_department_user",
    "is_office_user",
    "is_staff_user",
    "may_check",
]

from typing import Any

from django.shortcuts import get_object_or_404

from xiaoneng.inspections.choices import OFFICE_ROLES, InspectionKind
from xiaoneng.inspections.models import (
    EnforcementCertificate,
    FirstViolationNotice,
    Inspection,
    InspectionEvidence,
    InspectionFiling,
    PenaltyDecision,
)
from xiaoneng.inspections.selectors import certificates_for, filings_for, inspections_for, notices_for, penalties_for
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import Department


def is_department_user(user: Any) -> bool:
    return bool(user.is_authenticated and user.role in DEPARTMENT_ROLES and user.department_id)


def is_office_user(user: Any) -> bool:
    """The efficiency office and leaders (INS-9), and the superuser."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in OFFICE_ROLES))


def is_staff_user(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_staff_member))


def in_region(user: Any, department: Department) -> bool:
    """Whether `department` lies in the subtree of the user's region."""
    if user.region_id is None:
        return False
    path, mine = department.region.path, user.region.path
    return path == mine or path.startswith(mine + "/")


def can_record_for(user: Any, department: Department) -> bool:
    """Department staff act for their own department (filings, inspections, notices, penalties)."""
    if user.is_superuser:
        return True
    return is_department_user(user) and user.department_id == department.pk


def can_approve_filing(user: Any, filing: InspectionFiling) -> bool:
    """INS-1: the head of the filing department (部门主管领导) approves."""
    if user.is_superuser:
        return True
    return bool(user.role == Role.DEPT_HEAD and user.department_id == filing.department_id)


def can_issue_certificate(user: Any, department: Department) -> bool:
    """Certificates are issued by the legal office (司法局) of the region, or the tenant's administrator."""
    if user.is_superuser:
        return True
    if user.role == Role.LEGAL:
        return in_region(user, department)
    return bool(user.role == Role.ADMIN and user.tenant_id == department.tenant_id)


def access_filing_by_id(user: Any, pk: int) -> InspectionFiling:
    return get_object_or_404(filings_for(user), pk=pk)


def access_inspection_by_id(user: Any, pk: int) -> Inspection:
    return get_object_or_404(inspections_for(user), pk=pk)


def access_certificate_by_id(user: Any, pk: int) -> EnforcementCertificate:
    return get_object_or_404(certificates_for(user), pk=pk)


def access_notice_by_id(user: Any, pk: int) -> FirstViolationNotice:
    return get_object_or_404(notices_for(user), pk=pk)


def access_penalty_by_id(user: Any, pk: int) -> PenaltyDecision:
    return get_object_or_404(penalties_for(user), pk=pk)


EVIDENCE_FIELDS = ("id", "inspection_id", "notice_id", "penalty_id", "file", "name")


def evidence_access(user: Any, ev: InspectionEvidence) -> None:
    """执法全过程记录: a file is reachable only through its parent act in the user's scope (404 outside)."""
    if ev.notice_id is not None:
        access_notice_by_id(user, ev.notice_id)
    elif ev.penalty_id is not None:
        access_penalty_by_id(user, ev.penalty_id)
    else:
        access_inspection_by_id(user, ev.inspection_id or 0)


def may_check(user: Any, kind: str, department: Department) -> bool:
    """INS-9: who records (and adds findings to) an inspection of this kind of this department."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if kind in (InspectionKind.UNANNOUNCED, InspectionKind.CROSS):
        return is_office_user(user) and in_region(user, department)
    if kind in (InspectionKind.SELF, InspectionKind.ENTERPRISE):
        return can_record_for(user, department)
    return False
