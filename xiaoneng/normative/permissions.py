"""Who may do what with normative documents (NOR-7), and the only way pages and the API look a
document up by id (`access_document_by_id`: 404 outside the user's scope, conventions §3)."""

from __future__ import annotations

__all__ = [
    "access_document_by_id",
    "can_file",
    "can_publish",
    "can_review",
    "can_submit",
    "in_region",
    "is_department_user",
    "is_staff_user",
]

from typing import Any

from django.shortcuts import get_object_or_404

from xiaoneng.normative.models import NormativeDocument
from xiaoneng.normative.selectors import documents_for
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import Department


def is_staff_user(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_staff_member))


def is_department_user(user: Any) -> bool:
    return bool(user.is_authenticated and user.role in DEPARTMENT_ROLES and user.department_id)


def in_region(user: Any, department: Department) -> bool:
    """Whether `department` lies in the subtree of the user's region."""
    if user.region_id is None:
        return False
    path, mine = department.region.path, user.region.path
    return path == mine or path.startswith(mine + "/")


def can_submit(user: Any, department: Department) -> bool:
    """NOR-1: the drafting department's staff submit its drafts."""
    if user.is_superuser:
        return True
    return is_department_user(user) and user.department_id == department.pk


def can_review(user: Any, document: NormativeDocument) -> bool:
    """NOR-1: the legal office (司法局/法制机构) of the department's region or above reviews."""
    if user.is_superuser:
        return True
    return bool(user.is_authenticated and user.role == Role.LEGAL and in_region(user, document.department))


def can_publish(user: Any, document: NormativeDocument) -> bool:
    """NOR-4, NOR-6: the head of the drafting department publishes, evaluates and repeals."""
    if user.is_superuser:
        return True
    return bool(user.is_authenticated and user.role == Role.DEPT_HEAD and user.department_id == document.department_id)


def can_file(user: Any, document: NormativeDocument) -> bool:
    """NOR-5: the drafting department's head, or the legal office that submits it on its behalf."""
    return can_publish(user, document) or can_review(user, document)


def access_document_by_id(user: Any, pk: int) -> NormativeDocument:
    return get_object_or_404(documents_for(user), pk=pk)
