"""Pages of complaints: the public form and tracking, the efficiency office's queue and detail, the
department's orders, and the statistics (CMP-4). Every read goes through selectors (scoped)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from xiaoneng.complaints.accountability import accountability_record_open
from xiaoneng.complaints.actions.acceptance import complaint_accept, complaint_merge, complaint_refuse
from xiaoneng.complaints.actions.closure import complaint_callback, complaint_close
from xiaoneng.complaints.actions.dispatch import (
    complaint_dispatch,
    complaint_extend,
    complaint_return,
    complaint_suggest,
)
from xiaoneng.complaints.actions.intake import (
    MAX_ATTACHMENTS,
    complaint_register,
    complaint_submit,
    complaint_submit_check,
    complaint_submitted_with,
)
from xiaoneng.complaints.actions.reply import complaint_reply
from xiaoneng.complaints.choices import CLOSED_STATUSES, Kind, RefusalReason, Sanction, Status
from xiaoneng.complaints.forms import CallbackForm, ComplainForm, RegisterForm
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.permissions import (
    access_attachment_by_id,
    access_complaint_by_id,
    is_department_user,
    is_office_user,
    is_staff_user,
)
from xiaoneng.complaints.selectors import (
    CMP4_REPLY_TARGET,
    CMP4_SATISFACTION_TARGET,
    Figures,
    complainant_shown,
    complaint_track,
    complaints_for,
    department_stats,
    public_due,
    published_figures,
)
from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.models import Event
from xiaoneng.core.pagination import paginate
from xiaoneng.core.throttle import throttle
from xiaoneng.core.uploads import PendingUploads, submission_token_new, submission_token_valid, upload_check
from xiaoneng.orgs.models import Department, Region, User
from xiaoneng.oversight.models import Rectification
from xiaoneng.oversight.selectors import records_for_source
from xiaoneng.workdays.explain import clock_explain


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    msgs = [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else exc.messages
    messages.error(request, "；".join(msgs))


# --- public ----------------------------------------------------------------------------------------


SUBMITTED_SESSION_KEY = "xn_complaints_submitted"  # number → tracking code, for this browser only
SUBMITTED_KEEP = 10
_FORM_FIELDS = ("kind", "title", "content", "case_number", "department", "anonymous", "hide_from_department")


def _remember_submitted(request: HttpRequest, number: str, code: str) -> None:
    shown = request.session.get(SUBMITTED_SESSION_KEY)
    shown = dict(shown) if isinstance(shown, dict) else {}
    shown.pop(number, None)
    shown[number] = code
    request.session[SUBMITTED_SESSION_KEY] = dict(list(shown.items())[-SUBMITTED_KEEP:])


def _keep_uploads(request: HttpRequest, pending: PendingUploads) -> list[str]:
    """Keep each valid new file (so a failed round does not lose it); a message for each bad one."""
    errors: list[str] = []
    for upload in request.FILES.getlist("attachments"):
        try:
            upload_check(upload)
        except ValidationError as e:
            errors.extend(e.messages)
            continue
        if len(pending) >= MAX_ATTACHMENTS:
            errors.append(_("最多上传%(n)d个附件，“%(name)s”未保存。") % {"n": MAX_ATTACHMENTS, "name": upload.name})
            continue
        pending.keep(upload)
    return errors


def _service_check(form: ComplainForm, request: HttpRequest) -> None:
    """The service's rules in the same round as the form's (issue 9): a field that already failed
    keeps its own message; the others get the service's."""
    d = form.cleaned_data
    try:
        complaint_submit_check(
            kind=d.get("kind", ""),
            title=d.get("title", ""),
            content=d.get("content", ""),
            actor=request.user,
            anonymous=bool(d.get("anonymous")),
            hide_from_department=bool(d.get("hide_from_department")),
            name=d.get("name", ""),
            phone=d.get("phone", ""),
            case_number=d.get("case_number", ""),
            department=d.get("department"),
        )
    except ValidationError as e:
        for field, msgs in e.message_dict.items() if hasattr(e, "error_dict") else [(None, e.messages)]:
            target = field if field in form.fields else None
            if target is not None and target in form.errors:
                continue
            form.add_error(target, msgs)


