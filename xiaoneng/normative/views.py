"""Workbench pages of normative documents (list, submit, detail with review, publication, filing and
evaluation) and the public list of documents (NOR-6)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.normative.choices import DocumentStatus
from xiaoneng.normative.forms import EvaluateForm, FileForm, PublishForm, ReviewForm, SubmitForm
from xiaoneng.normative.permissions import (
    access_document_by_id,
    can_file,
    can_publish,
    can_review,
    is_department_user,
    is_staff_user,
)
from xiaoneng.normative.selectors import documents_for, public_documents
from xiaoneng.normative.services import (
    document_evaluate,
    document_file,
    document_publish,
    document_review,
    document_submit,
)
from xiaoneng.workdays.due import clock_due_date


def _staff(request: AuthedRequest) -> None:
    if not is_staff_user(request.user):
        raise PermissionDenied


def _form_error(form: Any, e: ValidationError) -> None:
    for message in e.messages:
        form.add_error(None, message)


@login_required
def document_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    qs = documents_for(request.user)
    status = request.GET.get("status", "")
    if status in DocumentStatus.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(
        request,
        "normative/document_list.html",
        {
            "items": page.object_list,
            "page": page,
            "statuses": DocumentStatus.choices,
            "status": status,
            "today": timezone.localdate(),
            "may_submit": is_department_user(request.user),
        },
    )


@login_required
def document_new(request: AuthedRequest) -> HttpResponse:
    if not is_department_user(request.user):
        raise PermissionDenied
    department = request.user.department
    if department is None:  # is_department_user
        raise RuntimeError("invariant: department is not None")
    form = SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = document_submit(
                actor=request.user,
                department=department,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("草案已报送法制审核机构进行合法性审核。"))
            return redirect("normative:document", pk=document.pk)
    return render(request, "normative/document_new.html", {"form": form})


_FORMS: dict[str, type[Any]] = {
    "review": ReviewForm,
    "publish": PublishForm,
    "file": FileForm,
    "evaluate": EvaluateForm,
}


def _act(request: AuthedRequest, document: Any, action: str, form: Any) -> None:
    d = form.cleaned_data
    if action == "review":
        document_review(actor=request.user, document=document, outcome=d["outcome"], opinion=d["opinion"])
        messages.success(request, _("审核结论已登记。"))
    elif action == "publish":
        document_publish(
            actor=request.user,
            document=document,
            number=d["number"],
            published_on=d["published_on"],
            effective_from=d["effective_from"],
            valid_years=d["valid_years"],
        )
        messages.success(request, _("文件已发布，请在规定期限内报送备案。"))
    elif action == "file":
        document_file(
            actor=request.user,
            document=document,
            filed_with=d["filed_with"],
            filed_on=d["filed_on"],
            filing_ref=d["filing_ref"],
        )
        messages.success(request, _("备案已登记。"))
    else:
        document_evaluate(
            actor=request.user, document=document, outcome=d["outcome"], note=d["note"], valid_until=d["valid_until"]
        )
        messages.success(request, _("评估清理结论已登记。"))


@login_required
def document_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    document = access_document_by_id(request.user, pk)
    forms: dict[str, Any] = {}
    today = timezone.localdate()
    may = {
        "review": can_review(request.user, document) and document.status == DocumentStatus.REVIEWING,
        "publish": can_publish(request.user, document) and document.status == DocumentStatus.APPROVED,
        "file": can_file(request.user, document)
        and document.status == DocumentStatus.PUBLISHED
        and document.filed_on is None,
        "evaluate": can_publish(request.user, document) and document.status == DocumentStatus.PUBLISHED,
    }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    for name, form_class in _FORMS.items():
        bound = action == name
        initial = {"published_on": today, "effective_from": today} if name == "publish" else {}
        forms[name] = form_class(request.POST if bound else None, prefix=name, initial=initial)
    if request.method == "POST":
        if action not in _FORMS:
            raise PermissionDenied
        if not may[action]:
            raise PermissionDenied
        form = forms[action]
        if form.is_valid():
            try:
                _act(request, document, action, form)
            except ValidationError as e:
                _form_error(form, e)
            else:
                return redirect("normative:document", pk=document.pk)
    return render(
        request,
        "normative/document_detail.html",
        {
            "document": document,
            "forms": forms,
            "may": may,
            "today": today,
            "review_due": clock_due_date(document.review_clock),
            "filing_due": clock_due_date(document.filing_clock),
            "validity": document.validity_label(today),
        },
    )


def public_list(request: HttpRequest) -> HttpResponse:
    """NOR-6: the documents in force (or, with ?all=1, every published one with its status)."""
    show_all = request.GET.get("all") == "1"
    today = timezone.localdate()
    page = paginate(request, public_documents(effective_only=not show_all, today=today))
    rows = [(d, d.validity_label(today)) for d in page.object_list]
    return render(
        request, "normative/public_list.html", {"rows": rows, "page": page, "show_all": show_all, "today": today}
    )


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(public_documents(effective_only=False), pk=pk)
    return render(
        request,
        "normative/public_detail.html",
        {"document": document, "validity": document.validity_label(timezone.localdate())},
    )
