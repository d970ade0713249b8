"""Scoped reads of the efficiency index: the index rows, a deduction's records, the public warning
list (SUP-3 level 3) and the leader's page.
"""

from __future__ import annotations

__all__ = [
    "deduction_records",
    "index_rows",
    "leader_overview",
    "public_warning_row",
    "public_warning_scores",
    "public_warnings",
]

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse

from xiaoneng.complaints.choices import Kind as ComplaintKind
from xiaoneng.complaints.selectors import complaints_for, department_stats
from xiaoneng.core.scoping import restrict
from xiaoneng.orgs.models import Region
from xiaoneng.oversight.choices import RectificationStatus
from xiaoneng.oversight.models import Rectification
from xiaoneng.oversight.selectors import rectifications_for
from xiaoneng.ratings.selectors import rating_metrics, ratings_for
from xiaoneng.supervision.alerts.selectors import card_counts
from xiaoneng.supervision.choices import DeductionSource, WarningLevel
from xiaoneng.supervision.efficiency.scoring import percent, policy_for, round_tenth
from xiaoneng.supervision.messages import warning_reason_text
from xiaoneng.supervision.models import Alert, Deduction, EfficiencyScore, Irregularity
from xiaoneng.supervision.periods import add_months, month_bounds
from xiaoneng.supervision.permissions import scores_for, scores_in_region


def index_rows(user: Any, month: date, region: Region | None = None) -> list[EfficiencyScore]:
    """The index by unit for a month, best first, with a rank (ties share a rank)."""
    rows = list(scores_in_region(scores_for(user), region).filter(month=month).order_by("-score", "department__name"))
    rank, last = 0, None
    for i, s in enumerate(rows, start=1):
        if s.score != last:
            rank, last = i, s.score
        s.rank = rank  # type: ignore[attr-defined]
    return rows


def deduction_records(user: Any, deduction: Deduction) -> list[dict[str, Any]]:
    """The records behind a deduction, as this user may see them (alerts, irregularities, complaints,
    ratings), each with a label, a date and a link where the user has a page for it."""

    ids = [int(i) for i in deduction.refs]
    out: list[dict[str, Any]] = []

    def link(name: str, pk: int) -> str:
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            return ""

    src = deduction.source
    if src in (DeductionSource.ALERT_REMIND, DeductionSource.ALERT_YELLOW, DeductionSource.ALERT_RED):
        for a in restrict(Alert.objects.select_related("clock").filter(pk__in=ids), user).order_by("raised_at"):
            out.append(
                {
                    "label": a.clock.label,
                    "kind": a.get_level_display(),
                    "at": a.raised_at,
                    "status": a.get_status_display(),
                    "url": link("supervision:alert", a.pk),
                }
            )
    elif src == DeductionSource.IRREGULARITY:
        for r in restrict(Irregularity.objects.filter(pk__in=ids), user).order_by("detected_at"):
            out.append(
                {
                    "label": f"{r.get_rule_display()}（{r.subject_label}）",
                    "kind": r.get_severity_display(),
                    "at": r.detected_at,
                    "status": r.get_status_display(),
                    "url": link("supervision:irregularity", r.pk),
                }
            )
    elif src in (DeductionSource.COMPLAINT, DeductionSource.LATE_REPLY):
        for c in complaints_for(user).filter(pk__in=ids).order_by("received_at"):
            out.append(
                {
                    "label": f"{c.number} {c.title}",
                    "kind": c.get_kind_display(),
                    "at": c.received_at,
                    "status": c.get_status_display(),
                    "url": link("complaints:office_detail", c.pk),
                }
            )
    else:
        for rt in ratings_for(user).filter(pk__in=ids).order_by("rated_at"):
            out.append(
                {
                    "label": rt.comment[:60] or rt.get_level_display(),
                    "kind": rt.get_level_display(),
                    "at": rt.rated_at,
                    "status": rt.get_handling_display(),
                    "url": link("ratings:detail", rt.pk),
                }
            )
    return out


def public_warning_scores(month: date | None = None) -> tuple[date | None, QuerySet[EfficiencyScore], list[date]]:
    """SUP-3 level 3: the month (default: the latest with a public warning), its listed scores (a
    queryset, so the page can paginate it) and the months that have a list."""
    months = list(
        EfficiencyScore.objects.filter(warning=WarningLevel.PUBLIC)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()[:24]
    )
    if month is None:
        month = months[0] if months else None
    if month is None:
        return None, EfficiencyScore.objects.none(), months
    rows = (
        EfficiencyScore.objects.filter(warning=WarningLevel.PUBLIC, month=month)
        .select_related("department", "region")
        .prefetch_related("deductions")
        .order_by("score", "department__name", "id")
    )
    return month, rows, months


