"""Permission-scoped reads of organisations and people."""

from __future__ import annotations

__all__ = ["POST_MANAGER_ROLES", "posts_manageable"]

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Post

# CAS-9: who decides that a post's A holder is absent.
POST_MANAGER_ROLES = frozenset({Role.DEPT_HEAD, Role.ADMIN})


def posts_manageable(user: Any) -> QuerySet[Post]:
    """The posts whose A/B holders `user` manages: a department head's department, an administrator's
    tenant (through the Post scope rule), everything for a superuser. Other roles are refused."""
    if not getattr(user, "is_authenticated", False) or not (user.is_superuser or user.role in POST_MANAGER_ROLES):
        raise PermissionDenied(_("只有部门负责人或系统管理员可以管理A、B角。"))
    qs = Post.objects.select_related("department", "department__region", "holder_a", "holder_b")
    return restrict(qs, user).order_by("department__region__path", "department__name", "name")
