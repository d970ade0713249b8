"""Scoped reads for rectifications, and who must hear about them."""

from __future__ import annotations

__all__ = [
    "assignments_for",
    "department_heads",
    "disqualified_units",
    "exemptions_for",
    "overdue_task_assignments",
    "published_records",
    "records_for",
    "records_for_source",
    "rectification_for",
    "rectifications_for",
    "region_ancestor_paths",
    "region_supervisors",
    "tasks_for",
]

from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404

from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import User
from xiaoneng.oversight.choices import AccountabilityStatus
from xiaoneng.oversight.models import (
    AccountabilityRecord,
    ExemptionApplication,
    Rectification,
    SupervisedTask,
    TaskAssignment,
)


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


def tasks_for(user: Any) -> QuerySet[SupervisedTask]:
    """Supervised tasks in scope: the office's region subtree, or the tasks a department holds a share
    of (one row per task although the scope joins the shares)."""
    return restrict(SupervisedTask.objects.select_related("region", "assigned_by"), user).distinct()


def assignments_for(user: Any) -> QuerySet[TaskAssignment]:
    return restrict(
        TaskAssignment.objects.select_related("task", "task__region", "department", "department__region", "clock"),
        user,
    )


def records_for(user: Any) -> QuerySet[AccountabilityRecord]:
    return restrict(
        AccountabilityRecord.objects.select_related("department", "department__region", "person", "leader"), user
    )


def exemptions_for(user: Any) -> QuerySet[ExemptionApplication]:
    return restrict(
        ExemptionApplication.objects.select_related(
            "record", "record__department", "record__department__region", "applicant"
        ),
        user,
    )


def records_for_source(source: Any) -> QuerySet[AccountabilityRecord]:
    """The accountability records opened on `source` (a complaint, an alert, a task …), newest first."""
    return AccountabilityRecord.objects.filter(
        source_type=ContentType.objects.get_for_model(source), source_id=str(source.pk)
    ).order_by("-decided_at", "-id")


def published_records() -> QuerySet[AccountabilityRecord]:
    """ACC-2 "一律予以通报曝光": the records published for everyone (not exempted by 容错)."""
    return (
        AccountabilityRecord.objects.filter(published=True)
        .exclude(status=AccountabilityStatus.EXEMPTED)
        .select_related("department")
    )


def _years(period: Any) -> tuple[int, int]:
    """A period as (first year, last year): an int year, a (start, end) pair of dates, or an object
    with `year` or `start`/`end` (or `starts_on`/`ends_on`) dates — the evaluation app's periods."""
    if isinstance(period, int):
        return period, period
    if isinstance(period, (tuple, list)) and len(period) == 2:
        return period[0].year, period[1].year
    if isinstance(period, (date, datetime)):
        return period.year, period.year
    year = getattr(period, "year", None)
    if isinstance(year, int):
        return year, year
    start = getattr(period, "start", None) or getattr(period, "starts_on", None)
    end = getattr(period, "end", None) or getattr(period, "ends_on", None)
    if start is not None and end is not None:
        return start.year, end.year
    raise TypeError(f"not a period: {period!r}")


def disqualified_units(period: Any, *, tenant: Any = None) -> set[int]:
    """ACC-2 "一律取消评先评优资格": the ids of the departments barred from awards in `period`
    (an evaluation year, or any period whose years it spans) by an accountability record under the
    negative list "four always" — a record exempted under 容错 (ACC-3) no longer bars its unit. For
    the evaluation app; `tenant` narrows it to one jurisdiction."""
    first, last = _years(period)
    qs = AccountabilityRecord.objects.filter(disqualified_year__gte=first, disqualified_year__lte=last).exclude(
        status=AccountabilityStatus.EXEMPTED
    )
    if tenant is not None:
        qs = qs.filter(tenant=tenant)
    return set(qs.values_list("department_id", flat=True))


def overdue_task_assignments(*, tenant: Any, start: datetime, end: datetime, now: datetime) -> list[tuple[int, int]]:
    """(assignment id, department id) of the supervised-task shares that fell overdue in [start, end)
    up to `now`: their Clock's due instant passed in the span and they were not reported completed by
    then (reported late, or still open). For the supervision efficiency index; ordered by id."""
    due_end = min(end, now)
    rows = (
        TaskAssignment.objects.filter(tenant=tenant, clock__due_at__gte=start, clock__due_at__lt=due_end)
        .filter(
            # a rejected completion clears completed_at: the share counts as not done
            Q(completed_at__isnull=True) | Q(completed_at__gt=F("clock__due_at"))
        )
        .order_by("id")
        .values_list("id", "department_id")
    )
    return list(rows)
