"""Pages of the efficiency index: the index, a unit's score and a deduction's records, the public
warning list, and the leader's page.
"""

from __future__ import annotations

__all__ = [
    "efficiency_deduction",
    "efficiency_index",
    "efficiency_score",
    "efficiency_warnings",
    "leader",
]

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.orgs.models import Region
from xiaoneng.supervision.efficiency.scoring import DEFAULT_POLICY, policy_for
from xiaoneng.supervision.efficiency.selectors import (
    deduction_records,
    index_rows,
    leader_overview,
    public_warning_row,
    public_warning_scores,
)
from xiaoneng.supervision.models import EfficiencyPolicy, QuarterGrade
from xiaoneng.supervision.periods import month_param_or, month_start
from xiaoneng.supervision.permissions import (
    access_deduction_by_id,
    access_score_by_id,
    bulletins_for,
    can_supervise,
    regions_of,
    require_handler_or_supervisor,
    scores_for,
)


def _index_reader(request: AuthedRequest) -> None:
    # the efficiency office, leaders, and a unit's own staff (for their own unit only)
    require_handler_or_supervisor(request)


def _pick_region(request: AuthedRequest) -> Region | None:
    raw = request.GET.get("region", "")
    if not raw.isdigit():
        return None
    return next((r for r in regions_of(request.user) if r.pk == int(raw)), None)


def _default_month(request: AuthedRequest) -> date:
    latest = scores_for(request.user).order_by("-month").values_list("month", flat=True).first()
    return latest or month_start(timezone.localdate())


@login_required
def efficiency_index(request: AuthedRequest) -> HttpResponse:
    _index_reader(request)
    month = month_param_or(request.GET.get("month", ""), _default_month(request))
    region = _pick_region(request)
    rows = index_rows(request.user, month, region)
    months = list(scores_for(request.user).order_by("-month").values_list("month", flat=True).distinct()[:24])
    chart = {
        "names": [s.department.name for s in rows],
        "scores": [float(s.score) for s in rows],
        "ids": [s.pk for s in rows],
        "warnings": [s.warning for s in rows],
    }
    return render(
        request,
        "supervision/efficiency_index.html",
        {
            "rows": rows,
            "month": month,
            "months": months,
            "region": region,
            "regions": regions_of(request.user),
            "chart": chart,
            "chart_height": 90 + 30 * max(len(rows), 1),
            "policy": policy_for(request.user.tenant_id or (rows[0].tenant_id if rows else None)),
        },
    )


@login_required
def efficiency_score(request: AuthedRequest, pk: int) -> HttpResponse:
    _index_reader(request)
    score = access_score_by_id(request.user, pk)
    history = list(scores_for(request.user).filter(department_id=score.department_id).order_by("-month")[:12])[::-1]
    return render(
        request,
        "supervision/efficiency_score.html",
        {
            "score": score,
            "deductions": list(score.deductions.all()),
            "history": {
                "months": [h.month.strftime("%Y-%m") for h in history],
                "scores": [float(h.score) for h in history],
            },
            "grades": QuarterGrade.objects.filter(department_id=score.department_id).order_by("-year", "-quarter")[:4],
        },
    )


@login_required
def efficiency_deduction(request: AuthedRequest, pk: int) -> HttpResponse:
    _index_reader(request)
    deduction = access_deduction_by_id(request.user, pk)  # 404 outside the user's scope
    score = deduction.score
    return render(
        request,
        "supervision/efficiency_deduction.html",
        {"score": score, "deduction": deduction, "records": deduction_records(request.user, deduction)},
    )


def efficiency_warnings(request: HttpRequest) -> HttpResponse:
    """SUP-3 level 3: the public warning list, with the scoring rules in force; no personal data."""
    month = month_param_or(request.GET.get("month", ""), date.min) if request.GET.get("month") else None
    month, scores, months = public_warning_scores(month)
    page = paginate(request, scores)
    rows = [public_warning_row(s) for s in page.object_list]
    policies = [("", DEFAULT_POLICY)] + [(p.tenant.name, p) for p in EfficiencyPolicy.objects.select_related("tenant")]
    return render(
        request,
        "supervision/efficiency_warnings.html",
        {"month": month, "rows": rows, "page": page, "months": months, "policies": policies},
    )


@login_required
def leader(request: AuthedRequest) -> HttpResponse:
    """陈书记's one page: index, public warning list, bottom-ranked units and their rectifications,
    the month's complaints and ratings; every figure links to the page behind it."""
    if not can_supervise(request.user):
        raise PermissionDenied
    month = month_param_or(request.GET.get("month", ""), _default_month(request))
    region = _pick_region(request)
    data = leader_overview(request.user, month, region)
    rows = data["rows"]
    chart = {
        "names": [s.department.name for s in rows],
        "scores": [float(s.score) for s in rows],
        "ids": [s.pk for s in rows],
        "warnings": [s.warning for s in rows],
    }
    return render(
        request,
        "supervision/leader.html",
        {
            "d": data,
            "month": month,
            "month_end": (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1),
            "region": region,
            "regions": regions_of(request.user),
            "chart": chart,
            "chart_height": 90 + 26 * max(len(rows), 1),
            "bulletins": bulletins_for(request.user)[:5],
        },
    )
