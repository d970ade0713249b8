"""Pages of the disclosure app: the public guide, catalog and search, the online request and its
tracking; the department's request desk, records and guide; the annual report with its exports.
Every read goes through selectors/permissions; every write through services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.core.scoping import region_subtree_q
from xiaoneng.core.uploads import PendingUploads, submission_token_new, submission_token_valid, upload_check
from xiaoneng.disclosure.choices import (
    AnswerType,
    ConsultationKind,
    ConsultationOpinion,
    Ground,
    RecordCategory,
    RecordStatus,
    RequestStatus,
)
from xiaoneng.disclosure.exports import report_pdf, report_xlsx
from xiaoneng.disclosure.forms import AnswerForm, RecordForm, RequestForm, WindowRequestForm
from xiaoneng.disclosure.models import Consultation, DisclosureGuide, DisclosureRequest, RequestAttachment
from xiaoneng.disclosure.notices import NOTICE_KINDS, notice_available, notice_pdf
from xiaoneng.disclosure.permissions import (
    access_record_by_id,
    access_request_by_id,
    can_approve_extension,
    can_handle,
    can_issue_report,
    can_publish,
    can_read_report,
)
from xiaoneng.disclosure.report import annual_report, report_data, report_from_issued
from xiaoneng.disclosure.selectors import (
    guides_public,
    records_for,
    records_public,
    report_issued,
    request_track,
    request_trail,
    requests_for,
)
from xiaoneng.disclosure.services import (
    MAX_ATTACHMENTS,
    consultation_reply,
    consultation_start,
    guide_save,
    record_create,
    record_publish,
    record_update,
    record_withdraw,
    report_issue,
    report_scope_title,
    request_answer,
    request_attach,
    request_correction_ask,
    request_correction_receive,
    request_extend,
    request_fee_notify,
    request_fee_paid,
    request_register,
    request_submit,
    request_withdraw,
)
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import Department, Region

NOTICE_TOKEN_AGE = 90 * 24 * 3600  # a tracking link to the notices stays valid for 90 days


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _int(value: Any) -> int | None:
    text = str(value or "")[:12]
    return int(text) if text.isdigit() else None


# --- public ------------------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    category = request.GET.get("category", "")
    category = category if category in RecordCategory.values else ""
    department_id = _int(request.GET.get("department"))
    page = paginate(request, records_public(q=q, category=category, department_id=department_id), per_page=20)
    return render(
        request,
        "disclosure/index.html",
        {
            "page": page,
            "records": page.object_list,
            "q": q,
            "category": category,
            "categories": RecordCategory.choices,
            "department_id": department_id,
            "guides": guides_public(),
        },
    )


def record_public(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(records_public(), pk=pk)
    return render(request, "disclosure/record.html", {"record": record})


def guide(request: HttpRequest, department_pk: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=department_pk)
    the_guide = DisclosureGuide.objects.filter(department=department).first()
    page = paginate(
        request, records_public(department_id=department.pk).order_by("category", "-published_at", "-id"), per_page=30
    )
    return render(request, "disclosure/guide.html", {"department": department, "guide": the_guide, "page": page})


def _keep_uploads(request: HttpRequest, pending: PendingUploads) -> list[str]:
    """Keep each valid new file so that a failed round does not lose it; a message for each bad one
    (the one upload check, core.uploads, as on the complaint form)."""
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


def apply(request: HttpRequest) -> HttpResponse:
    """The online request (DIS-1) with the applicant's files: every error in one round, and the valid
    files chosen are kept across a failed round (core.uploads.PendingUploads)."""
    if request.method != "POST":
        # from a department's guide (?department=<id>) that department is chosen; anything else is ignored
        wanted = _int(request.GET.get("department"))
        initial: dict[str, Any] = {"submission_token": submission_token_new()}
        if wanted and Department.objects.filter(pk=wanted).exists():
            initial["department"] = wanted
        return render(request, "disclosure/apply.html", {"form": RequestForm(initial=initial), "pending": []})
    data = request.POST.copy()
    token = data.get("submission_token", "")
    if not submission_token_valid(token):
        token = data["submission_token"] = submission_token_new()
    pending = PendingUploads(request, token)
    remove = data.get("remove_upload", "")
    if remove:  # 移除 next to a kept file: the form comes back as it was, without error messages
        pending.remove(remove)
        form = RequestForm(initial={k: data.get(k) for k in data if k in RequestForm.base_fields})
        upload_errors = _keep_uploads(request, pending)
        return render(
            request,
            "disclosure/apply.html",
            {"form": form, "pending": pending.files(), "upload_errors": upload_errors},
        )
    form = RequestForm(data, request.FILES)
    form.is_valid()
    for message in _keep_uploads(request, pending):
        form.add_error("attachments", message)
    if not form.errors:
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("attachments", "submission_token")}
        files = pending.opened()
        try:
            sub = request_submit(actor=request.user, files=files, **values)
        except ValidationError as e:
            _form_errors(form, e)
        else:
            pending.discard()
            request.session["disclosure_code"] = {"number": sub.request.number, "code": sub.code}
            return redirect("disclosure:submitted", number=sub.request.number)
        finally:
            for f in files:
                f.close()
    return render(request, "disclosure/apply.html", {"form": form, "pending": pending.files()})


def submitted(request: HttpRequest, number: str) -> HttpResponse:
    shown = request.session.pop("disclosure_code", None)
    if not shown or shown.get("number") != number:
        raise Http404
    return render(request, "disclosure/submitted.html", shown)


def _notice_links(req: Any, token: str | None) -> list[dict[str, Any]]:
    labels = {"answer": _("答复告知书"), "correction": _("补正告知书"), "extension": _("延期答复告知书")}
    out = []
    for kind in NOTICE_KINDS:
        if notice_available(req, kind):
            url = (
                reverse("disclosure:track_notice", args=[token, kind])
                if token
                else reverse("disclosure:notice", args=[req.pk, kind])
            )
            out.append({"kind": kind, "label": labels[kind], "url": url})
    return out


def track(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("number", "")[:40]
    code = request.GET.get("code", "")[:20]
    req = None
    error = ""
    if number or code:
        req = request_track(number, code)
        if req is None:
            error = _("申请编号或查询码不正确。")
    token = signing.dumps(req.number, salt="disclosure-notice") if req else None
    return render(
        request,
        "disclosure/track.html",
        {
            "req": req,
            "error": error,
            "number": number,
            "notices": _notice_links(req, token) if req else [],
            "attachments": list(req.attachments.all()) if req else [],
            "token": token,
        },
    )


def track_notice(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    try:
        number = signing.loads(token[:200], salt="disclosure-notice", max_age=NOTICE_TOKEN_AGE)
    except signing.BadSignature:
        raise Http404 from None

    req = get_object_or_404(DisclosureRequest.objects.select_related("department", "clock"), number=number)
    return _notice_response(req, kind)


def track_attachment(request: HttpRequest, token: str, attachment_pk: int) -> FileResponse:
    """A file of the request for the applicant who looked it up with number and query code (the
    signed link of the tracking page, as for the notices)."""
    try:
        number = signing.loads(token[:200], salt="disclosure-notice", max_age=NOTICE_TOKEN_AGE)
    except signing.BadSignature:
        raise Http404 from None
    att = get_object_or_404(RequestAttachment.objects.filter(request__number=number), pk=attachment_pk)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.original_name)


def _notice_response(req: Any, kind: str) -> HttpResponse:
    if kind not in NOTICE_KINDS or not notice_available(req, kind):
        raise Http404
    response = HttpResponse(notice_pdf(req, kind), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{req.number}-{kind}.pdf"'
    return response


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, requests_for(request.user).filter(applicant_user=request.user))
    return render(request, "disclosure/mine.html", {"page": page})


# --- requests (staff, and the applicant's own) -----------------------------------------------------------


def _staff(request: AuthedRequest) -> None:
    if not (request.user.is_superuser or request.user.role in DEPARTMENT_ROLES or request.user.is_staff_member):
        raise PermissionDenied


@login_required
def staff_requests(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    qs = requests_for(request.user)
    status = request.GET.get("status", "")
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()[:60]
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(applicant_name__icontains=q))
    page = paginate(request, qs)
    return render(
        request,
        "disclosure/staff_requests.html",
        {
            "page": page,
            "status": status,
            "statuses": RequestStatus.choices,
            "q": q,
            "may_register": request.user.role in DEPARTMENT_ROLES,
        },
    )


@login_required
def staff_register(request: AuthedRequest) -> HttpResponse:
    if request.user.role not in DEPARTMENT_ROLES:
        raise PermissionDenied
    form = WindowRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sub = request_register(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            _form_errors(form, e)
        else:
            messages.success(
                request,
                _("已登记，申请编号 %(number)s，查询码 %(code)s（请告知申请人）。")
                % {"number": sub.request.number, "code": sub.code},
            )
            return redirect("disclosure:request", pk=sub.request.pk)
    return render(request, "disclosure/staff_register.html", {"form": form})


def _request_action(request: AuthedRequest, req: Any) -> None:
    action = request.POST.get("action", "")
    p = request.POST
    if action == "correction":
        days = _int(p.get("period_days")) or 0
        request_correction_ask(request=req, actor=request.user, items=p.get("items", ""), period_days=days)
        messages.success(request, _("已一次性告知补正。"))
    elif action == "correction_received":
        request_correction_receive(request=req, actor=request.user, text=p.get("text", ""))
        messages.success(request, _("已收到补正，答复期限重新计算。"))
    elif action == "extend":
        request_extend(request=req, actor=request.user, reason=p.get("reason", ""))
        messages.success(request, _("已延长答复期限20个工作日。"))
    elif action == "consult":
        consultation_start(request=req, actor=request.user, kind=p.get("kind", ""), party=p.get("party", ""))
        messages.success(request, _("已征求意见，征求意见期间不计入答复期限。"))
    elif action == "consult_reply":
        consultation = get_object_or_404(Consultation, pk=_int(p.get("consultation")) or 0, request=req)
        consultation_reply(
            consultation=consultation, actor=request.user, opinion=p.get("opinion", ""), text=p.get("text", "")
        )
        messages.success(request, _("已登记意见。"))
    elif action == "fee":
        request_fee_notify(request=req, actor=request.user, method=p.get("method", ""), pages=_int(p.get("pages")) or 0)
        messages.success(request, _("已发出收费通知。"))
    elif action == "fee_paid":
        request_fee_paid(request=req, actor=request.user)
        messages.success(request, _("已登记缴费。"))
    elif action == "answer":
        form = AnswerForm(p)
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        request_answer(request=req, actor=request.user, **form.cleaned_data)
        messages.success(request, _("已答复。"))
    elif action == "attach":
        rows = request_attach(request=req, actor=request.user, files=request.FILES.getlist("attachments"))
        messages.success(request, _("已上传 %(n)d 个文件。") % {"n": len(rows)})
    elif action == "withdraw":
        request_withdraw(request=req, actor=request.user, reason=p.get("reason", ""))
        messages.success(request, _("申请已撤回。"))
    else:
        raise ValidationError(_("未知操作。"))


@login_required
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    req = access_request_by_id(request.user, pk)
    owner = req.applicant_user_id == request.user.pk
    posted: dict[str, str] = {}
    if request.method == "POST":
        try:
            _request_action(request, req)
        except ValidationError as e:
            # refused: the page answers with the message and keeps what was typed in that form
            messages.error(request, "；".join(e.messages))
            posted = {k: request.POST.get(k, "") for k in request.POST if k != "csrfmiddlewaretoken"}
            req = access_request_by_id(request.user, pk)
        else:
            return redirect("disclosure:request", pk=req.pk)
    handle = can_handle(request.user, req)
    return render(
        request,
        "disclosure/request_detail.html",
        {
            "req": req,
            "base": "workbench_base.html"
            if request.user.is_staff_member or request.user.is_superuser
            else "portal_base.html",
            "owner": owner,
            "may_handle": handle and req.is_open,
            "may_extend": can_approve_extension(request.user, req) and req.is_open and req.extended_at is None,
            "consultations": req.consultations.all(),
            "open_consultation": req.consultations.filter(replied_at__isnull=True).first(),
            "notices": _notice_links(req, None),
            "attachments": list(req.attachments.all()),
            # the department attaches the answer's documents; the applicant adds documents while open
            "may_attach": (handle and req.status != RequestStatus.WITHDRAWN) or (owner and req.is_open),
            "answer_form": AnswerForm(),
            "answer_types": AnswerType.choices,
            "grounds": Ground.choices,
            "consultation_kinds": ConsultationKind.choices,
            "opinions": [c for c in ConsultationOpinion.choices if c[0] != ConsultationOpinion.DEEMED],
            "statuses": RequestStatus,
            "posted": posted,
            "events": request_trail(req) if handle or request.user.is_staff_member else [],
        },
    )


@login_required
def request_attachment(request: AuthedRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A request's file: only the applicant (the owner) and the staff whose scope holds the request
    reach it (access_request_by_id: 404 to everyone else)."""
    req = access_request_by_id(request.user, pk)
    att = get_object_or_404(req.attachments.all(), pk=attachment_pk)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.original_name)


