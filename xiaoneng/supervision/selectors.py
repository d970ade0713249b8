"""Scoped reads for supervision: alerts, the dashboard's numbers, the public pages."""

from __future__ import annotations

__all__ = [
    "alert_for",
    "alerts_by_item",
    "alerts_for",
    "clocks_by_kind",
    "dashboard_stats",
    "overdue_public",
    "speed_stats",
    "threshold_table",
]

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.models import Department
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES, ClockStatus, ClockUnit
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.usage import clocks_days_used

from .choices import OPEN_ALERT_STATUSES, AlertStatus, Level
from .irregularities import open_irregularity_count
from .models import Alert, ThresholdPolicy
from .thresholds import DEFAULT_ACK_DAYS, DEFAULT_OFFSETS


def alerts_for(user: Any) -> QuerySet[Alert]:
    return restrict(Alert.objects.select_related("clock", "department", "region"), user)


def alert_for(user: Any, pk: int) -> Alert:
    return get_object_or_404(alerts_for(user), pk=pk)


def filter_alerts(
    qs: QuerySet[Alert], *, level: str = "", status: str = "", department: str = "", kind: str = "", item: str = ""
) -> QuerySet[Alert]:
    if kind:
        # a family ("case") or one kind ("case.decision")
        qs = qs.filter(Q(clock__kind=kind) | Q(clock__kind__startswith=kind + "."))
    if item.isdigit():
        qs = qs.filter(clock_id__in=_case_clock_ids(int(item)))
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
        # SUP-2: flags still waiting for handling (待核查, 已确认)
        "irregularities_open": open_irregularity_count(user),
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
        "by_kind": clocks_by_kind(user),
        "by_item": alerts_by_item(open_alerts),
        "speed": speed_stats(user, now=now),
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


# --- every clock in one place, by item, and the speed of handling (SUP-1, 王主任's dashboard) --------

# The family of a clock is the first part of its kind ("case.decision" → "case"). A new app's clocks
# appear here without any change; known families get a readable name.
KIND_FAMILIES: dict[str, Any] = {
    "case": gettext_lazy("办件"),
    "complaint": gettext_lazy("投诉工单"),
    "oversight": gettext_lazy("整改事项"),
    "external": gettext_lazy("外部系统监察事项"),
    "disclosure": gettext_lazy("依申请公开"),
    "task": gettext_lazy("督查督办"),
    "catalog": gettext_lazy("事项目录"),
}


def clocks_by_kind(user: Any) -> list[dict[str, Any]]:
    """Open clocks by family and colour within the user's scope: cases, complaints, rectifications,
    other systems' obligations and every later kind of clock, watched in one place."""
    rows = (
        restrict(Clock.objects.filter(status__in=OPEN_CLOCK_STATUSES), user)
        .order_by()
        .values_list("kind", "alert_level")
        .annotate(n=Count("id"))
    )
    families: dict[str, dict[str, Any]] = {}
    for kind, level, n in rows:
        fam = kind.split(".", 1)[0]
        row = families.setdefault(
            fam,
            {"family": fam, "name": str(KIND_FAMILIES.get(fam, fam)), "green": 0, "yellow": 0, "red": 0, "total": 0},
        )
        colour = "green" if level <= Level.REMIND else "yellow" if level == Level.YELLOW else "red"
        row[colour] += n
        row["total"] += n
    return sorted(families.values(), key=lambda r: (-r["red"], -r["yellow"], -r["total"], r["family"]))


def _case_models() -> tuple[Any, Any]:
    from xiaoneng.cases.models import Case, StepTask

    return Case, StepTask


def _case_clock_ids(item_id: int) -> QuerySet[Clock, Any]:
    """Ids of the clocks that belong to cases of one item (the case's own clocks and its steps')."""
    case_model, task_model = _case_models()
    types = ContentType.objects.get_for_models(case_model, task_model)
    cases = case_model.objects.filter(item_id=item_id).values("id")
    tasks = task_model.objects.filter(case__item_id=item_id).values("id")
    return Clock.objects.filter(
        Q(owner_type=types[case_model], owner_id__in=cases) | Q(owner_type=types[task_model], owner_id__in=tasks)
    ).values("id")


