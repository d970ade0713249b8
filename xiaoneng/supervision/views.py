from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiaoneng.core.http import AuthedRequest
from xiaoneng.orgs.models import Department
from xiaoneng.oversight.models import Rectification

from .choices import LEVEL_COLOURS, SUPERVISOR_ROLES, AlertStatus, Escalation, Level
from .selectors import alert_for, alerts_for, dashboard_stats, filter_alerts, overdue_public, threshold_table
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
        {"stats": stats, "levels": Level.choices, "depts_chart_height": height},
    )


@login_required
def alert_list(request: AuthedRequest) -> HttpResponse:
    _handler_or_supervisor(request)
    level, status, dept = request.GET.get("level", ""), request.GET.get("status", ""), request.GET.get("department", "")
    qs = filter_alerts(alerts_for(request.user), level=level, status=status, department=dept)
    dept_ids = alerts_for(request.user).order_by().values("department_id").distinct()
    items = list(qs[:300])
    for a in items:
        a.colour = LEVEL_COLOURS[Level(a.level)]  # type: ignore[attr-defined]
    return render(
        request,
        "supervision/alert_list.html",
        {
            "items": items,
            "levels": Level.choices,
            "statuses": AlertStatus.choices,
            "departments": Department.objects.filter(pk__in=dept_ids),
            "f": {"level": level, "status": status, "department": dept},
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
    return render(
        request,
        "supervision/alert_detail.html",
        {
            "alert": alert,
            "colour": LEVEL_COLOURS[Level(alert.level)],
            "explanation": alert.clock.explain(),
            "recommendation": getattr(alert, "recommendation", None),
            "rectification": rect,
            "may_handle": can_handle(request.user, alert),
            "may_supervise": can_supervise(request.user, alert),
            "max_escalation": Escalation.OFFICE,
        },
    )


def thresholds_public(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/thresholds.html", {"rows": threshold_table()})


def overdue(request: HttpRequest) -> HttpResponse:
    # SUP-4 (优化营商环境条例 第三十六条): cases past their limit are explained publicly
    return render(request, "supervision/overdue.html", {"items": overdue_public()})
