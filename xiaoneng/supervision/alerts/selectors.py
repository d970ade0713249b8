"""Scoped reads of the SUP-1 alerts: the card counts (提醒 / 黄牌 / 红牌), the alert lists and
filters, the dashboard's numbers and the public pages (thresholds, overdue obligations).
"""

from __future__ import annotations

__all__ = [
    "CARD_KEYS",
    "MET_ON_TIME",
    "Card",
    "alert_cards",
    "alert_resolution",
    "alert_subject",
    "alerts_by_item",
    "card_counts",
    "card_key",
    "clock_colour",
    "clock_subject",
    "clock_subjects",
    "clocks_by_kind",
    "dashboard_stats",
    "filter_alerts",
    "kind_filter",
    "late_clocks",
    "obligation_met",
    "overdue_public",
    "speed_stats",
    "threshold_table",
]

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.models import Case, StepTask
from xiaoneng.catalog.models import Item
from xiaoneng.core.links import clock_group_get, clock_group_of, subject_describe
from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.models import Department
from xiaoneng.supervision.alerts.thresholds import DEFAULT_ACK_DAYS, DEFAULT_OFFSETS
from xiaoneng.supervision.choices import OPEN_ALERT_STATUSES, AlertStatus, Level
from xiaoneng.supervision.irregularities.selectors import open_irregularity_count
from xiaoneng.supervision.models import Alert, ThresholdPolicy
from xiaoneng.supervision.periods import month_param, next_month
from xiaoneng.supervision.permissions import alerts_for
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES, ClockStatus, ClockUnit
from xiaoneng.workdays.deadline import day_start
from xiaoneng.workdays.ladder import urgency_key
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.urgency import URGENCY_LEVELS
from xiaoneng.workdays.usage import clocks_days_used

# An obligation is met when its clock ended — finished, or withdrawn — no later than its due time.
# Its alerts (a reminder, a yellow card on the last day) then have nothing left to answer for.
_ENDED = (ClockStatus.STOPPED, ClockStatus.CANCELLED)


MET_ON_TIME = Q(clock__status__in=_ENDED, clock__stopped_at__lte=F("clock__due_at"))


def obligation_met(clock: Clock) -> bool:
    """The obligation behind an alert ended within its limit (SUP-1: nothing overdue to supervise)."""
    return bool(
        clock.status in _ENDED
        and clock.stopped_at is not None
        and clock.due_at is not None
        and clock.stopped_at <= clock.due_at
    )


# --- 提醒 / 黄牌 / 红牌: the ONE definition of the card counts (SUP-1, SUP-5) ----------------------
#
# A card is given to an obligation (a Clock) in a calendar month (Asia/Shanghai): the obligation counts
# ONCE in that month, at the highest level any of its alerts raised in the month reached — 红牌 for
# red and red-with-recommendation, else 黄牌, else 提醒. An obligation that went 提醒 → 黄牌 → 红牌 is one
# red card; one that went yellow and was then finished on time is still one yellow card (the card was
# given). Alerts without a responsible department are no unit's card and are left out. The dashboard
# (this month), the leader's page, the bulletins (PDF, Excel), the API and the efficiency index's
# deductions all count cards through `alert_cards`, so "黄牌 3" means the same everywhere.
CARD_KEYS = ("remind", "yellow", "red")


def card_key(level: int) -> str:
    return "red" if level >= Level.RED else "yellow" if level == Level.YELLOW else "remind"


@dataclass(frozen=True)
class Card:
    """One obligation's card in one month: its highest alert of the month."""

    alert_id: int
    clock_id: int
    department_id: int
    level: int
    month: date

    @property
    def key(self) -> str:
        return card_key(self.level)


