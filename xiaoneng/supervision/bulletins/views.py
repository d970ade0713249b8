"""Pages of the bulletins: the list (and drafting), the detail (and issuing), the downloads."""

from __future__ import annotations

__all__ = [
    "bulletin_detail",
    "bulletin_download",
    "bulletin_list",
]

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.supervision.bulletins.documents import bulletin_file_response
from xiaoneng.supervision.bulletins.figures import figures_of
from xiaoneng.supervision.bulletins.services import bulletin_create, bulletin_issue
from xiaoneng.supervision.choices import BulletinKind, BulletinStatus
from xiaoneng.supervision.periods import month_param_or, month_start
from xiaoneng.supervision.permissions import (
    access_bulletin_by_id,
    bulletins_for,
    can_issue_bulletins,
    can_read_bulletins,
    regions_of,
)


@login_required
def bulletin_list(request: AuthedRequest) -> HttpResponse:
    if not can_read_bulletins(request.user):
        raise PermissionDenied
    if request.method == "POST":
        if not can_issue_bulletins(request.user):
            raise PermissionDenied
        region = next((r for r in regions_of(request.user) if str(r.pk) == request.POST.get("region")), None)
        try:
            if region is None:
                raise ValidationError(_("请选择区划。"))
            period = month_param_or(request.POST.get("period", ""), date.min)
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
            "regions": regions_of(request.user),
            "kinds": BulletinKind.choices,
            "this_month": month_start(timezone.localdate()),
        },
    )


@login_required
def bulletin_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    if not can_read_bulletins(request.user):
        raise PermissionDenied
    b = access_bulletin_by_id(request.user, pk)
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