def public_warning_row(s: EfficiencyScore) -> dict[str, Any]:
    """One row of the public list: unit, month, score, why and the kinds of deductions. No person,
    no case, no complainant or rater appears here."""
    return {
        "department": s.department.name,
        "region": s.region.name,
        "month": s.month,
        "score": s.score,
        "reason": warning_reason_text(s),
        "frozen": s.frozen,
        "items": [
            {"source": str(d.get_source_display()), "count": d.count, "points": d.points} for d in s.deductions.all()
        ],
    }


def public_warnings(month: date | None = None) -> tuple[date | None, list[dict[str, Any]], list[date]]:
    """SUP-3 level 3, for everyone (the API): every row of the month's public list."""
    month, rows, months = public_warning_scores(month)
    return month, [public_warning_row(s) for s in rows], months


def leader_overview(user: Any, month: date, region: Region | None = None) -> dict[str, Any]:
    """The leader's one page (陈书记): the index by unit, the public warning list, the bottom-ranked
    units with their rectifications, and the month's complaints and ratings figures; scoped."""

    rows = index_rows(user, month, region)
    public = [s for s in rows if s.warning == WarningLevel.PUBLIC]
    policy = policy_for(getattr(user, "tenant_id", None) or (rows[0].tenant_id if rows else None))
    bottom = [s for s in rows[-3:] if s.score < policy.base][::-1] if rows else []
    bottom_ids = [s.department_id for s in bottom]
    rects: dict[int, list[Rectification]] = defaultdict(list)
    for r in (
        rectifications_for(user)
        .filter(department_id__in=bottom_ids)
        .select_related("clock")
        .order_by("status", "-created_at")[:60]
    ):
        rects[r.department_id].append(r)
    bottom_out = []
    for s in bottom:
        items = rects.get(s.department_id, [])
        bottom_out.append(
            {
                "score": s,
                "rectifications": items[:5],
                "open": sum(1 for r in items if r.status != RectificationStatus.CLOSED),
                "closed": sum(1 for r in items if r.status == RectificationStatus.CLOSED),
            }
        )
    end = add_months(month, 1)

    last = end - timedelta(days=1)
    cqs = complaints_for(user)
    rqs = ratings_for(user)
    if region is not None:
        in_region = Q(region__path=region.path) | Q(region__path__startswith=region.path + "/")
        cqs = cqs.filter(in_region)
        rqs = rqs.filter(
            Q(department__region__path=region.path) | Q(department__region__path__startswith=region.path + "/")
        )
    cfig = department_stats(cqs, start=month, end=last)
    rfig = rating_metrics(rqs, start=month, end=last)
    lo, hi = month_bounds(month)
    # this month's cards, the one definition (selectors.card_counts): the same numbers as the
    # dashboard, the bulletin and the index's deductions
    cards = card_counts(user, months=[month], region=region)
    c_tot = {
        k: sum(getattr(f, k) for f in cfig)
        for k in ("total", "due_reply", "replied", "on_time", "callbacks", "satisfied")
    }
    r_tot = {
        k: sum(getattr(m, k) for m in rfig) for k in ("total", "active", "satisfied", "bad", "rectified", "called_back")
    }
    substantiated = cqs.filter(
        kind=ComplaintKind.EFFICIENCY, substantiated=True, replied_at__gte=lo, replied_at__lt=hi
    ).count()
    return {
        "rows": rows,
        "public": public,
        "bottom": bottom_out,
        "policy": policy,
        "average": round_tenth(sum((s.score for s in rows), Decimal(0)) / len(rows)) if rows else None,
        "complaints": {
            **c_tot,
            "substantiated": substantiated,
            # on time ÷ replies due, late ones still open included (complaints.selectors.reply_late_q)
            "on_time_rate": percent(c_tot["on_time"], c_tot["due_reply"]) if c_tot["due_reply"] else None,
            "satisfaction_rate": percent(c_tot["satisfied"], c_tot["callbacks"]) if c_tot["callbacks"] else None,
            "by_department": cfig[:10],
        },
        "ratings": {
            **r_tot,
            "satisfaction_rate": percent(r_tot["satisfied"], r_tot["total"]) if r_tot["total"] else None,
            "rectification_rate": percent(r_tot["rectified"], r_tot["bad"]) if r_tot["bad"] else None,
            "by_department": rfig[:10],
        },
        "alerts": {k: cards[k] for k in ("remind", "yellow", "red")},
    }
