"""Scoped reads for supervision: alerts, the dashboard's numbers, the public pages."""

from __future__ import annotations

__all__ = ["alert_for", "alerts_for", "dashboard_stats", "overdue_public", "threshold_table"]

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xiaoneng.core.scoping import restrict
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES, ClockStatus
from xiaoneng.workdays.models import Clock

from .choices import OPEN_ALERT_STATUSES, AlertStatus, Level
from .models import Alert, ThresholdPolicy
from .thresholds import DEFAULT_ACK_DAYS, DEFAULT_OFFSETS


def alerts_for(user: Any) -> QuerySet[Alert]:
    return restrict(Alert.objects.select_related("clock", "department", "region"), user)


def alert_for(user: Any, pk: int) -> Alert:
    return get_object_or_404(alerts_for(user), pk=pk)


def filter_alerts(qs: QuerySet[Alert], *, level: str = "", status: str = "", department: str = "") -> QuerySet[Alert]:
    if level.isdigit() and int(level) in Level.values:
        qs = qs.filter(level=int(level))
    if status in AlertStatus.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(status__in=OPEN_ALERT_STATUSES)
    if department.isdigit():
        qs = qs.filter(department_id=int(department))
    return qs


def dashboard_stats(user: Any, *, now: datetime | None = None, days: int = 30) -> dict[str, Any]:
    """The numbers behind the supervisor dashboard, all within the user's scope."""
    now = now or timezone.now()
    alerts = alerts_for(user)
    open_alerts = alerts.filter(status__in=OPEN_ALERT_STATUSES)
    by_level = dict(open_alerts.order_by().values_list("level").annotate(n=Count("id")))
    clocks = restrict(Clock.objects.all(), user)
    colour = (
        clocks.filter(status__in=OPEN_CLOCK_STATUSES)
        .order_by()
        .aggregate(
            green=Count("id", filter=Q(alert_level__lte=1)),
            yellow=Count("id", filter=Q(alert_level=2)),
            red=Count("id", filter=Q(alert_level__gte=3)),
        )
    )
    stopped = (
        clocks.filter(status=ClockStatus.STOPPED)
        .order_by()
        .aggregate(total=Count("id"), on_time=Count("id", filter=Q(stopped_at__lte=F("due_at"))))
    )
    rate = round(100.0 * stopped["on_time"] / stopped["total"], 1) if stopped["total"] else None
    per_dept = list(
        open_alerts.exclude(department=None)
        .order_by()
        .values("department_id", "department__name")
        .annotate(
            remind=Count("id", filter=Q(level=Level.REMIND)),
            yellow=Count("id", filter=Q(level=Level.YELLOW)),
            red=Count("id", filter=Q(level__gte=Level.RED)),
            total=Count("id"),
        )
        .order_by("-red", "-yellow", "-total")[:15]
    )
    tz = ZoneInfo(settings.TIME_ZONE)
    start = (now - timedelta(days=days - 1)).astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = (
        alerts.filter(raised_at__gte=start)
        .annotate(day=TruncDate("raised_at", tzinfo=tz))
        .order_by()
        .values_list("day", "level")
        .annotate(n=Count("id"))
    )
    day_list = [(start + timedelta(days=i)).date() for i in range(days)]
    trend = {lvl: [0] * days for lvl in Level.values}
    index = {d: i for i, d in enumerate(day_list)}
    for day, lvl, n in rows:
        if day in index:
            trend[lvl][index[day]] = n
    return {
        "alerts_by_level": {str(Level(v).label): by_level.get(v, 0) for v in Level.values},
        "alerts_by_level_code": {str(v): by_level.get(v, 0) for v in Level.values},
        "clocks_by_colour": colour,
        "on_time": {"stopped": stopped["total"], "on_time": stopped["on_time"], "rate": rate},
        "departments": [
            {
                "id": d["department_id"],
                "name": d["department__name"],
                "remind": d["remind"],
                "yellow": d["yellow"],
                "red": d["red"],
                "total": d["total"],
            }
            for d in per_dept
        ],
        "trend": {
            "days": [d.isoformat() for d in day_list],
            "series": {str(Level(v).label): trend[v] for v in Level.values},
        },
    }


def overdue_public(limit: int = 200) -> QuerySet[Alert]:
    """SUP-4: obligations that exceeded their limit, with the unit's explanation. The public sees the
    department, the obligation, its dates and the explanation; never who handled it."""
    return (
        Alert.objects.filter(level=Level.RED)
        .select_related("clock", "department")
        .only(
            "id",
            "raised_at",
            "explanation",
            "explained_at",
            "status",
            "department__name",
            "clock__label",
            "clock__due_date",
            "clock__status",
            "clock__stopped_at",
        )
        .order_by("-raised_at", "-id")[:limit]
    )


def threshold_table() -> list[dict[str, Any]]:
    rows = [
        {
            "tenant": None,
            "kind_prefix": "",
            "remind": DEFAULT_OFFSETS[0],
            "yellow": DEFAULT_OFFSETS[1],
            "red": DEFAULT_OFFSETS[2],
            "ack": DEFAULT_ACK_DAYS,
            "note": "",
        }
    ]
    for p in ThresholdPolicy.objects.select_related("tenant"):
        rows.append(
            {
                "tenant": p.tenant.name,
                "kind_prefix": p.kind_prefix,
                "remind": p.remind_offset,
                "yellow": p.yellow_offset,
                "red": p.red_offset,
                "ack": p.acknowledge_days,
                "note": p.note,
            }
        )
    return rows