def complain(request: HttpRequest) -> HttpResponse:
    """The public complaint form (CMP-1). POST-redirect-GET with a one-time token (issue 9): the
    confirmation is its own page, so a refresh files nothing, and a second POST of the same form
    (back button, double click, two tabs) returns the first complaint. Every error is shown in one
    round and chosen files are kept across it."""
    if request.method != "POST":
        form = ComplainForm(initial={"submission_token": submission_token_new()})
        return render(request, "complaints/complain.html", {"form": form, "pending": []})
    data = request.POST.copy()
    token = data.get("submission_token", "")
    stale = not submission_token_valid(token)
    if stale:  # a form from before this version, or tampered with: a fresh token, nothing filed
        token = data["submission_token"] = submission_token_new()
    else:
        first = complaint_submitted_with(token)
        if first is not None:
            _remember_submitted(request, first.complaint.number, first.code)
            return redirect("complaints:submitted", number=first.complaint.number)
    pending = PendingUploads(request, token)
    remove = data.get("remove_upload", "")
    if remove:  # 移除 next to a kept file: the form comes back as it was, without error messages
        pending.remove(remove)
        form = ComplainForm(initial={k: data.get(k) for k in data if k in ComplainForm.base_fields})
        upload_errors = _keep_uploads(request, pending)
        return render(
            request,
            "complaints/complain.html",
            {"form": form, "pending": pending.files(), "upload_errors": upload_errors},
        )
    form = ComplainForm(data, request.FILES)
    form.is_valid()
    for message in _keep_uploads(request, pending):
        form.add_error("attachments", message)
    _service_check(form, request)
    if stale:
        form.add_error(None, _("页面已过期，请核对内容后再次提交。"))
    if not form.errors:
        d = form.cleaned_data
        files = pending.opened()
        try:
            reg = complaint_submit(
                kind=d["kind"],
                title=d["title"],
                content=d["content"],
                actor=request.user,
                anonymous=d["anonymous"],
                hide_from_department=d["hide_from_department"],
                name=d["name"],
                phone=d["phone"],
                case_number=d["case_number"],
                department=d["department"],
                files=files,
                idempotency_key=token,
            )
        except ValidationError as e:
            _errors_to_form(form, e)
        else:
            pending.discard()
            _remember_submitted(request, reg.complaint.number, reg.code)
            return redirect("complaints:submitted", number=reg.complaint.number)
        finally:
            for f in files:
                f.close()
    return render(request, "complaints/complain.html", {"form": form, "pending": pending.files()})


def submitted(request: HttpRequest, number: str) -> HttpResponse:
    """The confirmation after a submission (the GET of POST-redirect-GET): number and tracking code,
    shown only in the browser that submitted (the code is in its session); refreshing it files nothing."""
    shown = request.session.get(SUBMITTED_SESSION_KEY)
    code = shown.get(number) if isinstance(shown, dict) else None
    complaint = complaint_track(number, code) if isinstance(code, str) else None
    if complaint is None:
        raise Http404
    return render(request, "complaints/submitted.html", {"complaint": complaint, "code": code})


PUBLIC_STEPS = [
    Status.REGISTERED,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.REPLIED,
    Status.CLOSED,
]


# what the public follow-up page calls each step (the trail's action codes mean nothing to a citizen);
# internal steps (escalation, accountability, merging of others' reports) are not shown
PUBLIC_STEP_LABELS = {
    "complaint.registered": _lazy("已登记"),
    "complaint.accepted": _lazy("已受理"),
    "complaint.refused": _lazy("不予受理"),
    "complaint.dispatched": _lazy("已派发承办部门办理"),
    "complaint.returned": _lazy("承办部门退回，待重新派单"),
    "complaint.extended": _lazy("经批准延长答复期限"),
    "complaint.replied": _lazy("承办部门已答复"),
    "complaint.callback": _lazy("已回访"),
    "complaint.reopened": _lazy("您对答复不满意，已重新交办"),
    "complaint.closed": _lazy("已办结"),
    "complaint.merged": _lazy("与相同事项合并办理"),
}


@throttle("track", when=lambda r: bool(r.GET.get("number") or r.GET.get("code")))  # issue 9
def track(request: HttpRequest) -> HttpResponse:
    """CMP-1: anyone follows a complaint by number + verification code; no personal data is shown."""
    number = request.GET.get("number", "").strip()
    code = request.GET.get("code", "").strip()
    complaint = None
    events: list[tuple[Any, Any]] = []
    error = ""
    if number or code:
        complaint = complaint_track(number, code)
        if complaint is None:
            error = _("编号或查询码不正确。")
        else:
            events = [
                (e.at, PUBLIC_STEP_LABELS[e.action])
                for e in Event.objects.for_subject(complaint).order_by("seq")
                if e.action in PUBLIC_STEP_LABELS
            ]
    return render(
        request,
        "complaints/track.html",
        {"complaint": complaint, "events": events, "error": error, "number": number, "due": public_due(complaint)},
    )


