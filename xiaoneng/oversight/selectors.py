"""Scoped reads for rectifications, and who must hear about them."""

from __future__ import annotations

__all__ = [
    "department_heads",
    "rectification_for",
    "rectifications_for",
    "region_ancestor_paths",
    "region_supervisors",
]

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import User

from .models import Rectification


def rectifications_for(user: Any) -> QuerySet[Rectification]:
    return restrict(Rectification.objects.select_related("department", "owner", "clock"), user)


def rectification_for(user: Any, pk: int) -> Rectification:
    return get_object_or_404(rectifications_for(user), pk=pk)


def region_ancestor_paths(path: str) -> list[str]:
    """'339100/339102/339102001' -> the paths of the region and every region above it."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def region_supervisors(region_path: str) -> QuerySet[User]:
    """The efficiency office (效能办) of the region and of every region above it."""
    return User.objects.filter(
        role=Role.SUPERVISOR, is_active=True, region__path__in=region_ancestor_paths(region_path)
    )


def department_heads(department_ids: Any) -> QuerySet[User]:
    return User.objects.filter(role=Role.DEPT_HEAD, is_active=True, department_id__in=list(department_ids))
