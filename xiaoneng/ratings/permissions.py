"""Who may do what with ratings and surveys. The actions check these; pages and the API use the same
functions for their role checks, and look records up by id only through the `access_*_by_id`
helpers (404 outside the user's scope, conventions §3)."""

from __future__ import annotations

__all__ = [
    "OFFICE_ROLES",
    "access_hall_service_by_id",
    "access_rating_by_id",
    "access_survey_by_id",
    "can_office",
    "is_department_user",
    "is_office_user",
    "is_staff_user",
    "survey_office_required",
]

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.ratings.models import InHallService, Rating, Survey
from xiaoneng.ratings.selectors import ratings_for, surveys_for

OFFICE_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})


def is_office_user(user: Any) -> bool:
    """The efficiency office's pages and endpoints (bad-review handling, surveys)."""
    return bool(user.is_superuser or user.role in OFFICE_ROLES)


def is_department_user(user: Any) -> bool:
    """Department staff: the window terminal, a department's appeal."""
    return user.role in DEPARTMENT_ROLES


def is_staff_user(user: Any) -> bool:
    """The rating list and detail: the office and the departments."""
    return is_office_user(user) or is_department_user(user)


def access_rating_by_id(user: Any, pk: int) -> Rating:
    """The rating `pk` if it lies in the user's scope; otherwise 404."""
    return get_object_or_404(ratings_for(user), pk=pk)


def access_survey_by_id(user: Any, pk: int) -> Survey:
    """The survey `pk` if it lies in the user's scope (its region subtree); otherwise 404."""
    return get_object_or_404(surveys_for(user), pk=pk)


def access_hall_service_by_id(user: Any, pk: int) -> InHallService:
    """A window service recorded by the user's own department (the terminal); otherwise 404."""
    return get_object_or_404(InHallService.objects.filter(department_id=user.department_id or 0), pk=pk)


def can_office(actor: Any, rating: Rating | None = None) -> bool:
    """The efficiency office (or a leader) whose scope holds the rating (RAT-3 verification, callback,
    appeal decision)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    if actor.role not in OFFICE_ROLES:
        return False
    return rating is None or restrict(Rating.objects.filter(pk=rating.pk), actor).exists()


def survey_office_required(actor: Any, survey: Survey | None = None) -> None:
    """Surveys are managed by an efficiency office with a region, within that region's scope."""
    ok = (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and (actor.is_superuser or (actor.role in OFFICE_ROLES and actor.region_id is not None))
    )
    if ok and survey is not None and not actor.is_superuser:
        ok = restrict(Survey.objects.filter(pk=survey.pk), actor).exists()
    if not ok:
        raise PermissionDenied(_("只有效能办可以管理社会测评问卷。"))
