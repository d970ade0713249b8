"""Who may do what with catalog items (CAT-6). Services check these; pages and the API use the
same functions to decide which buttons to show, and look items, versions and materials up by the
id or code in a URL only through the `access_*` functions here (404 outside the user's scope, so an
id outside it reveals nothing; conventions §3).

The system actor (`xiaoneng.core.actors.SYSTEM`: the demo loader, the operator's management
commands) may take every catalog action, in every tenant, as the operator's processes always
could; it is never a request's user, so no page or endpoint acts as it."""

from __future__ import annotations

__all__ = [
    "access_fee_entry_by_id",
    "access_item_by_code",
    "access_item_by_id",
    "access_material_by_id",
    "access_review_version_by_id",
    "access_version_by_id",
    "access_version_by_number",
    "access_visible_material_by_id",
    "access_visible_version_by_id",
    "can_declare",
    "can_edit",
    "can_manage_fee_catalog",
    "can_publish",
    "can_register",
    "can_review",
]

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from xiaoneng.catalog.models import FeeCatalogEntry, Item, ItemVersion, Material
from xiaoneng.catalog.selectors import (
    fee_entries_for_user,
    items_for_user,
    items_for_workbench,
    review_queue,
    versions_for_user,
)
from xiaoneng.core.actors import is_system
from xiaoneng.orgs.choices import Role


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
        return bool(user.department_id == item.department_id)
    return bool(user.role == Role.ADMIN and user.tenant_id == item.tenant_id)


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


def access_item_by_code(user: Any, code: str) -> Item:
    """The item with this implementing code if the user may see it (the public: a published public
    item; staff: their scope), for the catalog pages and the API; otherwise 404."""
    item = items_for_user(user).filter(implementing_code=code).order_by("tenant_id").first()
    if item is None:
        raise Http404
    return item


def access_version_by_number(user: Any, item: Item, number: int) -> ItemVersion:
    """Version `number` of an item already reached, if the user may see that version; else 404."""
    return get_object_or_404(versions_for_user(user).filter(item=item), number=number)


def access_visible_version_by_id(user: Any, pk: int) -> ItemVersion:
    """The version `pk` if the user may see it (its result sample is downloaded); else 404."""
    return get_object_or_404(versions_for_user(user), pk=pk)


def access_visible_material_by_id(user: Any, pk: int) -> Material:
    """The material `pk` of a version the user may see (its blank form or sample); else 404."""
    return get_object_or_404(Material.objects.filter(version__in=versions_for_user(user)), pk=pk)


def access_item_by_id(user: Any, pk: int) -> Item:
    """The item `pk` if it is in the user's workbench (`selectors.items_for_workbench`); else 404.
    Whether the user may then change it is the action's check (`can_edit` and the others)."""
    return get_object_or_404(items_for_workbench(user), pk=pk)


def access_version_by_id(user: Any, pk: int) -> ItemVersion:
    """The version `pk` of an item in the user's workbench, if the user may see it; else 404."""
    return get_object_or_404(versions_for_user(user).filter(item__in=items_for_workbench(user)), pk=pk)


def access_material_by_id(user: Any, pk: int) -> Material:
    """The material `pk` of a version of an item in the user's workbench; else 404."""
    return get_object_or_404(Material.objects.filter(version__item__in=items_for_workbench(user)), pk=pk)


def access_review_version_by_id(user: Any, pk: int) -> ItemVersion:
    """The version `pk` if it is in the user's review queue (declared or reviewed, in the legal
    office's region or the administrator's tenant; `selectors.review_queue`); else 404."""
    return get_object_or_404(review_queue(user), pk=pk)


def can_manage_fee_catalog(user: Any, tenant_id: int | None) -> bool:
    """CAT-FEE-1: the jurisdiction's administrator maintains its fee catalog (收费目录)."""
    if is_system(user):
        return True
    if not _staff(user):
        return False
    if user.is_superuser:
        return True
    return bool(user.role == Role.ADMIN and tenant_id is not None and user.tenant_id == tenant_id)


def access_fee_entry_by_id(user: Any, pk: int) -> FeeCatalogEntry:
    """The fee catalog entry `pk` of the jurisdiction the administrator manages; else 404."""
    return get_object_or_404(fee_entries_for_user(user), pk=pk)
