"""The figures of a bulletin (通报): the live figures of a draft, and the frozen snapshot of an issued
one, localised for the reader.
"""

from __future__ import annotations

__all__ = [
    "bulletin_figures",
    "figures_of",
]

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.selectors import department_stats
from xiaoneng.orgs.models import Region
from xiaoneng.ratings.models import Rating
from xiaoneng.ratings.selectors import rating_metrics
from xiaoneng.supervision.alerts.selectors import CARD_KEYS, card_counts
from xiaoneng.supervision.choices import BulletinKind, BulletinStatus, DeductionSource, Grade, WarningLevel
from xiaoneng.supervision.efficiency.scoring import grade_for, policy_for
from xiaoneng.supervision.models import Alert, Bulletin, Deduction, EfficiencyScore, QuarterGrade
from xiaoneng.supervision.periods import period_label, period_months


# --- the figures ----------------------------------------------------------------------------------
def _subtree(prefix: str, region: Region) -> Q:
    return Q(**{f"{prefix}path": region.path}) | Q(**{f"{prefix}path__startswith": region.path + "/"})


def _num(x: Decimal | None) -> float | None:
    return None if x is None else float(x)


def bulletin_figures(region: Region, kind: str, period: date) -> dict[str, Any]:
    """Everything a bulletin shows, as plain JSON (what `bulletin_issue` freezes)."""

    months = period_months(kind, period)
    policy = policy_for(region.tenant_id)
    scores = list(
        EfficiencyScore.objects.filter(_subtree("region__", region), month__in=months)
        .select_related("department", "region")
        .order_by("department__name", "month")
    )
    deductions: dict[int, dict[str, Decimal]] = {}
    for score_id, source, points in Deduction.objects.filter(score__in=[s.pk for s in scores]).values_list(
        "score_id", "source", "points"
    ):
        deductions.setdefault(score_id, {})[source] = points
    units: dict[int, dict[str, Any]] = {}
    for s in scores:
        u = units.setdefault(
            s.department_id,
            {
                "department": s.department.name,
                "department_id": s.department_id,
                "region": s.region.name,
                "monthly": {},
                "deductions": {},
                "warning": 0,
                "frozen": True,
                "alerts": {"remind": 0, "yellow": 0, "red": 0},
            },
        )
        u["monthly"][s.month.strftime("%Y-%m")] = float(s.score)
        for src, pts in deductions.get(s.pk, {}).items():
            u["deductions"][src] = round(u["deductions"].get(src, 0.0) + float(pts), 1)
        u["warning"] = max(u["warning"], s.warning)
        u["frozen"] = u["frozen"] and s.frozen
    grades = {
        g.department_id: g
        for g in QuarterGrade.objects.filter(
            department_id__in=list(units), year=period.year, quarter=(period.month - 1) // 3 + 1
        )
    }
    rows = []
    for dept_id, u in units.items():
        values = list(u["monthly"].values())
        mean = (Decimal(str(sum(values))) / len(values)).quantize(Decimal("0.1"))
        u["score"] = float(mean)
        u["deducted"] = round(sum(u["deductions"].values()), 1)
        u["warning_label"] = str(WarningLevel(u["warning"]).label)
        if kind == BulletinKind.QUARTERLY:
            g = grades.get(dept_id)
            code = g.grade if g is not None else grade_for(mean, policy)
            u["grade"] = str(Grade(code).label)
            u["grade_code"] = code
        rows.append(u)
    rows.sort(key=lambda u: (-u["score"], u["department"]))
    rank, last = 0, None
    for i, u in enumerate(rows, start=1):
        if u["score"] != last:
            rank, last = i, u["score"]
        u["rank"] = rank
    # SUP-1 alerts in a bulletin are counted on the index's deduction basis (SUP-5): each obligation
    # once a month at the highest level it reached, read from the scores' own figures. A 通报 is the
    # efficiency office's account of the index: a unit's "黄牌 2" must be the two yellow cards its
    # deductions were taken for, or the unit will (rightly) dispute the figure. The raw number of
    # alert records (a reminder, then a yellow, then a red card on one overdue case is 3 records but
    # one red-card obligation) is an operational figure with its own page, the alert list; printing
    # both side by side in a bulletin invites exactly the dispute this avoids.
    # The cards come from the one definition (selectors.card_counts), which the index's own
    # deductions use too: a unit's "黄牌 2" here is what its −5 × 2 was taken for, and the same number
    # the dashboard and the leader's page show for the month.
    cards = card_counts(months=months, region=region, alerts=Alert.objects.all())
    for u in rows:
        u["alerts"] = dict(cards["by_department"].get(u["department_id"], u["alerts"]))
        del u["department_id"]
    alerts = {k: cards[k] for k in CARD_KEYS}
    end = months[-1].replace(day=28) + timedelta(days=4)
    end = end - timedelta(days=end.day)
    cfig = department_stats(Complaint.objects.filter(_subtree("region__", region)), start=months[0], end=end)
    rfig = rating_metrics(Rating.objects.filter(_subtree("department__region__", region)), start=months[0], end=end)
    c = {
        k: sum(getattr(f, k) for f in cfig)
        for k in ("total", "due_reply", "replied", "on_time", "callbacks", "satisfied")
    }
    r = {
        k: sum(getattr(m, k) for m in rfig) for k in ("total", "active", "satisfied", "bad", "rectified", "called_back")
    }

    def pct(n: int, d: int) -> float | None:
        return round(100.0 * n / d, 1) if d else None

    return {
        "region": region.name,
        "region_code": region.code,
        "kind": kind,
        "period": period.isoformat(),
        "period_label": period_label(kind, period),
        "months": [m.strftime("%Y-%m") for m in months],
        "as_of": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "final": bool(rows) and all(u["frozen"] for u in rows),
        "sources": [[s.value, str(s.label)] for s in DeductionSource],
        "units": rows,
        "summary": {
            "units": len(rows),
            "average": round(sum(u["score"] for u in rows) / len(rows), 1) if rows else None,
            "composite": sum(1 for u in rows if u["warning"] >= WarningLevel.COMPOSITE),
            "public": sum(1 for u in rows if u["warning"] >= WarningLevel.PUBLIC),
            "fail": sum(1 for u in rows if u.get("grade_code") == Grade.FAIL),
        },
        "public_list": [
            {"department": u["department"], "score": u["score"], "warning": u["warning_label"]}
            for u in rows
            if u["warning"] >= WarningLevel.PUBLIC
        ],
        "alerts": alerts,
        "alerts_basis": "obligation",  # each obligation once a month at its highest level (SUP-5)
        "complaints": {
            **c,
            "on_time_rate": pct(c["on_time"], c["due_reply"]),  # complaints.selectors.reply_late_q
            "satisfaction_rate": pct(c["satisfied"], c["callbacks"]),
        },
        "ratings": {
            **r,
            "satisfaction_rate": pct(r["satisfied"], r["total"]),
            "rectification_rate": pct(r["rectified"], r["bad"]),
            "callback_rate": pct(r["called_back"], r["bad"]),
        },
        "policy": {
            "base": _num(policy.base),
            "composite_below": _num(policy.composite_below),
            "public_below": _num(policy.public_below),
            "grades": [_num(policy.grade_excellent), _num(policy.grade_good), _num(policy.grade_pass)],
        },
    }