def alerts_by_item(open_alerts: QuerySet[Alert], limit: int = 15) -> list[dict[str, Any]]:
    """Open alerts on cases, by catalog item (the most troubled items first)."""
    case_model, task_model = _case_models()
    types = ContentType.objects.get_for_models(case_model, task_model)
    owners = list(
        open_alerts.filter(clock__owner_type__in=types.values())
        .order_by()
        .values_list("clock__owner_type_id", "clock__owner_id", "level")
    )
    case_ids = {oid for t, oid, _ in owners if t == types[case_model].pk}
    task_ids = {oid for t, oid, _ in owners if t == types[task_model].pk}
    item_of_case = dict(case_model.objects.filter(id__in=case_ids).values_list("id", "item_id"))
    item_of_task = dict(task_model.objects.filter(id__in=task_ids).values_list("id", "case__item_id"))
    counts: dict[int, dict[str, int]] = {}
    for t, oid, level in owners:
        item_id = item_of_case.get(oid) if t == types[case_model].pk else item_of_task.get(oid)
        if item_id is None:
            continue
        c = counts.setdefault(item_id, {"remind": 0, "yellow": 0, "red": 0, "total": 0})
        c["remind" if level == Level.REMIND else "yellow" if level == Level.YELLOW else "red"] += 1
        c["total"] += 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1]["red"], -kv[1]["yellow"], -kv[1]["total"], kv[0]))[:limit]
    from xiaoneng.catalog.models import Item

    # the published name; an item withdrawn since keeps the name of its latest version
    names: dict[int, str] = {}
    for item_id, published, latest in Item.objects.filter(id__in=[k for k, _ in top]).values_list(
        "id", "published__name", "versions__name"
    ):
        names[item_id] = published or names.get(item_id) or latest or ""
    return [{"id": k, "name": names.get(k, ""), **v} for k, v in top]


def speed_stats(user: Any, *, now: datetime | None = None, days: int = 90) -> dict[str, Any]:
    """Days used against the committed and the statutory limit (提速率) for case decisions finished in
    the last `days` days, overall and by department. Used days are working days with pauses left out
    (CLK-2, CLK-3), so the three numbers are comparable."""
    now = now or timezone.now()
    rows = list(
        restrict(Clock.objects.all(), user)
        .filter(
            kind="case.decision",
            status=ClockStatus.STOPPED,
            unit=ClockUnit.WORKING_DAYS,
            statutory_limit__isnull=False,
            stopped_at__gte=now - timedelta(days=days),
        )
        .order_by()
        .values_list("id", "started_at", "stopped_at", "limit", "statutory_limit", "department_id")
    )
    used = clocks_days_used([(r[0], r[1], r[2]) for r in rows])
    depts: dict[int | None, list[int]] = {}
    for cid, _s, _e, limit, statutory, dept in rows:
        acc = depts.setdefault(dept, [0, 0, 0, 0])
        acc[0] += 1
        acc[1] += used[cid]
        acc[2] += limit
        acc[3] += statutory or 0  # never None: filtered above

    def summary(n: int, used_sum: int, committed: int, statutory: int) -> dict[str, Any]:
        return {
            "cases": n,
            "avg_used": round(used_sum / n, 1) if n else None,
            "avg_committed": round(committed / n, 1) if n else None,
            "avg_statutory": round(statutory / n, 1) if n else None,
            # 承诺提速率: how much shorter the committed limit is than the statutory one (CAT-4)
            "committed_speedup": round(100.0 * (1 - committed / statutory), 1) if statutory else None,
            # 实际提速率: how much shorter the time actually used is than the statutory limit
            "actual_speedup": round(100.0 * (1 - used_sum / statutory), 1) if statutory else None,
        }

    total = [sum(v[i] for v in depts.values()) for i in range(4)]
    names = dict(Department.objects.filter(id__in=[d for d in depts if d]).values_list("id", "name"))
    by_dept = [
        {"id": d, "name": names.get(d, "") if d else "", **summary(*v)}
        for d, v in sorted(depts.items(), key=lambda kv: -kv[1][0])
    ][:15]
    return {"days": days, **summary(*total), "departments": by_dept}
