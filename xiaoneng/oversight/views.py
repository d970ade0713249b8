from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate

from .choices import RectificationStatus
from .models import RectificationEvidence
from .selectors import rectification_for, rectifications_for
from .services import can_submit, can_verify, rectification_reject, rectification_submit, rectification_verify


def _staff(request: AuthedRequest) -> None:
    if not (request.user.is_staff_member or request.user.is_superuser):
        raise PermissionDenied


@login_required
def rectification_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    qs = rectifications_for(request.user)
    status = request.GET.get("status", "")
    if status in RectificationStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(
        request,
        "oversight/list.html",
        {"items": page.object_list, "page": page, "statuses": RectificationStatus.choices, "status": status},
    )


@login_required
def rectification_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    rect = rectification_for(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "submit":
                rectification_submit(
                    rectification=rect,
                    actor=request.user,
                    text=request.POST.get("text", ""),
                    measures=request.POST.get("measures", ""),
                    file=request.FILES.get("file"),
                )
                messages.success(request, _("整改情况已提交，等待核验。"))
            elif action == "verify":
                rectification_verify(rectification=rect, actor=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("已核验销号。"))
            elif action == "reject":
                rectification_reject(rectification=rect, actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("已退回责任部门。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        return redirect("oversight:detail", pk=rect.pk)
    return render(
        request,
        "oversight/detail.html",
        {
            "rect": rect,
            "evidence": rect.evidence.select_related("submitted_by"),
            "explanation": rect.clock.explain() if rect.clock else None,
            "may_submit": can_submit(request.user, rect) and rect.status == RectificationStatus.OPEN,
            "may_verify": can_verify(request.user, rect) and rect.status == RectificationStatus.SUBMITTED,
        },
    )


@login_required
def evidence_file(request: AuthedRequest, pk: int) -> FileResponse:
    _staff(request)
    ev = get_object_or_404(RectificationEvidence.objects.select_related("rectification"), pk=pk)
    rectification_for(request.user, ev.rectification_id)  # 404 outside the user's scope
    if not ev.file:
        raise PermissionDenied
    return FileResponse(
        ev.file.open("rb"), as_attachment=True, filename=(ev.file.name or "evidence").rsplit("/", 1)[-1]
    )
