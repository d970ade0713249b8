"""The registry of data indicators (EVA-1: indicators computed from the system).

A provider turns a period into one `Measure` (0–100, higher is better, with its sample size and
95% interval) per unit. A new source plugs in with one line, in the AppConfig.ready() of the app
that owns the data or here:

    register_provider("disclosure.on_time", _("依申请公开按时答复率"), my_function)

where `my_function(unit, period) -> Measure` — or, for sources that are cheaper read for all units
at once (one GROUP BY instead of one query per unit), `register_provider(..., batch=fn)` with
`fn(units, period) -> {department_id: Measure}`. Providers read other apps only through their
public selectors, scoped to `period.viewer` (the office member who computes); every app read here
sits below evaluation in the import layers (pyproject's import-linter contract).

Registered now: the efficiency index and alert cards (supervision), complaint reply and callback
rates (complaints), rating satisfaction and bad-review rectification (ratings), rectification
close-out and supervised-task (督查督办) on-time completion (oversight), disclosure requests answered
on time (disclosure), and the two sources this app records itself — 发展环境监测点 reports and 纠风约谈
interviews.

The two timed-obligation rates (disclosure answers, task shares) count each obligation once, in the
period it was decided: when it was answered / reported completed, on time or late; or, still open,
when its deadline passed — an obligation nobody answered counts against its unit as soon as it is
late, not never.
"""

from __future__ import annotations

__all__ = [
    "WARNING_SOURCES",
    "Period",
    "Provider",
    "measure_all",
    "month_periods",
    "provider",
    "providers",
    "register_provider",
]

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaoneng.complaints.selectors import complaints_for, department_stats
from xiaoneng.core.scoping import restrict
from xiaoneng.disclosure.choices import RequestStatus
from xiaoneng.disclosure.selectors import requests_for
from xiaoneng.enterprise.selectors import monitoring_reports_for
from xiaoneng.evaluation.intervals import Measure, mean_from_moments, wilson
from xiaoneng.evaluation.models import Interview
from xiaoneng.oversight.choices import RectificationStatus
from xiaoneng.oversight.selectors import assignments_for, rectifications_for
from xiaoneng.ratings.selectors import rating_metrics, ratings_for
from xiaoneng.supervision.selectors import card_counts, scores_for
from xiaoneng.workdays.deadline import day_start


@dataclass(frozen=True)
class Period:
    """[start, end] (dates, inclusive) in the jurisdiction `region`, read as `viewer` sees it."""

    start: date
    end: date
    region: Any
    viewer: Any

    @property
    def months(self) -> list[date]:
        out, m = [], self.start.replace(day=1)
        while m <= self.end:
            out.append(m)
            m = (m + timedelta(days=32)).replace(day=1)
        return out