@login_required
def request_notice(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    return _notice_response(access_request_by_id(request.user, pk), kind)


# --- records and guide (department) -----------------------------------------------------------------------


def _record_values(cd: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None and k in ("doc_number", "body", "link") else v) for k, v in cd.items()}


@login_required
def staff_records(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    may_create = request.user.role in DEPARTMENT_ROLES
    form = RecordForm(request.POST or None)
    if request.method == "POST":
        if not may_create:
            raise PermissionDenied
        if form.is_valid():
            try:
                record = record_create(actor=request.user, **_record_values(form.cleaned_data))
            except ValidationError as e:
                _form_errors(form, e)
            else:
                messages.success(request, _("已录入，待审核公开。"))
                return redirect("disclosure:staff_record", pk=record.pk)
    qs = records_for(request.user)
    if not request.user.is_superuser and request.user.role in DEPARTMENT_ROLES:
        qs = qs.filter(department_id=request.user.department_id or 0)
    status = request.GET.get("status", "")
    if status in RecordStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs.order_by("status", "-created_on", "-id"))
    return render(
        request,
        "disclosure/staff_records.html",
        {"page": page, "form": form, "may_create": may_create, "status": status, "statuses": RecordStatus.choices},
    )


@login_required
def staff_record(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    record = access_record_by_id(request.user, pk)
    initial = {f: getattr(record, f) for f in RecordForm.base_fields}
    form = RecordForm(request.POST or None, initial=initial)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "publish":
                record_publish(record=record, actor=request.user)
                messages.success(request, _("已公开。"))
            elif action == "withdraw":
                record_withdraw(record=record, actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("已撤回。"))
            elif action == "update":
                # a refused edit is shown on the form, with what was typed kept (not lost in a redirect)
                if form.is_valid():
                    values = _record_values(form.cleaned_data)
                    values["changed_on"] = values.pop("created_on")
                    try:
                        record_update(record=record, actor=request.user, **values)
                    except ValidationError as e:
                        _form_errors(form, e)
                    else:
                        messages.success(request, _("已保存。"))
                        return redirect("disclosure:staff_record", pk=record.pk)
                record.refresh_from_db()
                return _staff_record_page(request, record, form)
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        return redirect("disclosure:staff_record", pk=record.pk)
    return _staff_record_page(request, record, form)


def _staff_record_page(request: AuthedRequest, record: Any, form: Any) -> HttpResponse:
    may_publish = can_publish(request.user, record.department_id)
    return render(
        request,
        "disclosure/staff_record.html",
        {
            "record": record,
            "form": form,
            "may_publish": may_publish,
            # DIS-3: a published record changes only through review, so only its reviewer or head edits it
            "may_edit": request.user.department_id == record.department_id
            and record.status != RecordStatus.WITHDRAWN
            and (record.status == RecordStatus.DRAFT or may_publish),
        },
    )


@login_required
def guide_edit(request: AuthedRequest) -> HttpResponse:
    if request.user.role != Role.DEPT_HEAD or request.user.department_id is None:
        raise PermissionDenied
    current = DisclosureGuide.objects.filter(department_id=request.user.department_id).first()
    fields = ["office", "address", "hours", "phone", "scope_text", "apply_text", "remedy_text"]
    values = {f: getattr(current, f, "") if current else "" for f in fields}
    errors: list[str] = []
    if request.method == "POST":
        values = {f: request.POST.get(f, "") for f in fields}
        try:
            guide_save(actor=request.user, **values)
        except ValidationError as e:
            errors = e.messages
        else:
            messages.success(request, _("公开指南已保存。"))
            return redirect("disclosure:guide_edit")
    return render(request, "disclosure/guide_edit.html", {"values": values, "errors": errors})


# --- the annual report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ReportScope:
    departments: Any
    title: str
    government: bool
    options: list[Department]
    department: Department | None = None  # the scope an issued report is filed under (DIS-3)
    region: Region | None = None


def _report_scope(request: AuthedRequest) -> _ReportScope:
    """The departments counted, the title, whether it is a government's report, the departments the
    user may choose, and the department or region the report is issued for."""
    user = request.user
    if user.role in DEPARTMENT_ROLES and not user.is_superuser:
        if user.department is None:
            raise PermissionDenied
        return _ReportScope(
            Department.objects.filter(pk=user.department_id or 0), user.department.name, False, [], user.department
        )
    if user.is_superuser:
        choices = Department.objects.all()
    elif user.region is not None:
        choices = Department.objects.filter(region_subtree_q("region__path", user.region.path))
    else:
        raise PermissionDenied
    chosen = _int(request.GET.get("department"))
    options = list(choices.select_related("region").order_by("region__path", "name"))
    if chosen:
        department = next((d for d in options if d.pk == chosen), None)
        if department is None:
            raise Http404
        return _ReportScope(Department.objects.filter(pk=department.pk), department.name, False, options, department)
    if user.region is None:
        return _ReportScope(choices, _("全部"), True, options)
    # the government's own report: the departments of its own region
    return _ReportScope(
        choices.filter(region_id=user.region_id or 0),
        report_scope_title(region=user.region),
        True,
        options,
        region=user.region,
    )


@login_required
def report(request: AuthedRequest) -> HttpResponse:
    """The annual report. Once issued (DIS-3) the page shows the frozen figures, marked as issued,
    and offers the live figures beside them (?live=1), with a note when they have moved since."""
    if not can_read_report(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    default_year = today.year - 1 if today.month <= 3 else today.year
    year = _int(request.GET.get("year")) or default_year
    if not 2000 <= year <= today.year:
        year = default_year
    scope = _report_scope(request)
    if request.method == "POST":
        if request.POST.get("action") != "issue":
            raise PermissionDenied
        try:
            report_issue(actor=request.user, year=year, department=scope.department, region=scope.region)
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        else:
            messages.success(request, _("%(year)d年度报告已发布，报告数据已定稿。") % {"year": year})
        return redirect(f"{reverse('disclosure:report')}?{request.GET.urlencode()}")
    issued = report_issued(year=year, department=scope.department, region=scope.region)
    live = annual_report(year=year, departments=scope.departments, title=scope.title, government=scope.government)
    show_live = issued is None or request.GET.get("live") == "1"
    r = report_from_issued(issued) if issued is not None and not show_live else live
    fmt = request.GET.get("format", "")
    if fmt == "xlsx":
        response = HttpResponse(
            report_xlsx(r), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="disclosure-report-{year}.xlsx"'
        return response
    if fmt == "pdf":
        response = HttpResponse(report_pdf(r), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="disclosure-report-{year}.pdf"'
        return response
    query = request.GET.copy()
    query.pop("live", None)
    return render(
        request,
        "disclosure/report.html",
        {
            "r": r,
            "issued": issued,
            "show_live": show_live,
            # the live figures moved after the report was issued (the issued ones stay as they were)
            "moved": issued is not None and report_data(live) != issued.data,
            "may_issue": issued is None
            and year < today.year
            and can_issue_report(request.user, department=scope.department, region=scope.region),
            "years": list(range(today.year, max(2000, today.year - 10), -1)),
            "options": scope.options,
            "chosen": _int(request.GET.get("department")),
            "query": request.GET.urlencode(),
            "base_query": query.urlencode(),
        },
    )
