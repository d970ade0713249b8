"""Who may do what with catalog items (CAT-6). Services check these; pages and the API use the
same functions to decide which buttons to show.

The system actor (`xiaoneng.core.actors.SYSTEM`: the demo loader, the operator's management
commands) may take every catalog action, in every tenant, as the operator's processes always
could; it is never a request's user, so no page or endpoint acts as it."""

from __future__ import annotations

__all__ = ["can_declare", "can_edit", "can_publish", "can_register", "can_review", "can_view_item"]

from typing import Any

from xiaoneng.core.actors import is_system
from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.choices import Role

from .models import Item


def _staff(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _in_region(user: Any, item: Item) -> bool:
    if user.region_id is None:
        return False
    path = user.region.path
    item_path = item.department.region.path
    return item_path == path or item_path.startswith(path + "/")


def can_edit(user: Any, item: Item) -> bool:
    """Department staff edit their department's items; the administrator any item of the tenant."""
    if is_system(user):
        return True
    if not _staff(user):
        return False
    if user.is_superuser:
        return True
    if user.role in (Role.CLERK, Role.REVIEWER, Role.DEPT_HEAD):
        return user.department_id == item.department_id
    return user.role == Role.ADMIN and user.tenant_id == item.tenant_id


def can_declare(user: Any, item: Item) -> bool:
    """CAT-6: the department declares (申报) — its head or reviewer."""
    if is_system(user):
        return True
    if not _staff(user):
        return False
    if user.is_superuser:
        return True
    return user.role in (Role.DEPT_HEAD, Role.REVIEWER) and user.department_id == item.department_id


def can_review(user: Any, item: Item) -> bool:
    """CAT-6: the legal office (法制审核) of the item's region or an ancestor region reviews."""
    if is_system(user):
        return True
    if not _staff(user):
        return False
    if user.is_superuser:
        return True
    return user.role == Role.LEGAL and _in_region(user, item)


def can_publish(user: Any, item: Item) -> bool:
    """The legal office in scope, or the tenant's administrator, publishes a reviewed version."""
    if can_review(user, item):
        return True
    return _staff(user) and user.role == Role.ADMIN and user.tenant_id == item.tenant_id


def can_register(user: Any, tenant_id: int | None = None) -> bool:
    """Bulk registration — publishing on import, creating the departments an import file names:
    the system administrator (of `tenant_id`, when given) or the superuser, or the system actor."""
    if is_system(user):
        return True
    if not _staff(user):
        return False
    if user.is_superuser:
        return True
    return bool(user.role == Role.ADMIN and (tenant_id is None or user.tenant_id == tenant_id))


def can_view_item(user: Any, item: Item) -> bool:
    return restrict(Item.objects.filter(pk=item.pk), user).exists()