def month_periods(year: int) -> list[tuple[date, date]]:
    out = []
    for month in range(1, 13):
        start = date(year, month, 1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        out.append((start, end))
    return out


Batch = Callable[[list[Any], Period], dict[int, Measure]]
Single = Callable[[Any, Period], Measure]


@dataclass(frozen=True)
class Provider:
    key: str
    label: Any
    batch: Batch
    hint: Any = ""


_REGISTRY: dict[str, Provider] = {}


def register_provider(
    key: str, label: Any, fn: Single | None = None, *, batch: Batch | None = None, hint: Any = ""
) -> None:
    """Register a data indicator: `fn(unit, period) -> Measure`, or `batch(units, period)`."""
    if (fn is None) == (batch is None):
        raise TypeError("give exactly one of fn and batch")
    if batch is None:
        single = fn

        def batch(units: list[Any], period: Period) -> dict[int, Measure]:
            return {u.pk: single(u, period) for u in units}  # type: ignore[misc]

    _REGISTRY[key] = Provider(key=key, label=label, batch=batch, hint=hint)


def providers() -> list[Provider]:
    return sorted(_REGISTRY.values(), key=lambda p: p.key)


def provider(key: str) -> Provider | None:
    return _REGISTRY.get(key)


def measure_all(keys: Iterable[str], units: list[Any], period: Period) -> dict[str, dict[int, Measure]]:
    """Every requested indicator for every unit: one batch call per provider."""
    out: dict[str, dict[int, Measure]] = {}
    for key in sorted(set(keys)):
        p = _REGISTRY.get(key)
        out[key] = p.batch(units, period) if p is not None else {}
    return out


# --- deductions for census counts --------------------------------------------------------------
# SUP-5 defaults on a 100-point monthly base: a reminder −1 (3 consecutive −3), a yellow card −5, a
# red card −10. Over a longer period the deductions are averaged per month, so a yearly score and a
# monthly score read on the same scale.


def _per_month(points: float, period: Period) -> float:
    return points / max(1, len(period.months))


# --- supervision ---------------------------------------------------------------------------------


def _efficiency_index(units: list[Any], period: Period) -> dict[int, Measure]:

    ids = [u.pk for u in units]
    rows = (
        scores_for(period.viewer)
        .filter(department_id__in=ids, month__gte=period.start.replace(day=1), month__lte=period.end)
        .order_by()
        .values("department_id")
        .annotate(n=Count("id"), s=Sum("score"), ss=Sum(F("score") * F("score")))
    )
    out = {u: Measure.none() for u in ids}
    for r in rows:
        out[r["department_id"]] = mean_from_moments(r["n"], float(r["s"]), float(r["ss"]))
    return out


def _alert_cards(units: list[Any], period: Period) -> dict[int, Measure]:

    counts = card_counts(period.viewer, months=period.months, region=period.region)["by_department"]
    out = {}
    for u in units:
        c = counts.get(u.pk, {"remind": 0, "yellow": 0, "red": 0})
        points = c["remind"] * 1 + c["yellow"] * 5 + c["red"] * 10
        n = c["remind"] + c["yellow"] + c["red"]
        out[u.pk] = Measure.census(100 - _per_month(points, period), n, **c)
    return out


# --- complaints ----------------------------------------------------------------------------------


def _complaint_figures(units: list[Any], period: Period) -> dict[int, Any]:

    ids = {u.pk for u in units}
    qs = complaints_for(period.viewer).filter(handling_department_id__in=ids)
    return {
        f.key: f for f in department_stats(qs, start=period.start, end=period.end) if f.key is not None and f.key in ids
    }


def _complaints_on_time(units: list[Any], period: Period) -> dict[int, Measure]:
    figs = _complaint_figures(units, period)
    return {u.pk: (wilson(f.on_time, f.due_reply) if (f := figs.get(u.pk)) else Measure.none()) for u in units}


def _complaints_satisfaction(units: list[Any], period: Period) -> dict[int, Measure]:
    figs = _complaint_figures(units, period)
    return {u.pk: (wilson(f.satisfied, f.callbacks) if (f := figs.get(u.pk)) else Measure.none()) for u in units}


# --- ratings -------------------------------------------------------------------------------------


def _rating_metrics(units: list[Any], period: Period) -> dict[int, Any]:
    """RAT-4 figures per unit through ratings.selectors.rating_metrics, which labels rows by
    department name: names are unique within a region, so it is called once per region."""

    by_region: dict[int, dict[str, int]] = defaultdict(dict)
    for u in units:
        by_region[u.region_id][u.name] = u.pk
    out: dict[int, Any] = {}
    for region_id, names in by_region.items():
        qs = ratings_for(period.viewer).filter(department__region_id=region_id, department_id__in=list(names.values()))
        for m in rating_metrics(qs, start=period.start, end=period.end):
            if m.label in names:
                out[names[m.label]] = m
    return out


def _ratings_satisfaction(units: list[Any], period: Period) -> dict[int, Measure]:
    ms = _rating_metrics(units, period)
    return {u.pk: (wilson(m.satisfied, m.total) if (m := ms.get(u.pk)) else Measure.none()) for u in units}


def _ratings_rectification(units: list[Any], period: Period) -> dict[int, Measure]:
    ms = _rating_metrics(units, period)
    return {u.pk: (wilson(m.rectified, m.bad) if (m := ms.get(u.pk)) else Measure.none()) for u in units}


# --- oversight -----------------------------------------------------------------------------------


def _rectifications_closed(units: list[Any], period: Period) -> dict[int, Measure]:

    ids = [u.pk for u in units]
    rows = (
        rectifications_for(period.viewer)
        .filter(
            department_id__in=ids,
            created_at__gte=day_start(period.start),
            created_at__lt=day_start(period.end + timedelta(days=1)),
        )
        .order_by()
        .values("department_id")
        .annotate(n=Count("id"), closed=Count("id", filter=Q(status=RectificationStatus.CLOSED)))
    )
    got = {r["department_id"]: wilson(r["closed"], r["n"]) for r in rows}
    return {u: got.get(u, Measure.none()) for u in ids}


def _span(period: Period) -> tuple[Any, Any, Any]:
    """The period as aware instants [start, end) and the instant up to which a deadline has passed."""
    start, end = day_start(period.start), day_start(period.end + timedelta(days=1))
    return start, end, min(end, timezone.now())


def _rates(decided: dict[int, dict[str, int]], ids: list[int]) -> dict[int, Measure]:
    out = {}
    for u in ids:
        d = decided.get(u, {})
        n = d.get("on_time", 0) + d.get("late", 0) + d.get("overdue_open", 0)
        out[u] = wilson(d.get("on_time", 0), n, late=d.get("late", 0), overdue_open=d.get("overdue_open", 0))
    return out


def _tasks_on_time(units: list[Any], period: Period) -> dict[int, Measure]:
    """督查督办 (issue 12): the share of a unit's task assignments completed by their deadline. A share
    reported completed in the period counts on time when `completed_at` ≤ its Clock's `due_at` (a
    share without a due instant counts on time); a share not reported completed whose deadline passed
    in the period counts late (a rejected completion clears `completed_at`: it is open again)."""

    ids = [u.pk for u in units]
    start, end, passed = _span(period)
    scoped = assignments_for(period.viewer).filter(department_id__in=ids)
    decided: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in (
        scoped.filter(completed_at__gte=start, completed_at__lt=end)
        .order_by()
        .values("department_id")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=Q(clock__due_at__isnull=False, completed_at__gt=F("clock__due_at"))),
        )
    ):
        decided[r["department_id"]]["on_time"] += r["n"] - r["late"]
        decided[r["department_id"]]["late"] += r["late"]
    for o in (
        scoped.filter(completed_at__isnull=True, clock__due_at__gte=start, clock__due_at__lt=passed)
        .order_by()
        .values("department_id")
        .annotate(n=Count("id"))
    ):
        decided[o["department_id"]]["overdue_open"] += o["n"]
    return _rates(decided, ids)