def alert_cards(alerts: QuerySet[Alert], months: Iterable[date]) -> list[Card]:
    """The cards of `months` among `alerts` (already scoped: a user's, a region's, a jurisdiction's):
    one per obligation and month, at the highest level reached in the month. One query per month."""
    out: list[Card] = []
    for m in sorted({d.replace(day=1) for d in months}):
        top: dict[int, tuple[int, int, int]] = {}
        lo, hi = day_start(m), day_start(next_month(m))
        rows = (
            alerts.filter(raised_at__gte=lo, raised_at__lt=hi, department__isnull=False)
            .order_by()
            .values_list("id", "clock_id", "department_id", "level")
        )
        for aid, clock_id, dept_id, level in rows.iterator(chunk_size=5000):
            seen = top.get(clock_id)
            if seen is None or level > seen[2]:
                top[clock_id] = (aid, dept_id, level)
        out.extend(Card(aid, cid, dept, level, m) for cid, (aid, dept, level) in sorted(top.items()))
    return out


def card_counts(
    user: Any = None, *, months: Iterable[date], region: Any = None, alerts: QuerySet[Alert] | None = None
) -> dict[str, Any]:
    """提醒 / 黄牌 / 红牌 counts of `months` (see above) in the user's scope (or in `alerts`), optionally
    narrowed to a region's subtree: totals, by department (id → counts) and the alerts behind them."""
    qs = alerts if alerts is not None else alerts_for(user)
    if region is not None:
        qs = qs.filter(Q(region__path=region.path) | Q(region__path__startswith=region.path + "/"))
    cards = alert_cards(qs, months)
    totals = dict.fromkeys(CARD_KEYS, 0)
    by_dept: dict[int, dict[str, int]] = {}
    for c in cards:
        totals[c.key] += 1
        by_dept.setdefault(c.department_id, dict.fromkeys(CARD_KEYS, 0))[c.key] += 1
    return {**totals, "by_department": by_dept, "alert_ids": [c.alert_id for c in cards]}


def filter_alerts(
    qs: QuerySet[Alert],
    *,
    level: str = "",
    status: str = "",
    department: str = "",
    kind: str = "",
    item: str = "",
    card: str = "",
    month: str = "",
) -> QuerySet[Alert]:
    """The alert list's filters. `month` (YYYY-MM) and/or `card` (remind / yellow / red; the month
    defaults to this one) list exactly the cards that the dashboard, the leader's page and the
    bulletins count: one alert per obligation, its highest of the month."""
    m = month_param(month)
    if card in CARD_KEYS or m is not None:
        m = m or timezone.localdate().replace(day=1)
        ids = [c.alert_id for c in alert_cards(qs, [m]) if card not in CARD_KEYS or c.key == card]
        qs = qs.filter(pk__in=ids)
    if kind:
        # a kind group ("disclosure.request"), a family ("case") or one kind ("case.decision")
        qs = qs.filter(kind_filter(kind, "clock__kind"))
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
    """The numbers behind the supervisor dashboard, all within the user's scope.

    `cards` are this month's 提醒 / 黄牌 / 红牌 (`card_counts`, the one definition); `clocks_by_colour`
    is the live state of the obligations still running (绿灯 / 黄灯 / 红灯), a different figure with
    a different name."""
    now = now or timezone.now()
    alerts = alerts_for(user)
    this_month = timezone.localdate(now).replace(day=1)
    cards = card_counts(months=[this_month], alerts=alerts)
    card_alerts = Alert.objects.filter(pk__in=cards["alert_ids"])
    clocks = restrict(Clock.objects.all(), user)
    colour = {"green": 0, "yellow": 0, "red": 0, "grey": 0}
    for status, level, n in _open_by_level(clocks):
        colour[clock_colour(status, level)] += n
    stopped = (
        clocks.filter(status=ClockStatus.STOPPED)
        .order_by()
        .aggregate(total=Count("id"), on_time=Count("id", filter=Q(stopped_at__lte=F("due_at"))))
    )
    rate = round(100.0 * stopped["on_time"] / stopped["total"], 1) if stopped["total"] else None
    names = dict(Department.objects.filter(pk__in=list(cards["by_department"])).values_list("pk", "name"))
    per_dept = sorted(
        ({"id": d, "name": names.get(d, ""), **c, "total": sum(c.values())} for d, c in cards["by_department"].items()),
        key=lambda r: (-r["red"], -r["yellow"], -r["total"], r["name"]),
    )[:15]
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
    by_kind = clocks_by_kind(user)
    return {
        # SUP-2: flags still waiting for handling (待核查, 已确认)
        "irregularities_open": open_irregularity_count(user),
        # this month's cards: the same numbers as the leader's page, the bulletin and the index
        "cards": {
            "month": this_month.strftime("%Y-%m"),
            **{k: cards[k] for k in CARD_KEYS},
        },
        "clocks_by_colour": colour,
        "on_time": {"stopped": stopped["total"], "on_time": stopped["on_time"], "rate": rate},
        "departments": per_dept,
        "trend": {
            "days": [d.isoformat() for d in day_list],
            "series": {str(Level(v).label): trend[v] for v in Level.values},
        },
        "by_kind": by_kind,
        # clocks running past their limit, every kind: the late list's and the API's number too
        "late": sum(r["late"] for r in by_kind),
        "by_item": alerts_by_item(card_alerts),
        "speed": speed_stats(user, now=now),
    }


