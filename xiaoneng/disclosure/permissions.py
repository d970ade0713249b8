"""Who may do what in the disclosure app. Services check these; pages and the API use the same
functions, and look rows up by id only through the access_* helpers (404 outside scope)."""

from __future__ import annotations

__all__ = [
    "access_record_by_id",
    "access_request_by_id",
    "can_approve_extension",
    "can_handle",
    "can_issue_report",
    "can_publish",
    "can_read_report",
    "is_department_staff",
    "require",
]

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from xiaoneng.disclosure.models import ActiveRecord, DisclosureRequest
from xiaoneng.disclosure.selectors import records_for, requests_for
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, STAFF_ROLES, Role


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_department_staff(user: Any, department_id: int | None) -> bool:
    """Staff of the department itself (window clerk, reviewer, department head)."""
    return (
        _active(user)
        and user.role in DEPARTMENT_ROLES
        and department_id is not None
        and user.department_id == department_id
    )


def can_handle(user: Any, request: DisclosureRequest) -> bool:
    """The requested department's own staff handle a request (register, correct, consult, answer)."""
    return bool(_active(user) and (user.is_superuser or is_department_staff(user, request.department_id)))


def can_approve_extension(user: Any, request: DisclosureRequest) -> bool:
    """DIS-1: the extension needs the consent of the head of the disclosure office — here the
    department head of the requested department."""
    return bool(
        _active(user)
        and (user.is_superuser or (user.role == Role.DEPT_HEAD and user.department_id == request.department_id))
    )


def can_publish(user: Any, department_id: int) -> bool:
    """DIS-3: a record is published after review — by the department's reviewer or head."""
    return bool(
        _active(user)
        and (
            user.is_superuser or (user.role in (Role.REVIEWER, Role.DEPT_HEAD) and user.department_id == department_id)
        )
    )


def can_read_report(user: Any) -> bool:
    return bool(_active(user) and (user.is_superuser or user.role in STAFF_ROLES))


def can_issue_report(user: Any, *, department: Any = None, region: Any = None) -> bool:
    """DIS-3: a department's report is issued by its head; a government's own report by the
    efficiency office (supervisor) or a leader of that very region."""
    if not _active(user) or (department is None) == (region is None):
        return False
    if user.is_superuser:
        return True
    if department is not None:
        return bool(user.role == Role.DEPT_HEAD and user.department_id == department.pk)
    return bool(user.role in (Role.SUPERVISOR, Role.LEADER) and user.region_id == region.pk)


def require(allowed: bool, message: Any) -> None:
    if not allowed:
        raise PermissionDenied(str(message))


def access_request_by_id(user: Any, pk: int) -> DisclosureRequest:
    return get_object_or_404(requests_for(user), pk=pk)


def access_record_by_id(user: Any, pk: int) -> ActiveRecord:
    return get_object_or_404(records_for(user), pk=pk)