# --- disclosure ----------------------------------------------------------------------------------


def _disclosure_on_time(units: list[Any], period: Period) -> dict[int, Measure]:
    """依申请公开 (DIS-1, issue 11): the share of a unit's requests answered within the period the law
    gives (20 working days, +20 when extended). A request answered in the period counts by its
    `answered_on_time` (set from its Clock when answered — the figure of the annual report's overview);
    a request still open whose deadline passed in the period counts late. Withdrawn requests and
    requests whose clock stands paused (correction, consultation: no due instant) do not count."""

    ids = [u.pk for u in units]
    start, end, passed = _span(period)
    scoped = requests_for(period.viewer).filter(department_id__in=ids)
    decided: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in (
        # a withdrawal also stamps answered_at (the request's close): only answers count
        scoped.filter(status=RequestStatus.ANSWERED, answered_at__gte=start, answered_at__lt=end)
        .order_by()
        .values("department_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(answered_on_time=True)))
    ):
        decided[r["department_id"]]["on_time"] += r["on_time"]
        decided[r["department_id"]]["late"] += r["n"] - r["on_time"]
    for o in (
        scoped.exclude(status__in=[RequestStatus.ANSWERED, RequestStatus.WITHDRAWN])
        .filter(clock__due_at__gte=start, clock__due_at__lt=passed)
        .order_by()
        .values("department_id")
        .annotate(n=Count("id"))
    ):
        decided[o["department_id"]]["overdue_open"] += o["n"]
    return _rates(decided, ids)


# --- this app's own sources ----------------------------------------------------------------------

SEVERITY_POINTS = {1: 2, 2: 5, 3: 10}  # 一般 / 较重 / 严重, per monitoring-point report
INTERVIEW_POINTS = {1: 5, 2: 10, 3: 15}  # per 纠风约谈


def _severity_deductions(scoped: Any, date_field: str, points: dict[int, int]) -> Batch:
    """`scoped(viewer)` gives the rows the viewer may read (a selector)."""

    def batch(units: list[Any], period: Period) -> dict[int, Measure]:

        ids = [u.pk for u in units]
        rows = (
            scoped(period.viewer)
            .filter(department_id__in=ids, **{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end})
            .order_by()
            .values("department_id", "severity")
            .annotate(n=Count("id"))
        )
        pts: dict[int, float] = defaultdict(float)
        cnt: dict[int, int] = defaultdict(int)
        for r in rows:
            pts[r["department_id"]] += points.get(r["severity"], 0) * r["n"]
            cnt[r["department_id"]] += r["n"]
        return {u: Measure.census(100 - _per_month(pts[u], period), cnt[u], events=cnt[u]) for u in ids}

    return batch


def _monitoring(units: list[Any], period: Period) -> dict[int, Measure]:
    # 定点监测: the reports live in the enterprise app (issue 13, ENT-7), read through its selector

    return _severity_deductions(monitoring_reports_for, "reported_on", SEVERITY_POINTS)(units, period)


def _interviews(units: list[Any], period: Period) -> dict[int, Measure]:

    return _severity_deductions(lambda viewer: restrict(Interview.objects.all(), viewer), "held_on", INTERVIEW_POINTS)(
        units, period
    )


register_provider("supervision.efficiency_index", _("效能指数（月均）"), batch=_efficiency_index)
register_provider("supervision.alert_cards", _("电子监察预警（提醒、黄牌、红牌）"), batch=_alert_cards)
register_provider("complaints.on_time", _("投诉按时答复率"), batch=_complaints_on_time)
register_provider("complaints.satisfaction", _("投诉回访满意率"), batch=_complaints_satisfaction)
register_provider("ratings.satisfaction", _("好差评满意率"), batch=_ratings_satisfaction)
register_provider("ratings.rectification", _("差评整改率"), batch=_ratings_rectification)
register_provider("oversight.rectification_closed", _("整改销号率"), batch=_rectifications_closed)
register_provider("oversight.tasks_on_time", _("督查督办按时办结率"), batch=_tasks_on_time)
register_provider("disclosure.on_time", _("依申请公开按时答复率"), batch=_disclosure_on_time)
register_provider("evaluation.monitoring", _("发展环境监测点反映"), batch=_monitoring)
register_provider("evaluation.interviews", _("纠风约谈"), batch=_interviews)

# SUP-3 / seed 002 "五位一体": the five sources of the 效能廉勤 warning index and their weights (sum 100):
# 电子监察, 终端评议, 定点监测, 行风热线, 纠风约谈.
WARNING_SOURCES: tuple[tuple[str, Any, int], ...] = (
    ("supervision.alert_cards", _("电子监察"), 30),
    ("ratings.satisfaction", _("终端评议"), 20),
    ("evaluation.monitoring", _("定点监测"), 15),
    ("complaints.on_time", _("行风热线"), 20),
    ("evaluation.interviews", _("纠风约谈"), 15),
)
