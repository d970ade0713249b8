"""Who may do what in oversight, and the only way pages and the API look records up by id
(`access_*_by_id`: 404 outside the user's scope, conventions §3). The actions check the `can_*`
functions; pages use the same ones to decide which buttons to show."""

from __future__ import annotations

__all__ = [
    "access_assignment_by_id",
    "access_exemption_by_id",
    "access_record_by_id",
    "access_rectification_by_id",
    "access_task_by_id",
    "can_apply_exemption",
    "can_decide_exemption",
    "can_impose",
    "can_office_region",
    "can_report",
    "can_supervise",
    "is_office_user",
    "is_staff_user",
    "require_staff",
    "sanctions_imposable",
]

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, STAFF_ROLES, Role
from xiaoneng.oversight.choices import SANCTION_AUTHORITY, SANCTION_LADDER, VERIFIER_ROLES
from xiaoneng.oversight.models import (
    AccountabilityRecord,
    ExemptionApplication,
    Rectification,
    SupervisedTask,
    TaskAssignment,
)
from xiaoneng.oversight.selectors import assignments_for, exemptions_for, records_for, rectifications_for, tasks_for


def _active(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_office_user(user: Any) -> bool:
    """The efficiency office (效能办/督查室) and leaders."""
    return _active(user) and (user.is_superuser or user.role in VERIFIER_ROLES)


def is_staff_user(user: Any) -> bool:
    return _active(user) and (user.is_superuser or user.role in STAFF_ROLES)


def require_staff(user: Any) -> None:
    if not is_staff_user(user):
        raise PermissionDenied


def access_task_by_id(user: Any, pk: int) -> SupervisedTask:
    return get_object_or_404(tasks_for(user), pk=pk)


def access_assignment_by_id(user: Any, pk: int) -> TaskAssignment:
    return get_object_or_404(assignments_for(user), pk=pk)


def access_rectification_by_id(user: Any, pk: int) -> Rectification:
    return get_object_or_404(rectifications_for(user), pk=pk)


def access_record_by_id(user: Any, pk: int) -> AccountabilityRecord:
    return get_object_or_404(records_for(user), pk=pk)


def access_exemption_by_id(user: Any, pk: int) -> ExemptionApplication:
    return get_object_or_404(exemptions_for(user), pk=pk)


def can_office_region(user: Any, region_path: str) -> bool:
    """The office or a leader of the region `region_path` or of a region above it."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if user.role not in VERIFIER_ROLES or user.region_id is None:
        return False
    mine = user.region.path
    return region_path == mine or region_path.startswith(mine + "/")


def can_supervise(user: Any, task: SupervisedTask) -> bool:
    """Urge, verify and reject: the office (or a leader) of the task's region or above."""
    return can_office_region(user, task.region.path)


def can_report(user: Any, assignment: TaskAssignment) -> bool:
    """Progress and completion reports: staff of the department the share was assigned to."""
    return _active(user) and (
        user.is_superuser or (user.role in DEPARTMENT_ROLES and user.department_id == assignment.department_id)
    )


def can_impose(user: Any, sanction: str, department: Any) -> bool:
    """ACC-1: whether `user` may impose `sanction` on someone of `department` — the role must be
    allowed that rung (SANCTION_AUTHORITY), and the department within the user's reach (a department
    head only in their own department; the office and leaders in their region's subtree)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if user.role not in SANCTION_AUTHORITY.get(sanction, frozenset()):
        return False
    if user.role == Role.DEPT_HEAD:
        return bool(user.department_id == department.pk)
    return can_office_region(user, department.region.path)


def sanctions_imposable(user: Any) -> list[str]:
    """ACC-1: the rungs of the ladder this user's role may impose, lowest first (the choices offered
    on the record form and by the API). Whether the department is within reach is `can_impose`'s
    second half and is checked when the record is written."""
    if not _active(user):
        return []
    ladder = sorted(SANCTION_LADDER, key=lambda s: SANCTION_LADDER[s])
    if user.is_superuser:
        return ladder
    return [s for s in ladder if user.role in SANCTION_AUTHORITY.get(s, frozenset())]


def can_apply_exemption(user: Any, record: AccountabilityRecord) -> bool:
    """ACC-3: the person held accountable, or the head of their department, may apply for 容错."""
    if not _active(user):
        return False
    if record.person_id is not None and user.pk == record.person_id:
        return True
    return bool(user.role == Role.DEPT_HEAD and user.department_id == record.department_id)


def can_decide_exemption(user: Any, application: ExemptionApplication) -> bool:
    """ACC-3: the office or a leader of the record's region decides — never the applicant, nor the
    person held accountable."""
    if not _active(user) or user.pk in (application.applicant_id, application.record.person_id):
        return False
    return can_office_region(user, application.record.department.region.path) and bool(
        user.is_superuser or restrict(AccountabilityRecord.objects.filter(pk=application.record_id), user).exists()
    )
