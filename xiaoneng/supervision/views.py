from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.orgs.models import Department, Region
from xiaoneng.oversight.models import Rectification

from .bulletins import (
    bulletin_create,
    bulletin_file_response,
    bulletin_for,
    bulletin_issue,
    bulletins_for,
    can_issue_bulletins,
    can_read_bulletins,
    figures_of,
)
from .choices import LEVEL_COLOURS, SUPERVISOR_ROLES, AlertStatus, BulletinKind, BulletinStatus, Escalation, Level
from .efficiency import (
    DEFAULT_POLICY,
    deduction_records,
    index_rows,
    leader_overview,
    month_start,
    policy_for,
    public_warning_row,
    public_warning_scores,
    score_for,
    scores_for,
)
from .models import Deduction, EfficiencyPolicy, QuarterGrade
from .selectors import (
    CARD_KEYS,
    alert_for,
    alert_resolution,
    alert_subject,
    alerts_for,
    dashboard_stats,
    filter_alerts,
    month_param,
    overdue_public,
    threshold_table,
)
from .services import alert_acknowledge, alert_escalate, alert_explain, alert_resolve, can_handle, can_supervise


def _handler_or_supervisor(request: AuthedRequest) -> None:
    u = request.user
    if not (u.is_superuser or u.is_department_scoped or u.role in SUPERVISOR_ROLES):
        raise PermissionDenied


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    if not can_supervise(request.user):
        raise PermissionDenied
    stats = dashboard_stats(request.user)
    # the department bars get room by how many departments there are
    height = 90 + 38 * max(len(stats["departments"]), 1)
    return render(
        request,
        "supervision/dashboard.html",
        {"stats": stats, "levels": Level.choices, "depts_chart_height": height, "now_local": timezone.localtime()},
    )


@login_required
def alert_list(request: AuthedRequest) -> HttpResponse:
    _handler_or_supervisor(request)
    level, status, dept = request.GET.get("level", ""), request.GET.get("status", ""), request.GET.get("department", "")
    kind, item = request.GET.get("kind", "")[:40], request.GET.get("item", "")[:12]
    card, month = request.GET.get("card", "")[:10], request.GET.get("month", "")[:10]
    qs = filter_alerts(
        alerts_for(request.user),
        level=level[:4],
        status=status[:20],
        department=dept[:12],
        kind=kind,
        item=item,
        card=card,
        month=month,
    )
    dept_ids = alerts_for(request.user).order_by().values("department_id").distinct()
    page = paginate(request, qs)
    for a in page.object_list:
        a.colour = LEVEL_COLOURS[Level(a.level)]
    card_month = month_param(month) or (timezone.localdate().replace(day=1) if card in CARD_KEYS else None)
    return render(
        request,
        "supervision/alert_list.html",
        {
            "page": page,
            "items": page.object_list,
            "levels": Level.choices,
            "statuses": AlertStatus.choices,
            "departments": Department.objects.filter(pk__in=dept_ids),
            "card_label": {"remind": _("提醒"), "yellow": _("黄牌"), "red": _("红牌")}.get(card, ""),
            "card_month": card_month,
            "f": {
                "level": level,
                "status": status,
                "department": dept,
                "kind": kind,
                "item": item,
                "card": card if card in CARD_KEYS else "",
                "month": card_month.strftime("%Y-%m") if card_month else "",
            },
        },
    )