def _localised(f: dict[str, Any]) -> dict[str, Any]:
    """The figures with every label rendered in the active language from the codes stored beside it
    (a snapshot frozen the labels in the language of whoever issued it; the codes are what count)."""
    f = {**f, "units": [dict(u) for u in f.get("units", [])]}
    if f.get("kind") in BulletinKind.values and f.get("period"):
        f["period_label"] = period_label(f["kind"], date.fromisoformat(f["period"]))
    f["sources"] = [
        [code, str(DeductionSource(code).label) if code in DeductionSource.values else label]
        for code, label in f.get("sources", [])
    ]
    for u in f["units"]:
        if u.get("warning") in WarningLevel.values:
            u["warning_label"] = str(WarningLevel(u["warning"]).label)
        if u.get("grade_code") in Grade.values:
            u["grade"] = str(Grade(u["grade_code"]).label)
    if f["units"]:
        f["public_list"] = [
            {"department": u["department"], "score": u["score"], "warning": u["warning_label"]}
            for u in f["units"]
            if u["warning"] >= WarningLevel.PUBLIC
        ]
    return f


def figures_of(bulletin: Bulletin) -> dict[str, Any]:
    """An issued bulletin shows its frozen snapshot; a draft the live figures; either with its labels
    in the reader's language."""
    if bulletin.status == BulletinStatus.ISSUED and bulletin.snapshot:
        return _localised(bulletin.snapshot)
    return _localised(bulletin_figures(bulletin.region, bulletin.kind, bulletin.period))
