"""Pages of the SUP-2 irregularity flags: the list (filters by rule, status, department and period),
the detail with its handling actions, and the rules themselves.
"""

from __future__ import annotations

__all__ = [
    "SEVERITY_COLOURS",
    "STATUS_COLOURS",
    "irregularity_detail",
    "irregularity_list",
    "irregularity_rules",
]

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.orgs.models import Department
from xiaoneng.supervision.choices import IrregularityRule, IrregularityStatus, Severity
from xiaoneng.supervision.irregularities.rules import RULES
from xiaoneng.supervision.irregularities.selectors import (
    filter_irregularities,
    irregularity_case,
    irregularity_rectification,
    irregularity_subject,
)
from xiaoneng.supervision.irregularities.services import (
    irregularity_confirm,
    irregularity_dismiss,
    irregularity_rectify,
)
from xiaoneng.supervision.permissions import (
    access_irregularity_by_id,
    can_handle_irregularity,
    irregularities_for,
    require_irregularity_reader,
)

SEVERITY_COLOURS = {Severity.MINOR: "blue", Severity.SERIOUS: "yellow", Severity.GRAVE: "red"}


STATUS_COLOURS = {
    IrregularityStatus.OPEN: "red",
    IrregularityStatus.CONFIRMED: "yellow",
    IrregularityStatus.DISMISSED: "blue",
    IrregularityStatus.RECTIFIED: "green",
}


@login_required
def irregularity_list(request: AuthedRequest) -> HttpResponse:
    require_irregularity_reader(request)
    # every filter is short: a longer value is no valid one (and a 300-digit id would overflow the query)
    f = {k: request.GET.get(k, "")[:20] for k in ("rule", "status", "department", "date_from", "date_to")}
    scoped = irregularities_for(request.user)
    qs = filter_irregularities(scoped, **f)
    page = paginate(request, qs)
    items = list(page.object_list)
    for i in items:
        i.colour = SEVERITY_COLOURS[Severity(i.severity)]
        i.status_colour = STATUS_COLOURS[IrregularityStatus(i.status)]
    dept_ids = scoped.order_by().values("department_id").distinct()
    return render(
        request,
        "supervision/irregularity_list.html",
        {
            "items": items,
            "page": page,
            "rules": IrregularityRule.choices,
            "statuses": IrregularityStatus.choices,
            "departments": Department.objects.filter(pk__in=dept_ids).order_by("name"),
            "f": f,
        },
    )


@login_required
def irregularity_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require_irregularity_reader(request)
    irr = access_irregularity_by_id(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "confirm":
                irregularity_confirm(irregularity=irr, actor=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("已确认该违规预警，并通知部门负责人。"))
            elif action == "dismiss":
                irregularity_dismiss(irregularity=irr, actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("已排除该违规预警。"))
            elif action == "rectify":
                limit = request.POST.get("limit", "")
                irregularity_rectify(
                    irregularity=irr,
                    actor=request.user,
                    measures=request.POST.get("measures", ""),
                    limit=int(limit) if limit.isdigit() else None,
                )
                messages.success(request, _("已转为整改事项。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        return redirect("supervision:irregularity", pk=irr.pk)
    return render(
        request,
        "supervision/irregularity_detail.html",
        {
            "irr": irr,
            "spec": RULES[irr.rule],
            "colour": SEVERITY_COLOURS[Severity(irr.severity)],
            "case": irregularity_case(irr),
            "subject": irregularity_subject(request.user, irr),
            "rectification": irregularity_rectification(irr),
            "may_handle": can_handle_irregularity(request.user, irr),
        },
    )


@login_required
def irregularity_rules(request: AuthedRequest) -> HttpResponse:
    require_irregularity_reader(request)
    rows = [
        {"spec": s, "colour": SEVERITY_COLOURS[s.severity], "severity": Severity(s.severity).label}
        for s in RULES.values()
    ]
    return render(request, "supervision/irregularity_rules.html", {"rows": rows})