@login_required
def alert_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _handler_or_supervisor(request)
    alert = alert_for(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "acknowledge":
                alert_acknowledge(alert=alert, actor=request.user)
                messages.success(request, _("已签收。"))
            elif action == "explain":
                alert_explain(alert=alert, actor=request.user, text=request.POST.get("text", ""))
                messages.success(request, _("情况说明已提交。"))
            elif action == "resolve":
                alert_resolve(alert=alert, actor=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("预警已办结。"))
            elif action == "escalate":
                alert_escalate(alert=alert, actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("已升级督办。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        return redirect("supervision:alert", pk=alert.pk)
    rect = Rectification.objects.filter(source_type__model="alert", source_id=str(alert.pk)).first()
    resolution = alert_resolution(alert)
    still_open = resolution is None  # a met obligation's alert is closed even before the scan records it
    may_supervise = can_supervise(request.user, alert)
    return render(
        request,
        "supervision/alert_detail.html",
        {
            "alert": alert,
            "subject": alert_subject(request.user, alert),
            "resolution": resolution,
            "status_label": resolution["status"] if resolution else alert.get_status_display(),
            "colour": LEVEL_COLOURS[Level(alert.level)],
            "explanation": alert.clock.explain(),
            "recommendation": getattr(alert, "recommendation", None),
            "rectification": rect,
            "may_handle": still_open and can_handle(request.user, alert),
            "may_supervise": still_open and may_supervise,
            "may_escalate": (
                still_open
                and may_supervise
                and alert.status in (AlertStatus.RAISED, AlertStatus.ESCALATED)
                and alert.escalation < Escalation.OFFICE
            ),
        },
    )


def thresholds_public(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/thresholds.html", {"rows": threshold_table()})


def overdue(request: HttpRequest) -> HttpResponse:
    # SUP-4 (优化营商环境条例 第三十六条): cases past their limit are explained publicly
    page = paginate(request, overdue_public())
    return render(request, "supervision/overdue.html", {"items": page.object_list, "page": page})


# --- efficiency index, warnings, leader's page, bulletins (SUP-3, SUP-5) ------------------------


def _month_param(value: str, default: date) -> date:
    # a month outside 2000–2100 (year 0001 or 9999) is no month of the index: the default instead of
    # a date overflow (a 500) further down
    return month_param(value[:10]) or default


def _index_reader(request: AuthedRequest) -> None:
    # the efficiency office, leaders, and a unit's own staff (for their own unit only)
    _handler_or_supervisor(request)


def _regions_of(user: Any) -> list[Region]:
    if user.is_superuser:
        return list(Region.objects.order_by("path")[:200])
    if not user.region_id:
        return []
    p = user.region.path
    return list(Region.objects.filter(Q(path=p) | Q(path__startswith=p + "/")).order_by("path")[:200])


def _pick_region(request: AuthedRequest) -> Region | None:
    raw = request.GET.get("region", "")
    if not raw.isdigit():
        return None
    return next((r for r in _regions_of(request.user) if r.pk == int(raw)), None)


def _default_month(request: AuthedRequest) -> date:
    latest = scores_for(request.user).order_by("-month").values_list("month", flat=True).first()
    return latest or month_start(timezone.localdate())


@login_required
def efficiency_index(request: AuthedRequest) -> HttpResponse:
    _index_reader(request)
    month = _month_param(request.GET.get("month", ""), _default_month(request))
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
            "regions": _regions_of(request.user),
            "chart": chart,
            "chart_height": 90 + 30 * max(len(rows), 1),
            "policy": policy_for(request.user.tenant_id or (rows[0].tenant_id if rows else None)),
        },
    )


@login_required
def efficiency_score(request: AuthedRequest, pk: int) -> HttpResponse:
    _index_reader(request)
    score = score_for(request.user, pk)
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
    deduction = get_object_or_404(Deduction.objects.select_related("score"), pk=pk)
    score = score_for(request.user, deduction.score_id)  # 404 outside the user's scope
    return render(
        request,
        "supervision/efficiency_deduction.html",
        {"score": score, "deduction": deduction, "records": deduction_records(request.user, deduction)},
    )


def efficiency_warnings(request: HttpRequest) -> HttpResponse:
    """SUP-3 level 3: the public warning list, with the scoring rules in force; no personal data."""
    month = _month_param(request.GET.get("month", ""), date.min) if request.GET.get("month") else None
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
    month = _month_param(request.GET.get("month", ""), _default_month(request))
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
            "regions": _regions_of(request.user),
            "chart": chart,
            "chart_height": 90 + 26 * max(len(rows), 1),
            "bulletins": bulletins_for(request.user)[:5],
        },
    )


@login_required
def bulletin_list(request: AuthedRequest) -> HttpResponse:
    if not can_read_bulletins(request.user):
        raise PermissionDenied
    if request.method == "POST":
        if not can_issue_bulletins(request.user):
            raise PermissionDenied
        region = next((r for r in _regions_of(request.user) if str(r.pk) == request.POST.get("region")), None)
        try:
            if region is None:
                raise ValidationError(_("请选择区划。"))
            period = _month_param(request.POST.get("period", ""), date.min)
            if period == date.min:
                raise ValidationError(_("请选择期间。"))
            b = bulletin_create(
                actor=request.user,
                region=region,
                kind=request.POST.get("kind", ""),
                period=period,
                remarks=request.POST.get("remarks", ""),
            )
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
            return redirect("supervision:bulletins")
        messages.success(request, _("通报草稿已创建。"))
        return redirect("supervision:bulletin", pk=b.pk)
    page = paginate(request, bulletins_for(request.user))
    return render(
        request,
        "supervision/bulletin_list.html",
        {
            "items": page.object_list,
            "page": page,
            "may_issue": can_issue_bulletins(request.user),
            "regions": _regions_of(request.user),
            "kinds": BulletinKind.choices,
            "this_month": month_start(timezone.localdate()),
        },
    )


@login_required
def bulletin_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    if not can_read_bulletins(request.user):
        raise PermissionDenied
    b = bulletin_for(request.user, pk)
    if request.method == "POST":
        if not can_issue_bulletins(request.user):
            raise PermissionDenied
        try:
            bulletin_issue(bulletin=b, actor=request.user, remarks=request.POST.get("remarks"))
            messages.success(request, _("通报已印发。"))
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        return redirect("supervision:bulletin", pk=b.pk)
    f = figures_of(b)
    return render(
        request,
        "supervision/bulletin_detail.html",
        {
            "b": b,
            "f": f,
            "sources": f["sources"],
            "may_issue": can_issue_bulletins(request.user) and b.status == BulletinStatus.DRAFT,
        },
    )


@login_required
def bulletin_download(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    return bulletin_file_response(request.user, pk, fmt)
