"""Oversight's workbench pages: rectifications (整改), supervised tasks (督查督办), accountability
(问责) and 容错 applications, plus the public list of published accountability. Every record is read
through `oversight.permissions.access_*_by_id` (404 outside scope); every write goes through an
action, whose ValidationError is shown next to the form's fields and writes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.models import Event
from xiaoneng.core.pagination import paginate
from xiaoneng.oversight.actions.accountability import four_always_gaps
from xiaoneng.oversight.choices import (
    SANCTION_AUTHORITY,
    AccountabilityStatus,
    AssignmentStatus,
    ExemptionCondition,
    ExemptionStatus,
    RectificationStatus,
    TaskStatus,
)
from xiaoneng.oversight.forms import (
    AssignmentActionForm,
    ExemptionApplyForm,
    ExemptionDecideForm,
    RecordForm,
    RectificationOpenForm,
    TaskAssignForm,
    errors_to_form,
)
from xiaoneng.oversight.models import ExemptionApplication, RectificationEvidence, TaskReport
from xiaoneng.oversight.permissions import (
    access_assignment_by_id,
    access_exemption_by_id,
    access_record_by_id,
    access_rectification_by_id,
    access_task_by_id,
    can_apply_exemption,
    can_decide_exemption,
    can_report,
    can_supervise,
    is_office_user,
    require_staff,
)
from xiaoneng.oversight.selectors import (
    assignments_for,
    exemptions_for,
    published_records,
    records_for,
    rectifications_for,
    tasks_for,
)
from xiaoneng.oversight.services import (
    accountability_record_open,
    can_submit,
    can_verify,
    exemption_apply,
    exemption_decide,
    rectification_open,
    rectification_reject,
    rectification_submit,
    rectification_verify,
    task_assign,
    task_complete,
    task_reject,
    task_report_progress,
    task_urge,
    task_verify,
)
from xiaoneng.workdays.explain import clock_explain

# What the trail's actions mean to a reader (the codes stay in the trail).
EVENT_LABELS = {
    "task.assigned": gettext_lazy("交办"),
    "task.progress": gettext_lazy("报送进展"),
    "task.completed": gettext_lazy("报送办结"),
    "task.urged": gettext_lazy("催办"),
    "task.verified": gettext_lazy("核验销号"),
    "task.rejected": gettext_lazy("退回重办"),
    "task.closed": gettext_lazy("督办事项销号"),
    "accountability.decided": gettext_lazy("作出问责决定"),
    "accountability.exemption_applied": gettext_lazy("提出容错申请"),
    "accountability.exempted": gettext_lazy("容错免责"),
    "accountability.mitigated": gettext_lazy("容错从轻"),
    "accountability.refused": gettext_lazy("不予容错"),
    "exemption.applied": gettext_lazy("提出容错申请"),
    "exemption.decided": gettext_lazy("作出容错决定"),
}


def _trail(*subjects: Any) -> list[dict[str, Any]]:
    rows = []
    for s in subjects:
        for e in Event.objects.for_subject(s).select_related("actor").order_by("at", "id"):
            rows.append(
                {"at": e.at, "actor": e.actor, "label": EVENT_LABELS.get(e.action, e.action), "reason": e.reason}
            )
    rows.sort(key=lambda r: r["at"])  # type: ignore[arg-type,return-value]
    return rows


def _require_office(request: AuthedRequest) -> None:
    if not is_office_user(request.user):
        raise PermissionDenied


def _file_response(field: Any) -> FileResponse:
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=True, filename=(field.name or "file").rsplit("/", 1)[-1])


# --- workbench ----------------------------------------------------------------------------------


@login_required
def workbench(request: AuthedRequest) -> HttpResponse:
    """督查督办工作台: what waits for the user in each of oversight's lists."""
    require_staff(request.user)
    now = timezone.now()
    shares = assignments_for(request.user)
    counts = shares.aggregate(
        open=Count("id", filter=Q(status=AssignmentStatus.ASSIGNED)),
        overdue=Count("id", filter=Q(status=AssignmentStatus.ASSIGNED, clock__due_at__lt=now)),
        to_verify=Count("id", filter=Q(status=AssignmentStatus.COMPLETED)),
    )
    rects = rectifications_for(request.user).aggregate(
        open=Count("id", filter=Q(status=RectificationStatus.OPEN)),
        to_verify=Count("id", filter=Q(status=RectificationStatus.SUBMITTED)),
    )
    return render(
        request,
        "oversight/workbench.html",
        {
            "tasks": counts,
            "rects": rects,
            "records": records_for(request.user).count(),
            "pending_exemptions": exemptions_for(request.user).filter(status=ExemptionStatus.SUBMITTED).count(),
            "is_office": is_office_user(request.user),
        },
    )


# --- rectifications -------------------------------------------------------------------------------


@login_required
def rectification_list(request: AuthedRequest) -> HttpResponse:
    require_staff(request.user)
    qs = rectifications_for(request.user)
    status = request.GET.get("status", "")
    if status in RectificationStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(
        request,
        "oversight/list.html",
        {
            "items": page.object_list,
            "page": page,
            "statuses": RectificationStatus.choices,
            "status": status,
            "may_open": is_office_user(request.user),
        },
    )


