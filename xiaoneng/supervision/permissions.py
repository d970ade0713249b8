"""Who may do what in supervision, and the one place that scopes its reads (conventions §3): the
scoped querysets of alerts, irregularity flags, efficiency scores and bulletins, the predicates the
actions check, and `access_<entity>_by_id` lookups that 404 outside the user's scope. Pages and the
API use the same functions to decide which roles reach them.
"""

from __future__ import annotations

__all__ = [
    "READER_ROLES",
    "access_alert_by_id",
    "access_bulletin_by_id",
    "access_deduction_by_id",
    "access_irregularity_by_id",
    "access_obligation_by_external_id",
    "access_score_by_id",
    "alerts_for",
    "bulletins_for",
    "can_handle",
    "can_handle_irregularity",
    "can_issue_bulletins",
    "can_read_bulletins",
    "can_supervise",
    "irregularities_for",
    "may_read",
    "region_in_scope",
    "regions_of",
    "require_handler_or_supervisor",
    "require_irregularity_reader",
    "scores_for",
    "scores_in_region",
]

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import Region
from xiaoneng.supervision.choices import BULLETIN_ISSUER_ROLES, SUPERVISOR_ROLES
from xiaoneng.supervision.models import (
    Alert,
    Bulletin,
    Deduction,
    EfficiencyScore,
    ExternalObligation,
    ExternalSystem,
    Irregularity,
)


# ---------------------------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------------------------
def can_handle(actor: Any, alert: Alert) -> bool:
    """The unit answers for its own alerts: staff of the alert's department."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    return (
        actor.role in DEPARTMENT_ROLES
        and actor.department_id is not None
        and actor.department_id == alert.department_id
    )


def can_supervise(actor: Any, alert: Alert | None = None) -> bool:
    """The efficiency office and leaders, for alerts in their region's subtree."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    if actor.role not in SUPERVISOR_ROLES:
        return False
    return alert is None or restrict(Alert.objects.filter(pk=alert.pk), actor).exists()


def alerts_for(user: Any) -> QuerySet[Alert]:
    return restrict(Alert.objects.select_related("clock", "department", "region"), user)


def access_alert_by_id(user: Any, pk: int) -> Alert:
    """The alert `pk` if it lies in the user's scope; otherwise 404."""
    return get_object_or_404(alerts_for(user), pk=pk)


# ---------------------------------------------------------------------------------------------
# Reads (scoped: region subtree for supervisors and leaders, own department for unit staff)
# ---------------------------------------------------------------------------------------------

# who may open the flag pages at all; the queryset scope decides which flags they see
READER_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER, Role.CLERK, Role.REVIEWER, Role.DEPT_HEAD})


def may_read(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in READER_ROLES))


def irregularities_for(user: Any) -> QuerySet[Irregularity]:
    if not may_read(user):
        raise PermissionDenied(_("只有效能办、领导和责任部门工作人员可以查看违规预警。"))
    return restrict(Irregularity.objects.select_related("department", "region", "handled_by"), user)


def access_irregularity_by_id(user: Any, pk: int) -> Irregularity:
    """The flag `pk` if it lies in the user's scope; otherwise 404 (403 for a role that reads no flags)."""
    return get_object_or_404(irregularities_for(user), pk=pk)


def can_handle_irregularity(actor: Any, irr: Irregularity | None = None) -> bool:
    """The efficiency office (效能办) of the flag's region or a region above it."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    if actor.role != Role.SUPERVISOR:
        return False
    return irr is None or restrict(Irregularity.objects.filter(pk=irr.pk), actor).exists()


def scores_in_region(qs: QuerySet[EfficiencyScore], region: Region | None) -> QuerySet[EfficiencyScore]:
    if region is None:
        return qs
    return qs.filter(Q(region__path=region.path) | Q(region__path__startswith=region.path + "/"))


# --- reads (scoped) -------------------------------------------------------------------------------
def scores_for(user: Any) -> QuerySet[EfficiencyScore]:
    """Staff read the index of their own scope only: the public warning rows that `restrict` lets
    everyone see belong on the public page, not in another region's index."""
    qs = restrict(EfficiencyScore.objects.select_related("department", "region"), user)
    if user is None or not user.is_authenticated or user.is_superuser:
        return qs
    if user.is_department_scoped:
        return qs.filter(department_id=user.department_id)
    if user.region_id and user.role != "admin":
        return scores_in_region(qs, user.region)
    return qs


def access_score_by_id(user: Any, pk: int) -> EfficiencyScore:
    """The monthly score `pk` if it lies in the user's scope; otherwise 404."""
    return get_object_or_404(scores_for(user), pk=pk)


def access_deduction_by_id(user: Any, pk: int) -> Deduction:
    """The deduction `pk` if its score lies in the user's scope; otherwise 404 (an id outside the
    scope reveals nothing, not even that it exists)."""
    return get_object_or_404(Deduction.objects.select_related("score").filter(score__in=scores_for(user)), pk=pk)


def access_obligation_by_external_id(system: ExternalSystem, external_id: str) -> ExternalObligation:
    """An obligation that the calling system registered itself; another system's (or none) is 404."""
    return get_object_or_404(ExternalObligation.objects.select_related("clock"), system=system, external_id=external_id)


# --- who ------------------------------------------------------------------------------------------
def can_read_bulletins(user: Any) -> bool:
    """Leaders and the efficiency office of the region read bulletins."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in SUPERVISOR_ROLES))


def can_issue_bulletins(user: Any) -> bool:
    """Issuing is the efficiency office's action (效能办)."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in BULLETIN_ISSUER_ROLES))


def bulletins_for(user: Any) -> QuerySet[Bulletin]:
    if not can_read_bulletins(user):
        return Bulletin.objects.none()
    return restrict(Bulletin.objects.select_related("region", "issued_by"), user)


def access_bulletin_by_id(user: Any, pk: int) -> Bulletin:
    """The bulletin `pk` if the user reads bulletins and it lies in their scope; otherwise 404."""
    return get_object_or_404(bulletins_for(user), pk=pk)


# --- writes ---------------------------------------------------------------------------------------
def region_in_scope(actor: Any, region: Region) -> bool:
    if actor.is_superuser:
        return True
    mine = actor.region.path if actor.region_id else None
    return mine is not None and (region.path == mine or region.path.startswith(mine + "/"))


def require_handler_or_supervisor(request: AuthedRequest) -> None:
    u = request.user
    if not (u.is_superuser or u.is_department_scoped or u.role in SUPERVISOR_ROLES):
        raise PermissionDenied


def regions_of(user: Any) -> list[Region]:
    if user.is_superuser:
        return list(Region.objects.order_by("path")[:200])
    if not user.region_id:
        return []
    p = user.region.path
    return list(Region.objects.filter(Q(path=p) | Q(path__startswith=p + "/")).order_by("path")[:200])


def require_irregularity_reader(request: AuthedRequest) -> None:
    if not may_read(request.user):
        raise PermissionDenied(_("只有效能办、领导和责任部门工作人员可以查看违规预警。"))
