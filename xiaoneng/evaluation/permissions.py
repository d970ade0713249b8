"""Who may do what in evaluation, and the access_<entity>_by_id helpers that 404 outside scope."""

from __future__ import annotations

__all__ = [
    "access_commitment_by_id",
    "access_scheme_by_id",
    "access_talk_by_id",
    "in_region",
    "is_office_for",
    "may_read_scheme",
    "require_office",
    "require_staff",
]

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from xiaoneng.core.scoping import restrict
from xiaoneng.evaluation.choices import OFFICE_ROLES
from xiaoneng.evaluation.models import Commitment, Scheme, WarningTalk
from xiaoneng.evaluation.selectors import schemes_for


def in_region(user: Any, region: Any) -> bool:
    """`region` lies in the user's region subtree."""
    if user.region_id is None:
        return False
    mine: str = user.region.path
    path: str = region.path
    return path == mine or path.startswith(mine + "/")


def is_office_for(user: Any, region: Any) -> bool:
    """The efficiency office (效能办) of the region or above; superusers."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.role in OFFICE_ROLES and in_region(user, region)


def require_office(user: Any, region: Any) -> None:
    if not is_office_for(user, region):
        raise PermissionDenied(_("只有本辖区效能办可以执行此操作。"))


def require_staff(user: Any) -> None:
    if not getattr(user, "is_authenticated", False) or not (user.is_superuser or user.is_staff_member):
        raise PermissionDenied(_("只有工作人员可以访问。"))


def may_read_scheme(user: Any, scheme: Scheme) -> bool:
    return restrict(Scheme.objects.filter(pk=scheme.pk), user).exists()


def _pk(pk: int) -> int:
    # an id beyond the database's integer range overflows in the driver: it names nothing
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def access_scheme_by_id(user: Any, pk: int) -> Scheme:
    _pk(pk)

    return get_object_or_404(schemes_for(user), pk=pk)


def access_commitment_by_id(user: Any, pk: int) -> Commitment:
    _pk(pk)
    return get_object_or_404(restrict(Commitment.objects.select_related("department"), user), pk=pk)


def access_talk_by_id(user: Any, pk: int) -> WarningTalk:
    _pk(pk)
    return get_object_or_404(
        restrict(WarningTalk.objects.select_related("department", "result__scheme", "rectification"), user), pk=pk
    )
