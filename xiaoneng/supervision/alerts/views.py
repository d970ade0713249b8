"""Pages of the SUP-1 alerts: the dashboard, the alert list and detail (with its actions), and the
public thresholds and overdue pages (SUP-4).
"""

from __future__ import annotations

__all__ = [
    "alert_detail",
    "alert_list",
    "dashboard",
    "late",
    "overdue",
    "thresholds_public",
]

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.links import clock_group_of
from xiaoneng.core.pagination import paginate
from xiaoneng.orgs.models import Department
from xiaoneng.oversight.models import Rectification
from xiaoneng.supervision.alerts.selectors import (
    CARD_KEYS,
    alert_resolution,
    alert_subject,
    clock_subjects,
    clocks_by_kind,
    dashboard_stats,
    filter_alerts,
    late_clocks,
    overdue_public,
    threshold_table,
)
from xiaoneng.supervision.alerts.services import alert_acknowledge, alert_escalate, alert_explain, alert_resolve
from xiaoneng.supervision.choices import LEVEL_COLOURS, AlertStatus, Escalation, Level
from xiaoneng.supervision.periods import month_param
from xiaoneng.supervision.permissions import (
    access_alert_by_id,
    alerts_for,
    can_handle,
    can_supervise,
    require_handler_or_supervisor,
)
from xiaoneng.workdays.explain import clock_explain


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
    require_handler_or_supervisor(request)
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
    require_handler_or_supervisor(request)
    alert = access_alert_by_id(request.user, pk)
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
            "explanation": clock_explain(alert.clock),
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


@login_required
def late(request: AuthedRequest) -> HttpResponse:
    """Every clock running past its limit in the user's scope, of every kind (办件, 投诉工单, 依申请公开,
    督办任务, 整改, 涉企检查备案 …), with the per-kind counts of the dashboard (`clocks_by_kind`, the
    one count) and each obligation named and linked by its app for this user (SUP-1)."""
    require_handler_or_supervisor(request)
    groups = [g for g in clocks_by_kind(request.user) if g["late"]]
    kind = request.GET.get("kind", "")[:40]
    if kind not in {g["family"] for g in groups}:
        kind = ""
    page = paginate(request, late_clocks(request.user, kind=kind))
    rows = [
        {"clock": c, "subject": s}
        for c, s in zip(page.object_list, clock_subjects(request.user, page.object_list), strict=True)
    ]
    return render(
        request,
        "supervision/late.html",
        {
            "page": page,
            "rows": rows,
            "groups": groups,
            "total": sum(g["late"] for g in groups),
            "kind": kind,
        },
    )


def thresholds_public(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/thresholds.html", {"rows": threshold_table()})


def overdue(request: HttpRequest) -> HttpResponse:
    # SUP-4 (优化营商环境条例 第三十六条): cases past their limit are explained publicly
    page = paginate(request, overdue_public())
    for a in page.object_list:
        # the kind of obligation (办件, 投诉工单, 依申请公开 …), as its owner app named its clocks
        a.kind_name = str(clock_group_of(a.clock.kind).name)
    return render(request, "supervision/overdue.html", {"items": page.object_list, "page": page})
