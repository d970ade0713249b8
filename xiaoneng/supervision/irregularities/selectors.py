"""Reads of SUP-2 irregularity flags: list filters, counts, a case's flags and the records a flag
points to (its case, its rectification).
"""

from __future__ import annotations

__all__ = [
    "case_irregularities",
    "filter_irregularities",
    "irregularity_case",
    "irregularity_rectification",
    "irregularity_subject",
    "open_irregularity_count",
]

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from xiaoneng.cases.models import (
    Case,
)
from xiaoneng.core.links import subject_describe
from xiaoneng.core.scoping import restrict
from xiaoneng.oversight.models import Rectification
from xiaoneng.supervision.choices import OPEN_IRREGULARITY_STATUSES, IrregularityRule, IrregularityStatus
from xiaoneng.supervision.models import Irregularity
from xiaoneng.supervision.permissions import may_read


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filter_irregularities(
    qs: QuerySet[Irregularity],
    *,
    rule: str = "",
    status: str = "",
    department: str = "",
    date_from: str = "",
    date_to: str = "",
) -> QuerySet[Irregularity]:
    """Filters of the list page and the API; a malformed value is ignored, never an error page."""
    if rule in IrregularityRule.values:
        qs = qs.filter(rule=rule)
    if status in IrregularityStatus.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(status__in=OPEN_IRREGULARITY_STATUSES)
    if department.isdigit():
        qs = qs.filter(department_id=int(department))
    start, end = _parse_day(date_from), _parse_day(date_to)
    if start:
        qs = qs.filter(detected_at__gte=_day_start(start))
    if end:
        qs = qs.filter(detected_at__lt=_day_start(end + timedelta(days=1)))
    return qs


def open_irregularity_count(user: Any) -> int:
    """The dashboard's count of flags still waiting for handling (待核查 and 已确认)."""
    return restrict(Irregularity.objects.filter(status__in=OPEN_IRREGULARITY_STATUSES), user).count()


def case_irregularities(user: Any, case: Case) -> list[Irregularity]:
    """A case's flags, for staff who may see them (the case page shows them)."""
    if not may_read(user):
        return []
    ct = ContentType.objects.get_for_model(Case)
    return list(restrict(Irregularity.objects.filter(subject_type=ct, subject_id=str(case.pk)), user))


def irregularity_subject(user: Any, irr: Irregularity) -> dict[str, Any]:
    """What a flag is about, named and linked for `user` by the app that owns it (core.links subject
    registry: an inspection, a penalty decision … for SUP-2.9); the link is "" unless the user may
    open that page. A case's flags are shown through `irregularity_case` instead."""
    model = ContentType.objects.get_for_id(irr.subject_type_id).model_class()
    out: dict[str, Any] = {
        "kind": str(model._meta.verbose_name) if model else "",
        "label": irr.subject_label,
        "url": "",
    }
    if model is None or not irr.subject_id.isdigit():
        return out
    obj = model._default_manager.filter(pk=int(irr.subject_id)).first()
    described = subject_describe(user, obj) if obj is not None else None
    if described is not None:
        out.update(kind=described["kind"], url=described["url"])
    return out


def irregularity_case(irr: Irregularity) -> Case | None:
    if irr.subject_type_id != ContentType.objects.get_for_model(Case).pk or not irr.subject_id.isdigit():
        return None
    return Case.objects.filter(pk=int(irr.subject_id)).first()


def irregularity_rectification(irr: Irregularity) -> Rectification | None:
    ct = ContentType.objects.get_for_model(Irregularity)
    return Rectification.objects.filter(source_type=ct, source_id=str(irr.pk)).first()