def alert_subject(user: Any, alert: Alert) -> dict[str, Any]:
    """What the alert is about, named and linked for this user by the app that owns the clock
    (core.links subject registry: a case — a step's alert names its case —, a complaint, a disclosure
    request, a supervised task, a rectification, an inspection filing, another system's obligation …).
    The link is "" unless this user may open the page; an owner no app describes keeps the clock's
    own label. Supervision imports none of the owner apps for this."""
    return clock_subject(user, alert.clock)


_MISSING = object()  # an owner looked for and not found


def clock_subject(user: Any, clock: Clock, owner: Any = None) -> dict[str, Any]:
    """The subject of one clock for `user` (see `alert_subject`); `owner` when already fetched."""
    model = ContentType.objects.get_for_id(clock.owner_type_id).model_class()
    out: dict[str, Any] = {"kind": str(model._meta.verbose_name) if model else "", "label": clock.label, "url": ""}
    if owner is None and model is not None:
        owner = model._default_manager.filter(pk=clock.owner_id).first()
    if owner is None or owner is _MISSING:
        return out
    described = subject_describe(user, owner)
    return dict(described) if described is not None else out


def alert_resolution(alert: Alert) -> dict[str, Any] | None:
    """How the alert ended, or None while it is open: lifted because the obligation was met on time
    (even before the scan has recorded it), or resolved by the efficiency office."""
    clock = alert.clock
    if alert.status == AlertStatus.LIFTED or (alert.is_open and obligation_met(clock)):
        when = timezone.localtime(clock.stopped_at).strftime("%Y-%m-%d %H:%M") if clock.stopped_at else ""
        due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M") if clock.due_at else ""
        if clock.status == ClockStatus.CANCELLED:
            text = _("事项已于 %(t)s 撤回或撤销，未超过时限（%(due)s），预警已解除。")
        else:
            text = _("事项已于 %(t)s 在时限内办结（时限 %(due)s），预警已解除，无需再处理。")
        return {
            "status": str(AlertStatus.LIFTED.label),
            "code": AlertStatus.LIFTED,
            "text": text % {"t": when, "due": due},
        }
    if alert.status == AlertStatus.RESOLVED:
        when = timezone.localtime(alert.resolved_at).strftime("%Y-%m-%d %H:%M") if alert.resolved_at else ""
        return {
            "status": str(AlertStatus.RESOLVED.label),
            "code": AlertStatus.RESOLVED,
            "text": _("效能办已于 %(t)s 审核情况说明并办结本预警。") % {"t": when},
        }
    return None


def overdue_public() -> QuerySet[Alert]:
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
            "clock__kind",
            "clock__due_date",
            "clock__status",
            "clock__stopped_at",
        )
        .order_by("-raised_at", "-id")
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

# Clocks are grouped by the groups their owner apps installed (core.links.clock_group_set: 办件,
# 投诉工单, 依申请公开, 督办任务, 整改, 涉企检查备案 …); a kind no app installed a group for is its own
# family ("newapp.x" → "newapp"), so a new app's clocks appear here without any change.