def public_stats(request: HttpRequest) -> HttpResponse:
    """CMP-4, published monthly with sample sizes: the snapshots made by figures_publish once each
    month is complete (published figures do not change afterwards)."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = max(2000, min(year, today.year))
    tenant = Region.objects.filter(parent__isnull=True).order_by("id").first()
    months, depts, latest = published_figures(tenant.pk, year=year) if tenant else ([], [], None)
    page = paginate(request, depts)
    return render(
        request,
        "complaints/public_stats.html",
        {
            "year": year,
            "months": months,
            "prev_year": year - 1,
            "next_year": year + 1 if year < today.year else None,
            "depts": page.object_list,
            "page": page,
            "dept_month": latest.strftime("%Y-%m") if latest else "",
            "reply_target": CMP4_REPLY_TARGET,
            "satisfaction_target": CMP4_SATISFACTION_TARGET,
            "min_sample": 5,
        },
    )


# --- efficiency office -----------------------------------------------------------------------------


def _office(request: AuthedRequest) -> None:
    if not is_office_user(request.user):
        raise PermissionDenied


def _department_user(request: AuthedRequest) -> None:
    if not is_department_user(request.user):
        raise PermissionDenied


@login_required
def office_list(request: AuthedRequest) -> HttpResponse:
    _office(request)
    qs = complaints_for(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.exclude(status__in=list(CLOSED_STATUSES))
    if request.GET.get("flagged"):
        qs = qs.filter(flagged_for_oversight=True)
    page = paginate(request, qs)
    return render(
        request,
        "complaints/office_list.html",
        {"items": page.object_list, "page": page, "statuses": Status.choices, "status": status},
    )


@login_required
def office_register(request: AuthedRequest) -> HttpResponse:
    _office(request)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            reg = complaint_register(
                actor=request.user,
                channel=d["channel"],
                kind=d["kind"],
                title=d["title"],
                content=d["content"],
                anonymous=d["anonymous"],
                hide_from_department=d["hide_from_department"],
                name=d["name"],
                phone=d["phone"],
                case_number=d["case_number"],
                department=d["department"],
                staff=d["staff"],
            )
        except ValidationError as e:
            _errors_to_form(form, e)
        else:
            messages.success(
                request,
                _("已登记工单 %(number)s，查询码 %(code)s（请告知投诉人）。")
                % {"number": reg.complaint.number, "code": reg.code},
            )
            return redirect("complaints:office_detail", pk=reg.complaint.pk)
    return render(request, "complaints/office_register.html", {"form": form})


def _department(pk: str) -> Department:
    try:
        return get_object_or_404(Department, pk=int(pk))
    except ValueError as e:
        raise ValidationError({"department": _("请选择承办部门。")}) from e


def _office_action(request: AuthedRequest, c: Complaint) -> None:
    action = request.POST.get("action", "")
    p = request.POST
    if action == "accept":
        complaint_accept(complaint=c, actor=request.user)
        messages.success(request, _("已受理。"))
    elif action == "refuse":
        complaint_refuse(complaint=c, actor=request.user, reason=p.get("reason", ""), note=p.get("note", ""))
        messages.success(request, _("已不予受理，并告知投诉人去向。"))
    elif action == "dispatch":
        complaint_dispatch(
            complaint=c, actor=request.user, department=_department(p.get("department", "")), note=p.get("note", "")
        )
        messages.success(request, _("已派单。"))
    elif action == "extend":
        try:
            days = int(p.get("days", "0"))
        except ValueError:
            days = 0
        complaint_extend(complaint=c, actor=request.user, days=days, reason=p.get("reason", ""))
        messages.success(request, _("已批准延期。"))
    elif action == "reply":
        complaint_reply(complaint=c, actor=request.user, text=p.get("text", ""))
        messages.success(request, _("已直接答复。"))
    elif action == "callback":
        form = CallbackForm(p)
        if not form.is_valid():
            raise ValidationError(_("请选择投诉人的满意度。"))
        complaint_callback(
            complaint=c,
            actor=request.user,
            satisfaction=form.cleaned_data["satisfaction"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("回访已记录。"))
    elif action == "close":
        complaint_close(complaint=c, actor=request.user, note=p.get("note", ""))
        messages.success(request, _("已办结。"))
    elif action == "merge":
        into = complaints_for(request.user).filter(number=p.get("into", "").strip()).first()
        if into is None:
            raise ValidationError(_("未找到要合并到的工单编号。"))
        complaint_merge(duplicate=c, into=into, actor=request.user)
        messages.success(request, _("已合并到 %(number)s。") % {"number": into.number})
    elif action == "accountability":
        try:
            accountability_record_open(
                complaint=c, actor=request.user, sanction=p.get("sanction", ""), reason=p.get("reason", "")
            )
        except PermissionDenied as e:  # ACC-1: this rung is not the office's to impose
            raise ValidationError(str(e)) from None
        messages.success(request, _("问责记录已登记。"))
    else:
        raise ValidationError(_("未知操作。"))


@login_required
def office_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _office(request)
    c = access_complaint_by_id(request.user, pk)
    if request.method == "POST":
        try:
            _office_action(request, c)
        except ValidationError as e:
            _flash(request, e)
        return redirect("complaints:office_detail", pk=c.pk)
    suggestion = complaint_suggest(c) if c.status in (Status.ACCEPTED, Status.RETURNED) else None
    rect = Rectification.objects.filter(source_type__model="complaint", source_id=str(c.pk)).first()
    return render(
        request,
        "complaints/office_detail.html",
        {
            "c": c,
            "who": complainant_shown(request.user, c),
            "suggestion": suggestion,
            "departments": Department.objects.filter(tenant_id=c.tenant_id).order_by("name"),
            "refusal_reasons": RefusalReason.choices,
            "sanctions": Sanction.choices,
            "callback_form": CallbackForm(),
            "replies": c.replies.select_related("department", "replied_by"),
            "returns": c.returns.select_related("department"),
            "callbacks": c.callbacks.all(),
            "events": Event.objects.for_subject(c).order_by("seq"),
            "rect": rect,
            "is_consultation": c.kind in (Kind.CONSULTATION, Kind.PRAISE),
            "accountability": records_for_source(c),
        },
    )


# --- department ------------------------------------------------------------------------------------


@login_required
def department_list(request: AuthedRequest) -> HttpResponse:
    _department_user(request)
    qs = complaints_for(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    rows = [(c, complainant_shown(request.user, c)) for c in page.object_list]
    return render(
        request,
        "complaints/department_list.html",
        {"rows": rows, "page": page, "status": status, "statuses": Status.choices},
    )


@login_required
def department_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _department_user(request)
    c = access_complaint_by_id(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "return":
                complaint_return(complaint=c, actor=request.user, reasons=request.POST.get("reasons", ""))
                messages.success(request, _("已退单。"))
                return redirect("complaints:department")
            if action == "reply":
                sub = request.POST.get("substantiated", "")
                complaint_reply(
                    complaint=c,
                    actor=request.user,
                    text=request.POST.get("text", ""),
                    substantiated={"yes": True, "no": False}.get(sub),
                )
                messages.success(request, _("已答复。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            _flash(request, e)
        return redirect("complaints:department_detail", pk=c.pk)
    return render(
        request,
        "complaints/department_detail.html",
        {
            "c": c,
            "who": complainant_shown(request.user, c),
            "replies": c.replies.all(),
            "can_act": c.status == Status.DISPATCHED and c.handling_department_id == request.user.department_id,
            "return_open": bool(
                c.return_clock
                and c.return_clock.is_open
                and c.return_clock.due_at
                and timezone.now() <= c.return_clock.due_at
            ),
            "explanation": clock_explain(c.reply_clock) if c.reply_clock else None,
        },
    )


# --- attachments -----------------------------------------------------------------------------------


@login_required
def attachment_download(request: AuthedRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A complainant's file, for the office and — unless the complainant asked to stay hidden from it
    or is anonymous (a file may name them) — the handling department."""
    user = request.user
    if not is_staff_user(user):
        raise PermissionDenied
    att = access_attachment_by_id(user, access_complaint_by_id(user, pk), attachment_pk)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.original_name)


# --- statistics (staff) ----------------------------------------------------------------------------


def _date(value: str, default: date) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return default


@login_required
def stats(request: AuthedRequest) -> HttpResponse:
    user: User = request.user
    if not is_staff_user(user):
        raise PermissionDenied
    today = timezone.localdate()
    start = _date(request.GET.get("start", ""), today.replace(day=1))
    end = _date(request.GET.get("end", ""), today)
    if end < start:
        start, end = end, start
    rows = department_stats(complaints_for(user), start=start, end=end)
    fields = ("total", "decided", "accepted", "due_reply", "replied", "on_time", "callbacks", "satisfied")
    total = Figures(label=_("合计"), **{k: sum(getattr(r, k) for r in rows) for k in fields}) if rows else None
    return render(
        request,
        "complaints/stats.html",
        {
            "rows": rows,
            "total": total,
            "start": start,
            "end": end,
            "reply_target": CMP4_REPLY_TARGET,
            "satisfaction_target": CMP4_SATISFACTION_TARGET,
        },
    )
