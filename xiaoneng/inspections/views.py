"""Workbench pages (filings, inspections, certificates) and the public verification page (INS-6)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.core.throttle import throttle
from xiaoneng.core.uploads import PendingUploads, submission_token_new, submission_token_valid
from xiaoneng.inspections.actions.certificates import certificate_issue, certificate_revoke
from xiaoneng.inspections.actions.filings import filing_approve, filing_refuse, filing_submit
from xiaoneng.inspections.actions.first_violations import (
    first_violation_entry_add,
    first_violation_notice_close,
    first_violation_notice_issue,
)
from xiaoneng.inspections.actions.penalties import baseline_set, penalty_decide
from xiaoneng.inspections.actions.records import (
    act_evidence_add,
    check_record,
    evidence_add,
    evidence_check,
    finding_add,
    inspection_record,
)
from xiaoneng.inspections.choices import FilingStatus, InspectionKind, NoticeStatus
from xiaoneng.inspections.forms import (
    BaselineForm,
    CertificateForm,
    CheckForm,
    EntryForm,
    FilingForm,
    InspectionForm,
    NoticeForm,
    PenaltyForm,
)
from xiaoneng.inspections.models import FirstViolationNotice, InspectionEvidence, PenaltyDecision
from xiaoneng.inspections.pdf import filing_pdf, notice_pdf, penalty_pdf
from xiaoneng.inspections.permissions import (
    EVIDENCE_FIELDS,
    access_certificate_by_id,
    access_filing_by_id,
    access_inspection_by_id,
    access_notice_by_id,
    access_penalty_by_id,
    can_approve_filing,
    can_issue_certificate,
    can_record_for,
    evidence_access,
    is_department_user,
    is_office_user,
    is_staff_user,
    may_check,
)
from xiaoneng.inspections.selectors import (
    baselines_for,
    baselines_public,
    certificate_holders,
    certificates_for,
    check_departments,
    filing_verify,
    filings_for,
    first_violation_entries_for,
    first_violation_entries_public,
    inspections_for,
    notices_for,
    penalties_for,
    penalty_items_for_lists,
)
from xiaoneng.orgs.models import Department
from xiaoneng.workdays.due import clock_due_date


def _staff(request: AuthedRequest) -> None:
    if not is_staff_user(request.user):
        raise PermissionDenied


def _form_error(form: Any, e: ValidationError) -> None:
    for message in e.messages:
        form.add_error(None, message)


# --- filings (INS-1) -------------------------------------------------------------------------


@login_required
def filing_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    qs = filings_for(request.user)
    status = request.GET.get("status", "")
    if status in FilingStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(
        request,
        "inspections/filing_list.html",
        {
            "items": page.object_list,
            "page": page,
            "statuses": FilingStatus.choices,
            "status": status,
            "may_file": is_department_user(request.user),
        },
    )


@login_required
def filing_new(request: AuthedRequest) -> HttpResponse:
    if not is_department_user(request.user):
        raise PermissionDenied
    department = request.user.department
    if department is None:  # is_department_user
        raise RuntimeError("invariant: department is not None")
    form = FilingForm(request.POST or None, department=department)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            filing = filing_submit(
                actor=request.user,
                department=department,
                item=d["item"],
                enterprise_name=d["enterprise_name"],
                credit_code=d["credit_code"],
                planned_date=d["planned_date"],
                purpose=d["purpose"],
                officials=list(d["officials"]),
            )
        except ValidationError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("检查备案已提交，备案编号 %(number)s。") % {"number": filing.number})
            return redirect("inspections:filing", pk=filing.pk)
    return render(request, "inspections/filing_new.html", {"form": form})


@login_required
def filing_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    filing = access_filing_by_id(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "approve":
                filing_approve(actor=request.user, filing=filing, note=request.POST.get("note", ""))
                messages.success(request, _("已同意备案。"))
            elif action == "refuse":
                filing_refuse(actor=request.user, filing=filing, reason=request.POST.get("reason", ""))
                messages.success(request, _("已退回，不同意备案。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        return redirect("inspections:filing", pk=filing.pk)
    return render(
        request,
        "inspections/filing_detail.html",
        {
            "filing": filing,
            "officials": filing.officials.select_related("official", "certificate"),
            "inspections": filing.inspections.all(),
            "due": clock_due_date(filing.clock),
            "may_decide": can_approve_filing(request.user, filing) and filing.status == FilingStatus.PENDING,
            "may_record": can_record_for(request.user, filing.department) and filing.status == FilingStatus.FILED,
        },
    )


# --- inspection records (INS-7) ---------------------------------------------------------------


@login_required
def inspection_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    qs = inspections_for(request.user)
    kind = request.GET.get("kind", "")
    if kind in InspectionKind.values:
        qs = qs.filter(kind=kind)
    unfiled = request.GET.get("unfiled") == "1"
    if unfiled:
        qs = qs.filter(kind=InspectionKind.ENTERPRISE, unfiled=True)
    page = paginate(request, qs)
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "items": page.object_list,
            "page": page,
            "kinds": InspectionKind.choices,
            "kind": kind,
            "unfiled": unfiled,
            "may_record": is_department_user(request.user),
            "may_check": is_department_user(request.user) or is_office_user(request.user),
        },
    )


@login_required
def check_new(request: AuthedRequest) -> HttpResponse:
    """INS-9: 明察暗访 / 交叉检查 by the office, 自查自纠 by the department, with evidence and findings."""
    user = request.user
    if is_office_user(user):
        kinds = [
            (InspectionKind.UNANNOUNCED.value, InspectionKind.UNANNOUNCED.label),
            (InspectionKind.CROSS.value, InspectionKind.CROSS.label),
        ]
        departments = check_departments(user)
    elif is_department_user(user):
        kinds = [(InspectionKind.SELF.value, InspectionKind.SELF.label)]
        departments = Department.objects.filter(pk=user.department_id or 0)
    else:
        raise PermissionDenied
    form = CheckForm(request.POST or None, request.FILES or None, kinds=kinds, departments=departments)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inspection = check_record(
                actor=user,
                kind=d["kind"],
                department=d["department"],
                inspected_on=d["inspected_on"],
                summary=d["summary"],
                files=d["evidence"],
                findings=d["findings"].splitlines(),
            )
        except ValidationError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("检查情况已记录。"))
            return redirect("inspections:inspection", pk=inspection.pk)
    return render(request, "inspections/check_new.html", {"form": form})


@login_required
def inspection_new(request: AuthedRequest) -> HttpResponse:
    if not is_department_user(request.user):
        raise PermissionDenied
    department = request.user.department
    if department is None:  # is_department_user
        raise RuntimeError("invariant: department is not None")
    initial: dict[str, Any] = {}
    filing_id = request.GET.get("filing", "")
    if filing_id.isdigit() and len(filing_id) < 12:
        initial["filing"] = filing_id
    form = InspectionForm(request.POST or None, request.FILES or None, department=department, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inspection = inspection_record(
                actor=request.user,
                department=department,
                filing=d["filing"],
                item=d["item"],
                enterprise_name=d["enterprise_name"],
                credit_code=d["credit_code"],
                inspected_on=d["inspected_on"],
                exemption=d["exemption"] or "",
                summary=d["summary"],
                officials=list(d["officials"]),
                files=d["evidence"],
            )
        except ValidationError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("检查情况已记录。"))
            return redirect("inspections:inspection", pk=inspection.pk)
    return render(request, "inspections/inspection_new.html", {"form": form})


@login_required
def inspection_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    inspection = access_inspection_by_id(request.user, pk)
    may_find = may_check(request.user, inspection.kind, inspection.department)
    if request.method == "POST":
        if not may_find:
            raise PermissionDenied
        try:
            finding_add(actor=request.user, inspection=inspection, text=request.POST.get("text", ""))
            messages.success(request, _("问题已记录，并已开具整改事项。"))
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        return redirect("inspections:inspection", pk=inspection.pk)
    return _inspection_page(request, inspection, may_find=may_find)


def _inspection_page(
    request: AuthedRequest,
    inspection: Any,
    *,
    may_find: bool,
    token: str = "",
    pending: Any = (),
    upload_errors: Any = (),
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "officials": inspection.officials.select_related("official", "certificate"),
            "evidence": inspection.evidence.select_related("uploaded_by"),
            "findings": inspection.findings.select_related("department", "rectification"),
            "may_find": may_find,
            "upload_token": token or submission_token_new(),
            "pending": list(pending),
            "upload_errors": list(upload_errors),
        },
        status=status,
    )


@login_required
def evidence_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """执法全过程记录: add files to an inspection record. A failed round keeps each valid file
    (core.uploads.PendingUploads) and lists it on the re-rendered page, as the other file forms do."""
    _staff(request)
    inspection = access_inspection_by_id(request.user, pk)
    if request.method != "POST" or not may_check(request.user, inspection.kind, inspection.department):
        raise PermissionDenied
    token = request.POST.get("submission_token", "")
    if not submission_token_valid(token):
        token = submission_token_new()
    pending = PendingUploads(request, token)
    remove = request.POST.get("remove_upload", "")
    if remove:
        pending.remove(remove)
        return _inspection_page(request, inspection, may_find=True, token=token, pending=pending.files())
    errors: list[str] = []
    for upload in request.FILES.getlist("files"):
        try:
            evidence_check(upload)
        except ValidationError as e:
            errors.extend(e.messages)
            continue
        pending.keep(upload)
    if not errors:
        try:
            evidence_add(actor=request.user, inspection=inspection, files=pending.opened())
        except ValidationError as e:
            errors.extend(e.messages)
        else:
            pending.discard()
            messages.success(request, _("材料已上传。"))
            return redirect("inspections:inspection", pk=inspection.pk)
    return _inspection_page(
        request,
        inspection,
        may_find=True,
        token=token,
        pending=pending.files(),
        upload_errors=errors,
        status=400,
    )


@login_required
def evidence_file(request: AuthedRequest, pk: int) -> FileResponse:
    _staff(request)
    ev = get_object_or_404(InspectionEvidence.objects.only(*EVIDENCE_FIELDS), pk=pk)
    evidence_access(request.user, ev)  # 404 outside the user's scope
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.name)


# --- documents (PDF) ----------------------------------------------------------------------------


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def filing_document(user: Any, pk: int) -> HttpResponse:
    """INS-1/INS-6: the receipt of a filing the user may see, once the head has approved it (a
    pending or refused filing has no receipt: 400 with the reason)."""
    filing = access_filing_by_id(user, pk)
    if filing.status not in (FilingStatus.FILED, FilingStatus.DONE):
        return HttpResponse(
            _("该备案尚未经部门主管领导同意，没有备案回执。"), status=400, content_type="text/plain; charset=utf-8"
        )
    return _pdf(filing_pdf(filing), f"{filing.number}.pdf")


def notice_document(user: Any, pk: int) -> HttpResponse:
    notice = access_notice_by_id(user, pk)
    return _pdf(notice_pdf(notice), f"{notice.number}.pdf")


def penalty_document(user: Any, pk: int) -> HttpResponse:
    decision = access_penalty_by_id(user, pk)
    return _pdf(penalty_pdf(decision), f"{decision.number}.pdf")


@login_required
def filing_pdf_view(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    return filing_document(request.user, pk)


@login_required
def notice_pdf_view(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    return notice_document(request.user, pk)


@login_required
def penalty_pdf_view(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    return penalty_document(request.user, pk)


# --- certificates (INS-3) ---------------------------------------------------------------------


@login_required
def certificate_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    holders = certificate_holders(request.user)
    may_issue = holders.exists()
    form = CertificateForm(request.POST or None, holders=holders) if may_issue else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            holder = d["holder"]
            try:
                certificate_issue(
                    actor=request.user,
                    holder=holder,
                    department=holder.department,
                    number=d["number"],
                    scope_text=d["scope_text"],
                    valid_from=d["valid_from"],
                    valid_to=d["valid_to"],
                )
            except ValidationError as e:
                _form_error(form, e)
            else:
                messages.success(request, _("执法证已登记。"))
                return redirect("inspections:certificates")
    page = paginate(request, certificates_for(request.user))
    return render(
        request,
        "inspections/certificate_list.html",
        {"items": page.object_list, "page": page, "form": form},
    )


@login_required
def certificate_revoke_view(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    cert = access_certificate_by_id(request.user, pk)
    if request.method != "POST" or not can_issue_certificate(request.user, cert.department):
        raise PermissionDenied
    try:
        certificate_revoke(actor=request.user, certificate=cert, reason=request.POST.get("reason", ""))
        messages.success(request, _("执法证已注销。"))
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("inspections:certificates")


# --- public (INS-6) ---------------------------------------------------------------------------


@throttle("track", when=lambda r: bool(r.GET.get("number") or r.GET.get("credit_code")))
def verify(request: HttpRequest) -> HttpResponse:
    """INS-6: an enterprise checks a filing by its number and its own credit code."""
    number = request.GET.get("number", "").strip()[:40]
    credit_code = request.GET.get("credit_code", "").strip()[:18]
    filing = None
    error = ""
    if number or credit_code:
        filing = filing_verify(number, credit_code)
        if filing is None:
            error = _("没有找到该备案：请核对备案编号和本企业的统一社会信用代码。")
    return render(
        request,
        "inspections/verify.html",
        {"filing": filing, "error": error, "number": number, "credit_code": credit_code},
    )


# --- 首违不罚 (INS-8) -------------------------------------------------------------------------


@login_required
def notice_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    items = penalty_items_for_lists(request.user)
    entry_form = EntryForm(request.POST or None, items=items) if items.exists() else None
    if request.method == "POST":
        if entry_form is None:
            raise PermissionDenied
        if entry_form.is_valid():
            d = entry_form.cleaned_data
            try:
                first_violation_entry_add(
                    actor=request.user, item=d["item"], circumstance=d["circumstance"], rectify_days=d["rectify_days"]
                )
            except ValidationError as e:
                _form_error(entry_form, e)
            else:
                messages.success(request, _("已列入首违不罚清单。"))
                return redirect("inspections:notices")
    page = paginate(request, notices_for(request.user))
    return render(
        request,
        "inspections/notice_list.html",
        {
            "items": page.object_list,
            "page": page,
            "entries": first_violation_entries_for(request.user),
            "entry_form": entry_form,
            "may_issue": is_department_user(request.user),
        },
    )


@login_required
def notice_new(request: AuthedRequest) -> HttpResponse:
    if not is_department_user(request.user):
        raise PermissionDenied
    department = request.user.department
    if department is None:  # is_department_user
        raise RuntimeError("invariant: department is not None")
    form = NoticeForm(request.POST or None, department=department)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            notice = first_violation_notice_issue(
                actor=request.user,
                entry=d["entry"],
                enterprise_name=d["enterprise_name"],
                credit_code=d["credit_code"],
                facts=d["facts"],
                officials=list(d["officials"]),
                inspection=d["inspection"],
            )
        except ValidationError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("首违告诫已下达，告诫书编号 %(number)s。") % {"number": notice.number})
            return redirect("inspections:notice", pk=notice.pk)
    return render(request, "inspections/notice_new.html", {"form": form})


@login_required
def notice_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    notice = access_notice_by_id(request.user, pk)
    if request.method == "POST":
        try:
            first_violation_notice_close(
                actor=request.user,
                notice=notice,
                rectified=request.POST.get("action") == "rectified",
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("首违告诫已办结。"))
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        return redirect("inspections:notice", pk=notice.pk)
    return _act_page(request, notice)


def _act_page(
    request: AuthedRequest,
    act: FirstViolationNotice | PenaltyDecision,
    *,
    token: str = "",
    pending: Any = (),
    upload_errors: Any = (),
    status: int = 200,
) -> HttpResponse:
    """The page of a first-violation notice or a penalty decision with its 执法全过程记录."""
    may_upload = can_record_for(request.user, act.department)
    context: dict[str, Any] = {
        "officials": act.officials.all(),
        "evidence": act.evidence.select_related("uploaded_by"),
        "may_upload": may_upload,
        "upload_token": token or submission_token_new(),
        "pending": list(pending),
        "upload_errors": list(upload_errors),
    }
    if isinstance(act, FirstViolationNotice):
        context |= {
            "notice": act,
            "due": clock_due_date(act.clock),
            "may_close": may_upload and act.status == NoticeStatus.ISSUED,
            "upload_url": reverse("inspections:notice_evidence_add", args=[act.pk]),
        }
        return render(request, "inspections/notice_detail.html", context, status=status)
    context |= {"penalty": act, "upload_url": reverse("inspections:penalty_evidence_add", args=[act.pk])}
    return render(request, "inspections/penalty_detail.html", context, status=status)


@login_required
def penalty_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    return _act_page(request, access_penalty_by_id(request.user, pk))


@login_required
def notice_evidence_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    return _act_evidence_add(request, access_notice_by_id(request.user, pk))


@login_required
def penalty_evidence_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    return _act_evidence_add(request, access_penalty_by_id(request.user, pk))


def _act_evidence_add(request: AuthedRequest, act: FirstViolationNotice | PenaltyDecision) -> HttpResponse:
    """执法全过程记录 of a notice or a penalty: a failed round keeps each valid file
    (core.uploads.PendingUploads) and lists it on the re-rendered page."""
    if request.method != "POST" or not can_record_for(request.user, act.department):
        raise PermissionDenied
    token = request.POST.get("submission_token", "")
    if not submission_token_valid(token):
        token = submission_token_new()
    pending = PendingUploads(request, token)
    remove = request.POST.get("remove_upload", "")
    if remove:
        pending.remove(remove)
        return _act_page(request, act, token=token, pending=pending.files())
    errors: list[str] = []
    for upload in request.FILES.getlist("files"):
        try:
            evidence_check(upload)
        except ValidationError as e:
            errors.extend(e.messages)
            continue
        pending.keep(upload)
    if not errors:
        try:
            act_evidence_add(actor=request.user, act=act, files=pending.opened())
        except ValidationError as e:
            errors.extend(e.messages)
        else:
            pending.discard()
            messages.success(request, _("材料已上传。"))
            name = "inspections:notice" if isinstance(act, FirstViolationNotice) else "inspections:penalty"
            return redirect(name, pk=act.pk)
    return _act_page(request, act, token=token, pending=pending.files(), upload_errors=errors, status=400)


def first_violation_public(request: HttpRequest) -> HttpResponse:
    """INS-8: the published 首违不罚 list, for everyone."""
    page = paginate(request, first_violation_entries_public())
    return render(request, "inspections/first_violation_public.html", {"items": page.object_list, "page": page})


# --- 自由裁量基准 and penalties (INS-10) -------------------------------------------------------


@login_required
def penalty_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    items = penalty_items_for_lists(request.user)
    form = BaselineForm(request.POST or None, items=items) if items.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                baseline_set(
                    actor=request.user,
                    item=form.cleaned_data["item"],
                    basis=form.cleaned_data["basis"],
                    tiers=form.tiers(),
                )
            except ValidationError as e:
                _form_error(form, e)
            else:
                messages.success(request, _("裁量基准已发布。"))
                return redirect("inspections:penalties")
    page = paginate(request, penalties_for(request.user))
    return render(
        request,
        "inspections/penalty_list.html",
        {
            "items": page.object_list,
            "page": page,
            "baselines": baselines_for(request.user),
            "form": form,
            "may_decide": is_department_user(request.user),
        },
    )


@login_required
def penalty_new(request: AuthedRequest) -> HttpResponse:
    if not is_department_user(request.user):
        raise PermissionDenied
    department = request.user.department
    if department is None:  # is_department_user
        raise RuntimeError("invariant: department is not None")
    form = PenaltyForm(request.POST or None, department=department)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            decision = penalty_decide(
                actor=request.user,
                tier=d["tier"],
                enterprise_name=d["enterprise_name"],
                credit_code=d["credit_code"],
                facts=d["facts"],
                amount=d["amount"],
                officials=list(d["officials"]),
                notice=d["notice"],
            )
        except ValidationError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("处罚决定已记录，决定书编号 %(number)s。") % {"number": decision.number})
            return redirect("inspections:penalties")
    return render(request, "inspections/penalty_new.html", {"form": form})


def discretion_public(request: HttpRequest) -> HttpResponse:
    """INS-10: the published discretion baselines."""
    page = paginate(request, baselines_public())
    return render(request, "inspections/discretion_public.html", {"baselines": page.object_list, "page": page})