def clock_colour(status: str, level: int) -> str:
    """The colour of an open clock at the alert level raised on it, from the one mapping the pills and
    the legend use (workdays.urgency.URGENCY_LEVELS through ladder.urgency_key, LAD-COLOUR; SUP-1):
    提醒 is yellow there ("即将到期"), a paused clock grey."""
    return URGENCY_LEVELS[urgency_key(status, level)].colour


def _open_by_level(clocks: QuerySet[Clock]) -> list[tuple[str, int, int]]:
    # (status, alert level, how many): a handful of rows, whatever the number of clocks
    return list(
        clocks.filter(status__in=OPEN_CLOCK_STATUSES)
        .order_by()
        .values_list("status", "alert_level")
        .annotate(n=Count("id"))
    )


def clocks_by_kind(user: Any) -> list[dict[str, Any]]:
    """THE count of open clocks by kind group and colour within the user's scope (SUP-1, 王主任's
    "every clock in the system is watched in one place"): cases, complaints, disclosure requests,
    supervised tasks, rectifications, inspection filings, other systems' obligations and every later
    kind. `late` (= `red`) counts the clocks running past their limit: the dashboard, the late list,
    and the API all read this one function, so the numbers agree. One query, whatever the number of
    clocks."""
    rows = (
        restrict(Clock.objects.filter(status__in=OPEN_CLOCK_STATUSES), user)
        .order_by()
        .values_list("kind", "status", "alert_level")
        .annotate(n=Count("id"))
    )
    groups: dict[str, dict[str, Any]] = {}
    order: dict[str, int] = {}
    for kind, status, level, n in rows:
        group = clock_group_of(kind)
        order[group.key] = group.order
        row = groups.setdefault(
            group.key,
            {
                "family": group.key,
                "name": str(group.name),
                "green": 0,
                "yellow": 0,
                "red": 0,
                "grey": 0,
                "total": 0,
                "late": 0,
            },
        )
        colour = clock_colour(status, level)
        row[colour] += n
        row["total"] += n
        if colour == "red":
            row["late"] += n
    return sorted(
        groups.values(), key=lambda r: (-r["red"], -r["yellow"], -r["total"], order[r["family"]], r["family"])
    )


def kind_filter(kind: str, field: str = "kind") -> Q:
    """Clocks (or, with field="clock__kind", alerts) of a kind group ("disclosure.request": the answer
    and consultation clocks), a family ("case") or one kind ("case.decision")."""
    group = clock_group_get(kind)
    prefixes = group.prefixes if group is not None else (kind,)
    q = Q()
    for prefix in prefixes:
        q |= Q(**{field: prefix}) | Q(**{f"{field}__startswith": prefix + "."})
    return q


def late_clocks(user: Any, *, kind: str = "") -> QuerySet[Clock]:
    """The clocks running past their limit in the user's scope — the `late` of `clocks_by_kind`
    (red: running, alert level 红牌 or above; a paused clock is grey) — optionally of one kind group,
    the longest overdue first."""
    qs = restrict(Clock.objects.filter(status=ClockStatus.RUNNING, alert_level__gte=Level.RED), user).select_related(
        "department"
    )
    if kind:
        qs = qs.filter(kind_filter(kind))
    return qs.order_by("due_at", "id")


def clock_subjects(user: Any, clocks: Iterable[Clock]) -> list[dict[str, Any]]:
    """`clock_subject` of each clock (a page of a list): the owners are read with one query per owner
    type, then each is named and linked by its app for this user."""
    clocks = list(clocks)
    by_type: dict[int, set[int]] = {}
    for c in clocks:
        by_type.setdefault(c.owner_type_id, set()).add(c.owner_id)
    owners: dict[tuple[int, int], Any] = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None:
            for obj in model._default_manager.filter(pk__in=ids):
                owners[(type_id, obj.pk)] = obj
    out = []
    for c in clocks:
        owner = owners.get((c.owner_type_id, c.owner_id))
        out.append(clock_subject(user, c, owner) if owner is not None else clock_subject(user, c, _MISSING))
    return out


def _case_models() -> tuple[Any, Any]:

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

    # the published name; an item withdrawn since keeps the name of its latest version
    names: dict[int, str] = {}
    for item_id, published, latest in Item.objects.filter(id__in=[k for k, _v in top]).values_list(
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
