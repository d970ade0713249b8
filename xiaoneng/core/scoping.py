"""The one place that decides which rows a user may read (conventions §3).

Each scoped model declares a `scope = ScopeRule(...)` naming the paths to its department, region,
owner and the condition under which the public may see it. `restrict(queryset, user)` then gives:

- the public (anonymous): only what is published (`public`), nothing if the model has no public part;
- applicants: their own rows (`owner`) plus what is public;
- window clerks, reviewers, department heads: their department's rows plus what is public;
- legal office, supervisors and leaders: every row in their region's subtree plus what is public;
- system administrators: every row of their tenant (top-level jurisdiction);
- superusers: everything.
"""

from __future__ import annotations

__all__ = ["ScopeRule", "region_subtree_q", "restrict", "restrict_for_model"]

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q

from xiaoneng.core.roles import DEPARTMENT_ROLES, Role


@dataclass(frozen=True)
class ScopeRule:
    department: str | None = None
    region: str | None = None
    owner: str | None = None
    public: Q | None = None
    tenant: str | None = "tenant"


def region_subtree_q(region_path_lookup: str, path: str) -> Q:
    """Rows whose region (reached through `region_path_lookup`, ending in `path`) lies in the
    subtree rooted at the region with `path`."""
    return Q(**{region_path_lookup: path}) | Q(**{f"{region_path_lookup}__startswith": path + "/"})


def _rule(model: type[models.Model]) -> ScopeRule:
    rule = getattr(model, "scope", None)
    if not isinstance(rule, ScopeRule):
        raise TypeError(f"{model.__name__} declares no ScopeRule: it cannot be shown to users")
    return rule


def scope_q(model: type[models.Model], user: Any) -> Q | None:
    """The filter for `user` on `model`; None means no restriction (superuser)."""
    rule = _rule(model)
    nothing = Q(pk__in=[])
    public = rule.public if rule.public is not None else nothing
    if user is None or not user.is_authenticated or not user.is_active:
        return public
    if user.is_superuser:
        return None
    role = user.role
    if role == Role.APPLICANT:
        own = Q(**{rule.owner: user.pk}) if rule.owner else nothing
        return own | public
    if role in DEPARTMENT_ROLES:
        if rule.department and user.department_id:
            return Q(**{rule.department: user.department_id}) | public
        return public
    if role == Role.ADMIN:
        if rule.tenant and user.tenant_id:
            return Q(**{rule.tenant: user.tenant_id}) | public
        return public
    # legal office, supervisors, leaders: their region's subtree
    if user.region_id is None:
        return public
    path = user.region.path
    if rule.region:
        return region_subtree_q(f"{rule.region}__path", path) | public
    if rule.department:
        return region_subtree_q(f"{rule.department}__region__path", path) | public
    return public


def restrict[M: models.Model](queryset: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    q = scope_q(queryset.model, user)
    return queryset if q is None else queryset.filter(q)


def restrict_for_model[M: models.Model](model: type[M], user: Any) -> models.QuerySet[M]:
    return restrict(model._default_manager.all(), user)