@login_required
def rectification_new(request: AuthedRequest) -> HttpResponse:
    """Open a rectification by hand (明察暗访, 领导交办 …): source, department, measures, owner, deadline."""
    _require_office(request)
    form = RectificationOpenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rect = rectification_open(
                department=d["department"],
                title=d["title"],
                problem=d["problem"],
                measures=d["measures"],
                owner=d["owner"],
                origin=d["origin"],
                limit=d["limit"],
                due=d["due"],
                actor=request.user,
            )
        except ValidationError as e:
            errors_to_form(form, e)
        else:
            messages.success(request, _("整改事项已开具。"))
            return redirect("oversight:detail", pk=rect.pk)
    return render(request, "oversight/form.html", {"form": form, "heading": _("开具整改事项"), "multipart": False})


@login_required
def rectification_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    rect = access_rectification_by_id(request.user, pk)
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
            "explanation": clock_explain(rect.clock) if rect.clock else None,
            "may_submit": can_submit(request.user, rect) and rect.status == RectificationStatus.OPEN,
            "may_verify": can_verify(request.user, rect) and rect.status == RectificationStatus.SUBMITTED,
        },
    )


@login_required
def evidence_file(request: AuthedRequest, pk: int) -> FileResponse:
    require_staff(request.user)
    ev = get_object_or_404(RectificationEvidence.objects.select_related("rectification"), pk=pk)
    access_rectification_by_id(request.user, ev.rectification_id)  # 404 outside the user's scope
    return _file_response(ev.file)


# --- supervised tasks -----------------------------------------------------------------------------


@login_required
def task_list(request: AuthedRequest) -> HttpResponse:
    require_staff(request.user)
    qs = tasks_for(request.user).annotate(
        shares=Count("assignments", distinct=True), due=Min("assignments__clock__due_date")
    )
    status = request.GET.get("status", "")
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs.order_by("-created_at", "-id"))
    return render(
        request,
        "oversight/task_list.html",
        {
            "items": page.object_list,
            "page": page,
            "statuses": TaskStatus.choices,
            "status": status,
            "may_assign": is_office_user(request.user),
        },
    )


@login_required
def task_new(request: AuthedRequest) -> HttpResponse:
    _require_office(request)
    form = TaskAssignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            task = task_assign(
                actor=request.user,
                title=d["title"],
                source=d["source"],
                source_ref=d["source_ref"],
                requirement=d["requirement"],
                departments=list(d["departments"]),
                days=d["limit"],
                due=d["due"],
            )
        except ValidationError as e:
            errors_to_form(form, e)
        else:
            messages.success(request, _("督办事项已交办。"))
            return redirect("oversight:task_detail", pk=task.pk)
    return render(request, "oversight/form.html", {"form": form, "heading": _("交办督办事项"), "multipart": False})


@login_required
def task_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    task = access_task_by_id(request.user, pk)
    if request.method == "POST":
        return _task_post(request, task)
    shares = list(assignments_for(request.user).filter(task=task).order_by("id"))
    reports = TaskReport.objects.filter(assignment__in=shares).select_related("submitted_by").order_by("created_at")
    by_share: dict[int, list[TaskReport]] = {}
    for r in reports:
        by_share.setdefault(r.assignment_id, []).append(r)
    supervise = can_supervise(request.user, task)
    rows = [
        {
            "a": a,
            "reports": by_share.get(a.pk, []),
            "may_report": can_report(request.user, a) and a.status == AssignmentStatus.ASSIGNED,
            "may_urge": supervise and a.status == AssignmentStatus.ASSIGNED,
            "may_verify": supervise and a.status == AssignmentStatus.COMPLETED,
        }
        for a in shares
    ]
    return render(request, "oversight/task_detail.html", {"task": task, "rows": rows, "trail": _trail(task, *shares)})


def _task_post(request: AuthedRequest, task: Any) -> HttpResponse:
    form = AssignmentActionForm(request.POST, request.FILES)
    action = request.POST.get("action", "")
    try:
        raw = request.POST.get("assignment", "")
        if not raw.isdigit() or len(raw) > 18:
            raise ValidationError(_("请选择承办任务。"))
        share = access_assignment_by_id(request.user, int(raw))
        if share.task_id != task.pk:
            raise Http404
        if not form.is_valid():
            raise ValidationError([m for errs in form.errors.values() for m in errs])
        d = form.cleaned_data
        if action == "progress":
            task_report_progress(assignment=share, actor=request.user, text=d["text"], file=d["file"])
            messages.success(request, _("进展情况已报送。"))
        elif action == "complete":
            task_complete(assignment=share, actor=request.user, text=d["text"], file=d["file"])
            messages.success(request, _("办结情况已报送，等待核验。"))
        elif action == "urge":
            task_urge(assignment=share, actor=request.user, note=d["note"])
            messages.success(request, _("已催办。"))
        elif action == "verify":
            task_verify(assignment=share, actor=request.user, note=d["note"])
            messages.success(request, _("已核验销号。"))
        elif action == "reject":
            task_reject(assignment=share, actor=request.user, reason=d["reason"], days=d["days"])
            messages.success(request, _("已退回承办部门重新办理。"))
        else:
            raise ValidationError(_("未知操作。"))
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("oversight:task_detail", pk=task.pk)


