"""Who may do what with a complaint. The actions check these; pages and the API use the same
functions to decide which roles reach them, and look complaints up by id only through
`access_complaint_by_id` (404 outside the user's scope, conventions §3)."""

from __future__ import annotations

__all__ = [
    "access_attachment_by_id",
    "access_complaint_by_id",
    "can_handle",
    "can_office",
    "is_department_user",
    "is_office_user",
    "is_staff_user",
    "require_office",
]

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from xiaoneng.complaints.choices import OFFICE_ROLES
from xiaoneng.complaints.models import Complaint, ComplaintAttachment
from xiaoneng.complaints.selectors import complainant_shown, complaints_for
from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.choices import DEPARTMENT_ROLES


def is_office_user(user: Any) -> bool:
    """The efficiency office's pages and endpoints: the office and leaders (and the superuser)."""
    return bool(user.is_superuser or user.role in OFFICE_ROLES)


def is_department_user(user: Any) -> bool:
    """The handling department's pages: department staff only."""
    return user.role in DEPARTMENT_ROLES


def is_staff_user(user: Any) -> bool:
    """Staff pages and endpoints shared by the office and the departments (lists, statistics)."""
    return is_office_user(user) or is_department_user(user)


def access_complaint_by_id(user: Any, pk: int) -> Complaint:
    """The complaint `pk` if it lies in the user's scope (region subtree, or the user's department's
    orders); otherwise 404, so that an id outside the scope reveals nothing."""
    return get_object_or_404(complaints_for(user), pk=pk)


def access_attachment_by_id(user: Any, complaint: Complaint, pk: int) -> ComplaintAttachment:
    """A complainant's file of a complaint already in scope, unless the complainant is hidden from
    this user (anonymous, or hidden from the department: a file may name them) — then 404."""
    if not complainant_shown(user, complaint)["show_case"]:
        raise Http404
    return get_object_or_404(ComplaintAttachment.objects.filter(complaint=complaint), pk=pk)


def can_office(actor: Any, complaint: Complaint | None = None) -> bool:
    """The efficiency office (or a leader) of the complaint's region or a region above it."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if actor.role not in OFFICE_ROLES:
        return False
    if complaint is None:
        return actor.region_id is not None
    return restrict(Complaint.objects.filter(pk=complaint.pk), actor).exists()


def can_handle(actor: Any, complaint: Complaint) -> bool:
    """Staff of the department the order was dispatched to."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return (
        actor.role in DEPARTMENT_ROLES
        and complaint.handling_department_id is not None
        and actor.department_id == complaint.handling_department_id
    )


def require_office(actor: Any, complaint: Complaint | None = None) -> None:
    """The actions' check: PermissionDenied, with the reason, unless `can_office`."""
    if not can_office(actor, complaint):
        raise PermissionDenied(_("只有效能办（投诉受理机构）可以执行此操作。"))