@login_required
def report_file(request: AuthedRequest, pk: int) -> FileResponse:
    require_staff(request.user)
    report = get_object_or_404(TaskReport.objects.select_related("assignment"), pk=pk)
    access_assignment_by_id(request.user, report.assignment_id)
    return _file_response(report.file)


# --- accountability -------------------------------------------------------------------------------


def _may_impose_any(user: Any) -> bool:
    return bool(user.is_superuser or any(user.role in roles for roles in SANCTION_AUTHORITY.values()))


@login_required
def record_list(request: AuthedRequest) -> HttpResponse:
    require_staff(request.user)
    qs = records_for(request.user)
    status = request.GET.get("status", "")
    if status in AccountabilityStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(
        request,
        "oversight/record_list.html",
        {
            "items": page.object_list,
            "page": page,
            "statuses": AccountabilityStatus.choices,
            "status": status,
            "may_open": _may_impose_any(request.user),
        },
    )


@login_required
def record_new(request: AuthedRequest) -> HttpResponse:
    require_staff(request.user)
    if not _may_impose_any(request.user):
        raise PermissionDenied
    form = RecordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rec = accountability_record_open(
                actor=request.user,
                department=d["department"],
                sanction=d["sanction"],
                reason=d["reason"],
                source_kind=d["source_kind"],
                person=d["person"],
                leader=d["leader"],
                negative_case=d["negative_case"],
                serious=d["serious"],
                wilful=d["wilful"],
                publish=d["publish"],
            )
        except PermissionDenied as e:
            form.add_error("sanction", str(e))
        except ValidationError as e:
            errors_to_form(form, e)
        else:
            messages.success(request, _("问责决定已记录。"))
            return redirect("oversight:record_detail", pk=rec.pk)
    return render(request, "oversight/form.html", {"form": form, "heading": _("记录问责决定"), "multipart": False})


@login_required
def record_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    rec = access_record_by_id(request.user, pk)
    may_apply = (
        can_apply_exemption(request.user, rec)
        and rec.status == AccountabilityStatus.DECIDED
        and not rec.wilful
        and not rec.exemptions.filter(status=ExemptionStatus.SUBMITTED).exists()
    )
    form = ExemptionApplyForm(request.POST or None, request.FILES or None) if may_apply else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                app = exemption_apply(
                    record=rec, actor=request.user, conditions=d["conditions"], statement=d["statement"], file=d["file"]
                )
            except ValidationError as e:
                errors_to_form(form, e)
            else:
                messages.success(request, _("容错申请已提交，等待审查。"))
                return redirect("oversight:exemption_detail", pk=app.pk)
    return render(
        request,
        "oversight/record_detail.html",
        {
            "rec": rec,
            "gaps": four_always_gaps(rec),
            "exemptions": rec.exemptions.select_related("applicant").order_by("-created_at"),
            "form": form,
            "trail": _trail(rec),
        },
    )


@login_required
def exemption_list(request: AuthedRequest) -> HttpResponse:
    require_staff(request.user)
    qs = exemptions_for(request.user)
    status = request.GET.get("status", "")
    if status in ExemptionStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(
        request,
        "oversight/exemption_list.html",
        {"items": page.object_list, "page": page, "statuses": ExemptionStatus.choices, "status": status},
    )


@login_required
def exemption_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    app = access_exemption_by_id(request.user, pk)
    may_decide = can_decide_exemption(request.user, app) and app.status == ExemptionStatus.SUBMITTED
    form = ExemptionDecideForm(request.POST or None, claimed=app.conditions) if may_decide else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                exemption_decide(
                    application=app,
                    actor=request.user,
                    decision=d["decision"],
                    confirmed=d["confirmed"],
                    note=d["note"],
                    mitigated_to=d["mitigated_to"],
                )
            except ValidationError as e:
                errors_to_form(form, e)
            else:
                messages.success(request, _("容错审查决定已作出。"))
                return redirect("oversight:exemption_detail", pk=app.pk)
    labels = dict(ExemptionCondition.choices)
    return render(
        request,
        "oversight/exemption_detail.html",
        {
            "app": app,
            "rec": app.record,
            "claimed": [labels.get(c, c) for c in app.conditions],
            "confirmed": [labels.get(c, c) for c in app.confirmed],
            "form": form,
            "trail": _trail(app),
        },
    )


@login_required
def exemption_file(request: AuthedRequest, pk: int) -> FileResponse:
    require_staff(request.user)
    app: ExemptionApplication = access_exemption_by_id(request.user, pk)
    return _file_response(app.file)


def published_list(request: AuthedRequest) -> HttpResponse:
    """ACC-2 "一律予以通报曝光": the published accountability records, for everyone."""
    page = paginate(request, published_records().order_by("-published_at", "-id"))
    return render(request, "oversight/published_list.html", {"items": page.object_list, "page": page})
