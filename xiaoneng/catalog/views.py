"""Catalog pages: the public catalog (portal) and the staff editor, review queue and diff
(workbench). Every read goes through selectors (scoped); every write through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaoneng.catalog import forms
from xiaoneng.catalog.choices import (
    APPLICABLE_ITEM_TYPES,
    EDITABLE_STATUSES,
    ONLINE_ACCEPTANCE_DEPTH,
    ItemType,
    VersionStatus,
)
from xiaoneng.catalog.flowchart import flowchart_svg
from xiaoneng.catalog.labels import LIST_LABELS, action_label, field_label, path_label, value_label
from xiaoneng.catalog.models import Fee, Item, ItemVersion, LegalBasis, Material, SpecialProcedure, Stage, Step, Theme
from xiaoneng.catalog.permissions import (
    access_fee_entry_by_id,
    access_item_by_code,
    access_item_by_id,
    access_material_by_id,
    access_review_version_by_id,
    access_version_by_id,
    access_version_by_number,
    access_visible_material_by_id,
    access_visible_version_by_id,
    can_declare,
    can_edit,
    can_manage_fee_catalog,
    can_publish,
    can_review,
)
from xiaoneng.catalog.selectors import (
    disposal_blocks,
    disposal_notice,
    fee_catalog_issues,
    fee_catalog_published,
    fee_entries_for_user,
    fee_entries_public,
    fees_outside_catalog,
    items_for_user,
    items_for_workbench,
    public_versions,
    review_queue,
    stages_of,
    version_content,
    version_diff,
    versions_for_user,
)
from xiaoneng.catalog.services import (
    departments_create_for_import,
    fee_entry_create,
    fee_entry_publish,
    fee_entry_withdraw,
    item_create,
    item_disposal_set,
    item_edit,
    item_retire,
    material_file_attach,
    version_declare,
    version_publish,
    version_review,
    version_update,
)
from xiaoneng.catalog.spreadsheet.export import catalog_export_bytes, template_bytes
from xiaoneng.catalog.spreadsheet.read import ImportFailed, catalog_import
from xiaoneng.catalog.validation import CONTENT_FIELDS
from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.models import Event
from xiaoneng.core.pagination import paginate
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import Department, Post, Region

# ---------------------------------------------------------------------------------------------
# Public pages (portal)
# ---------------------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """Browse by department, item type and theme; search by name, code or any Chinese substring."""
    qs = public_versions().filter(is_public=True)
    department = request.GET.get("department", "")
    item_type = request.GET.get("type", "")
    theme = request.GET.get("theme", "")
    q = request.GET.get("q", "").strip()
    if department.isdigit():
        qs = qs.filter(item__department_id=int(department))
    if item_type:
        qs = qs.filter(item_type=item_type)
    if theme:
        qs = qs.filter(item__themes__name=theme)
    if q:
        qs = qs.filter(
            Q(name__contains=q)
            | Q(item__implementing_code__contains=q)
            | Q(item__base_code__contains=q)
            | Q(acceptance_conditions__contains=q)
            | Q(item__department__name__contains=q)
        )
    qs = qs.order_by("item__department__name", "name").distinct()
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    public = public_versions().filter(is_public=True)
    departments = Department.objects.filter(pk__in=public.values("item__department_id")).order_by(
        "region__path", "name"
    )
    types = [(value, label) for value, label in ItemType.choices if public.filter(item_type=value).exists()]
    themes = (
        Theme.objects.filter(items__published__status=VersionStatus.PUBLISHED, items__published__is_public=True)
        .annotate(n=Count("items"))
        .order_by("name")
    )
    return render(
        request,
        "catalog/index.html",
        {
            "page": page,
            "departments": departments,
            "types": types,
            "themes": themes,
            "selected": {"department": department, "type": item_type, "theme": theme, "q": q},
            "total": page.paginator.count,
        },
    )


def non_public(request: HttpRequest) -> HttpResponse:
    """CAT-6: the non-public catalog lists item, type and the reason it is not public."""
    rows = public_versions().filter(is_public=False).order_by("item__department__name", "name")
    return render(request, "catalog/non_public.html", {"rows": rows})


def _visible_version(request: HttpRequest, item: Item) -> ItemVersion:
    number = request.GET.get("version", "")
    if number.isdigit():
        return access_version_by_number(request.user, item, int(number))
    version = item.published or item.head
    if version is None or not versions_for_user(request.user).filter(pk=version.pk).exists():
        raise Http404
    return version


def _detail_context(version: ItemVersion) -> dict[str, Any]:
    stages = stages_of(version)
    return {
        "version": version,
        "legal_bases": list(version.legal_bases.all()),
        "materials": list(version.materials.all()),
        "fees": list(version.fees.all()),
        "specials": list(version.special_procedures.all()),
        "stages": stages,
        "svg": flowchart_svg(version, stages),
    }


def item_page(request: HttpRequest, code: str) -> HttpResponse:
    """Every CAT-2 field of the version in force, the materials with forms, fees and the flowchart."""
    item = access_item_by_code(request.user, code)
    version = _visible_version(request, item)
    context = _detail_context(version)
    notice = disposal_notice(item)  # CAT-DIS-2: the reason, and where to apply now
    context.update(
        {
            "item": item,
            "themes": list(item.themes.all()),
            "apply_online": _apply_online(version) and not disposal_blocks(item),
            "disposal": notice,
        }
    )
    return render(request, "catalog/item.html", context)


def _apply_online(version: ItemVersion) -> bool:
    """Whether the item page offers "在线申请": the conditions the case service checks (CAT-1: published
    and public; an applicable item type; 三级·网上受理 or deeper)."""
    return (
        version.status == VersionStatus.PUBLISHED
        and version.is_public
        and version.item_type in APPLICABLE_ITEM_TYPES
        and version.online_depth >= ONLINE_ACCEPTANCE_DEPTH
    )


def flowchart_download(request: HttpRequest, code: str) -> HttpResponse:
    item = access_item_by_code(request.user, code)
    version = _visible_version(request, item)
    response = HttpResponse(flowchart_svg(version), content_type="image/svg+xml; charset=utf-8")
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="flowchart-{item.implementing_code}-v{version.number}.svg"'
    )
    return response


def file_download(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    """Blank forms, samples and result samples, stored under MEDIA_ROOT (never served by the web
    server): only for versions the user may see."""
    if kind in ("form", "sample"):
        material = access_visible_material_by_id(request.user, pk)
        stored = material.blank_form if kind == "form" else material.sample
    elif kind == "result":
        version = access_visible_version_by_id(request.user, pk)
        stored = version.result_sample
    else:
        raise Http404
    if not stored:
        raise Http404
    return FileResponse(stored.open("rb"), as_attachment=True, filename=(stored.name or "").rsplit("/", 1)[-1])


# ---------------------------------------------------------------------------------------------
# Staff pages (workbench)
# ---------------------------------------------------------------------------------------------

EDITOR_ROLES = frozenset({Role.CLERK, Role.REVIEWER, Role.DEPT_HEAD, Role.LEGAL, Role.ADMIN})


def _staff(request: AuthedRequest) -> None:
    if not (request.user.is_superuser or request.user.role in EDITOR_ROLES):
        raise PermissionDenied


def _my_departments(request: AuthedRequest) -> Any:
    user = request.user
    if user.is_superuser:
        return Department.objects.all()
    if user.role in DEPARTMENT_ROLES:
        return Department.objects.filter(pk=user.department_id or 0)
    if user.role == Role.ADMIN:
        return Department.objects.filter(tenant_id=user.tenant_id)
    return Department.objects.none()


@login_required
def staff_items(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    qs = items_for_workbench(request.user).order_by("department__name", "implementing_code")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(head__name__contains=q) | Q(implementing_code__contains=q))
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(head__status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/staff_items.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": VersionStatus.choices,
            "can_create": _my_departments(request).exists(),
        },
    )


def _content_from_form(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(name) for name in CONTENT_FIELDS}


def _themes(text: str) -> list[str]:
    for sep in ("，", ",", "；", ";", " "):
        text = text.replace(sep, "、")
    return [t for t in text.split("、") if t.strip()]


@login_required
def staff_item_new(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    departments = _my_departments(request)
    if not departments.exists():
        raise PermissionDenied
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        form = forms.ItemNewForm(request.POST, departments=departments)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = item_create(
                    actor=request.user,
                    department=data["department"],
                    base_code=data["base_code"],
                    implementing_code=data["implementing_code"],
                    content=_content_from_form(data),
                    themes=_themes(data["themes"]),
                )
            except ValidationError as e:
                errors = _errors(e)
            else:
                messages.success(request, _("事项已登记为草稿，请继续填写材料、收费和办理流程。"))
                if item.head is None:
                    raise RuntimeError("invariant: item.head is not None")
                return redirect("catalog:staff_process", pk=item.head.pk)
    else:
        first = departments.first()
        form = forms.ItemNewForm(
            departments=departments,
            initial={
                "department": first,
                "region": first.region.code if first else "",
                "implementing_code": first.credit_code if first else "",
                "complaint_channel": _("12345 政务服务便民热线"),
            },
        )
    return render(request, "catalog/staff_item_new.html", {"form": form, "errors": errors})


def _errors(e: ValidationError) -> list[tuple[str, str]]:
    if hasattr(e, "error_dict"):
        return [(path_label(k), m) for k, msgs in e.message_dict.items() for m in msgs]
    return [("", m) for m in e.messages]


@login_required
def staff_item(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    item = access_item_by_id(request.user, pk)
    versions = list(item.versions.order_by("-number"))
    events = [
        (e, action_label(e.action, e.after))
        for e in Event.objects.for_subject(item).select_related("actor").order_by("-seq")[:50]
    ]
    head = item.head
    user = request.user
    return render(
        request,
        "catalog/staff_item.html",
        {
            "item": item,
            "head": head,
            "versions": versions,
            "events": events,
            "can_edit": can_edit(user, item),
            "can_declare": can_declare(user, item) and head is not None and head.status in EDITABLE_STATUSES,
            "can_review": can_review(user, item) and head is not None and head.status == VersionStatus.DECLARED,
            "can_publish": can_publish(user, item) and head is not None and head.status == VersionStatus.REVIEWED,
            "can_retire": can_publish(user, item) and item.published_id is not None,
            "editable": head is not None and head.status in EDITABLE_STATUSES,
        },
    )


@login_required
@require_POST
def staff_item_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    item = access_item_by_id(request.user, pk)
    try:
        draft = item_edit(actor=request.user, item=item)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
        return redirect("catalog:staff_item", pk=item.pk)
    return redirect("catalog:staff_version", pk=draft.pk)


def _list_initial(content: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [dict(row) for row in content[name]]


def _rows(formset: Any) -> list[dict[str, Any]]:
    rows = []
    for f in formset.forms:
        data = getattr(f, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        row = {k: v for k, v in data.items() if k != "DELETE"}
        if not any(
            v not in (None, "", False)
            for k, v in row.items()
            if k not in ("kind", "form", "source", "copies", "required", "join_policy", "on_timeout", "reducible")
        ):
            continue
        rows.append(row)
    return rows


@login_required
def staff_version(request: AuthedRequest, pk: int) -> HttpResponse:
    """The editor of a draft: the CAT-2 fields, legal basis, materials, fees and special procedures."""
    _staff(request)
    version = access_version_by_id(request.user, pk)
    item = version.item
    if version.status not in EDITABLE_STATUSES or not can_edit(request.user, item):
        messages.error(request, _("该版本当前不可编辑。"))
        return redirect("catalog:staff_item", pk=item.pk)
    content = version_content(version)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        form = forms.VersionForm(request.POST)
        sets: dict[str, Any] = {
            "legal_bases": forms.LegalBasisFormSet(request.POST, prefix="lb"),
            "materials": forms.MaterialFormSet(request.POST, prefix="mat"),
            "fees": forms.FeeFormSet(request.POST, prefix="fee"),
            "special_procedures": forms.SpecialFormSet(request.POST, prefix="sp"),
        }
        if form.is_valid() and all(fs.is_valid() for fs in sets.values()):
            new = {**content, **_content_from_form(form.cleaned_data)}
            for name, fs in sets.items():
                new[name] = _rows(fs)
            try:
                version_update(
                    actor=request.user, version=version, content=new, themes=_themes(form.cleaned_data["themes"])
                )
            except ValidationError as e:
                errors = _errors(e)
            else:
                messages.success(request, _("已保存。"))
                return redirect("catalog:staff_item", pk=item.pk)
        else:
            errors = [("", _("请检查标红的栏目。"))]
    else:
        initial = {name: content[name] for name in CONTENT_FIELDS}
        initial["themes"] = "、".join(t.name for t in item.themes.all())
        form = forms.VersionForm(initial=initial)
        sets = {
            "legal_bases": forms.LegalBasisFormSet(initial=_list_initial(content, "legal_bases"), prefix="lb"),
            "materials": forms.MaterialFormSet(initial=_list_initial(content, "materials"), prefix="mat"),
            "fees": forms.FeeFormSet(initial=_list_initial(content, "fees"), prefix="fee"),
            "special_procedures": forms.SpecialFormSet(
                initial=_list_initial(content, "special_procedures"), prefix="sp"
            ),
        }
    return render(
        request,
        "catalog/staff_version.html",
        {
            "version": version,
            "item": item,
            "form": form,
            # materials have eight columns: one card per row reads better than a cramped table
            "sets": [(LIST_LABELS[name], fs, name == "materials") for name, fs in sets.items()],
            "errors": errors,
            "materials": list(version.materials.all()),
        },
    )


@login_required
def staff_process(request: AuthedRequest, pk: int) -> HttpResponse:
    """The process definition editor: stages (join policy, quorum) and their steps."""
    _staff(request)
    version = access_version_by_id(request.user, pk)
    item = version.item
    if version.status not in EDITABLE_STATUSES or not can_edit(request.user, item):
        messages.error(request, _("该版本当前不可编辑。"))
        return redirect("catalog:staff_item", pk=item.pk)
    departments = Department.objects.filter(tenant_id=item.tenant_id).order_by("region__path", "name")
    posts = (
        Post.objects.filter(tenant_id=item.tenant_id).select_related("department").order_by("department__name", "name")
    )
    content = version_content(version)
    errors: list[tuple[str, str]] = []
    step_kwargs = {"departments": departments, "posts": posts}
    if request.method == "POST":
        stage_set = forms.StageFormSet(request.POST, prefix="stage")
        step_set = forms.StepFormSet(request.POST, prefix="step", form_kwargs=step_kwargs)
        if stage_set.is_valid() and step_set.is_valid():
            stages = [{**row, "steps": []} for row in _rows(stage_set)]
            for row in _rows(step_set):
                number = row.pop("stage") or 1
                if number > len(stages):
                    errors.append(
                        (_("环节“%(name)s”") % {"name": row["name"]}, _("所属阶段序号 %(n)d 不存在。") % {"n": number})
                    )
                    continue
                row["department"] = row["department"].pk if row["department"] else None
                row["post"] = row["post"].pk if row["post"] else None
                stages[number - 1]["steps"].append(row)
            if not errors:
                try:
                    version_update(actor=request.user, version=version, content={**content, "stages": stages})
                except ValidationError as e:
                    errors = _errors(e)
                else:
                    messages.success(request, _("办理流程已保存。"))
                    return redirect("catalog:staff_item", pk=item.pk)
        else:
            errors = [("", _("请检查标红的栏目。"))]
    else:
        stage_set = forms.StageFormSet(
            initial=[{k: v for k, v in s.items() if k != "steps"} for s in content["stages"]], prefix="stage"
        )
        step_initial = [{**step, "stage": i + 1} for i, s in enumerate(content["stages"]) for step in s["steps"]]
        step_set = forms.StepFormSet(initial=step_initial, prefix="step", form_kwargs=step_kwargs)
    saved = stages_of(version)
    return render(
        request,
        "catalog/staff_process.html",
        {
            "version": version,
            "item": item,
            "stage_set": stage_set,
            "step_set": step_set,
            "errors": errors,
            "svg": flowchart_svg(version, saved) if saved else "",
        },
    )


@login_required
@require_POST
def staff_material_file(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    material = access_material_by_id(request.user, pk)
    upload = request.FILES.get("file")
    field = request.POST.get("field", "blank_form")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            material_file_attach(actor=request.user, material=material, field=field, upload=upload)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, "；".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(request, _("文件已上传。"))
    return redirect("catalog:staff_version", pk=material.version_id)


def _act(request: AuthedRequest, pk: int, action: Any, success: str, **kwargs: Any) -> HttpResponse:
    _staff(request)
    version = access_version_by_id(request.user, pk)
    try:
        action(actor=request.user, version=version, **kwargs)
    except ValidationError as e:
        for label, msg in _errors(e):
            messages.error(request, f"{label}：{msg}" if label else msg)
    else:
        messages.success(request, success)
    return redirect("catalog:staff_item", pk=version.item_id)


@login_required
@require_POST
def staff_declare(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, version_declare, _("已申报，等待法制审核。"))


@login_required
@require_POST
def staff_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, version_publish, _("已公布。"))


@login_required
@require_POST
def staff_retire(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    item = access_item_by_id(request.user, pk)
    try:
        item_retire(actor=request.user, item=item, reason=request.POST.get("reason", ""))
    except ValidationError as e:
        for label, msg in _errors(e):
            messages.error(request, f"{label}：{msg}" if label else msg)
    else:
        messages.success(request, _("事项已废止。"))
    return redirect("catalog:staff_item", pk=item.pk)


@login_required
def review_queue_page(request: AuthedRequest) -> HttpResponse:
    if not (request.user.is_superuser or request.user.role in (Role.LEGAL, Role.ADMIN)):
        raise PermissionDenied
    rows = review_queue(request.user).order_by("updated_at")
    return render(request, "catalog/review_queue.html", {"rows": rows})


@login_required
def review_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The legal office's review of one declared version: content, diff against the version in
    force, approve with comments or return with reasons."""
    if not (request.user.is_superuser or request.user.role in (Role.LEGAL, Role.ADMIN)):
        raise PermissionDenied
    version = access_review_version_by_id(request.user, pk)
    item = version.item
    form = forms.ReviewForm(request.POST or None)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if not can_review(request.user, item):
            raise PermissionDenied
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                version_review(
                    actor=request.user, version=version, approve=approve, comment=form.cleaned_data["comment"]
                )
            except ValidationError as e:
                errors = _errors(e)
            else:
                messages.success(request, _("审核通过。") if approve else _("已退回申报部门。"))
                return redirect("catalog:review_queue")
    context = _detail_context(version)
    diff = []
    if item.published is not None and item.published_id != version.pk:
        diff = _diff_rows(version_content(item.published), version_content(version))
    context.update(
        {
            "item": item,
            "form": form,
            "errors": errors,
            "diff": diff,
            "can_review": can_review(request.user, item) and version.status == VersionStatus.DECLARED,
            "can_publish": can_publish(request.user, item) and version.status == VersionStatus.REVIEWED,
            # CAT-FEE-1 / CAT-FEE-2: what the fee catalog says about this version's fees
            "fee_issues": fee_catalog_issues(version),
            "fee_catalog_missing": version.fees.exists() and not fee_catalog_published(version.tenant_id),
        }
    )
    return render(request, "catalog/review.html", context)


def _show(value: Any, model: Any = ItemVersion, name: str = "") -> str:
    if isinstance(value, dict):
        return "；".join(
            f"{field_label(k, model)}：{value_label(k, v, model)}"
            for k, v in value.items()
            if k != "steps" and v not in ("", None)
        )
    return value_label(name, value, model)


_LIST_MODELS = {
    "legal_bases": LegalBasis,
    "materials": Material,
    "fees": Fee,
    "special_procedures": SpecialProcedure,
    "stages": Stage,
}


def _diff_rows(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for row in version_diff(a, b):
        name = row["field"]
        if "[" in name:
            list_name, n = name.rstrip("]").split("[")
            model = _LIST_MODELS[list_name]
            label = f"{LIST_LABELS[list_name]} {_('第%(n)s行') % {'n': n}}"
            before, after = _show(row["before"], model), _show(row["after"], model)
            if list_name == "stages":
                steps_a = (row["before"] or {}).get("steps", [])
                steps_b = (row["after"] or {}).get("steps", [])
                before += " ｜ " + "，".join(_show(s, Step) for s in steps_a) if steps_a else ""
                after += " ｜ " + "，".join(_show(s, Step) for s in steps_b) if steps_b else ""
        else:
            label = field_label(name)
            before, after = _show(row["before"], name=name), _show(row["after"], name=name)
        out.append({"label": label, "before": before or "—", "after": after or "—"})
    return out


@login_required
def staff_diff(request: AuthedRequest, pk: int) -> HttpResponse:
    """Field-by-field and list differences between two versions of one item (?a=1&b=2)."""
    _staff(request)
    item = access_item_by_id(request.user, pk)
    versions = {v.number: v for v in versions_for_user(request.user).filter(item=item)}
    if not versions:
        raise Http404
    numbers = sorted(versions)
    try:
        a = int(request.GET.get("a", numbers[-2] if len(numbers) > 1 else numbers[0]))
        b = int(request.GET.get("b", numbers[-1]))
    except ValueError:
        raise Http404 from None
    if a not in versions or b not in versions:
        raise Http404
    rows = _diff_rows(version_content(versions[a]), version_content(versions[b]))
    return render(
        request,
        "catalog/diff.html",
        {"item": item, "a": versions[a], "b": versions[b], "rows": rows, "numbers": numbers},
    )


@login_required
def staff_import(request: AuthedRequest) -> HttpResponse:
    """Upload a catalog workbook: all-or-nothing, with a per-row, per-column report in Chinese."""
    if not (request.user.is_superuser or request.user.role in (Role.DEPT_HEAD, Role.ADMIN)):
        raise PermissionDenied
    departments = _my_departments(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None, departments=departments)
    report = None
    problems: list[Any] = []
    missing: list[Any] = []
    if request.method == "POST" and form.is_valid():
        publish = form.cleaned_data["publish"]
        if publish and not (request.user.is_superuser or request.user.role == Role.ADMIN):
            raise PermissionDenied
        upload = form.cleaned_data["file"]
        try:
            report = catalog_import(
                data=upload.read(),
                filename=upload.name,
                actor=request.user,
                department=form.cleaned_data["department"]
                or (departments.first() if request.user.role != Role.ADMIN else None),
                publish=publish,
            )
        except ImportFailed as e:
            problems, missing = e.problems, e.missing_departments
        except PermissionDenied as e:
            problems = []
            messages.error(request, str(e) or _("没有权限导入这些事项。"))
    return render(
        request,
        "catalog/import.html",
        {
            "form": form,
            "report": report,
            "problems": problems,
            "missing": missing,
            "can_create_departments": _is_admin(request.user),
            "creatable": [m for m in missing if not m.problem],
        },
    )


def _is_admin(user: Any) -> bool:
    return bool(user.is_superuser or user.role == Role.ADMIN)


@login_required
@require_POST
def staff_import_departments(request: AuthedRequest) -> HttpResponse:
    """The administrator confirms creating the departments an import report listed as missing
    (name, region, credit code as posted back from the report); then the file is imported again."""

    if not _is_admin(request.user):
        raise PermissionDenied
    tenant_id = request.user.tenant_id
    if tenant_id is None:
        raise PermissionDenied
    names, regions, codes = (request.POST.getlist(k) for k in ("name", "region", "credit_code"))
    if not (len(names) == len(regions) == len(codes)):
        messages.error(request, _("提交的部门信息不完整，请重新导入文件。"))
        return redirect("catalog:staff_import")
    rows = [{"name": n, "region": r, "credit_code": c} for n, r, c in zip(names, regions, codes, strict=True)]
    try:
        made = departments_create_for_import(actor=request.user, tenant_id=tenant_id, departments=rows)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已创建 %(n)d 个部门：%(names)s。请重新上传文件完成导入。")
            % {"n": len(made), "names": "、".join(d.name for d in made)},
        )
    return redirect("catalog:staff_import")


@login_required
def template_download(request: AuthedRequest) -> HttpResponse:
    """The blank import template (items, materials, fees, steps and the 填写说明 sheet)."""
    if not (request.user.is_superuser or request.user.role in (Role.DEPT_HEAD, Role.ADMIN)):
        raise PermissionDenied
    response = HttpResponse(
        template_bytes(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="catalog-template.xlsx"'
    return response


def export_download(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(reverse("login") + "?next=" + request.path)
    _staff(request)
    items = items_for_workbench(request.user)
    data = catalog_export_bytes(items)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="catalog-export.xlsx"'
    return response


# ── The fee catalog (收费目录, CAT-FEE-1) ─────────────────────────────────────────────────────────


def fee_catalog(request: HttpRequest) -> HttpResponse:
    """The public fee catalog: every published entry with its basis, standard, range, approving
    document and validity, searched and paginated."""
    q = request.GET.get("q", "").strip()[:50]
    page = paginate(request, fee_entries_public(q))
    return render(request, "catalog/fee_catalog.html", {"page": page, "rows": page.object_list, "q": q})


def _fee_admin(request: AuthedRequest) -> int:
    """The administrator's jurisdiction; anyone else is refused (403)."""
    user = request.user
    if not (user.is_superuser or user.role == Role.ADMIN) or not can_manage_fee_catalog(user, user.tenant_id):
        raise PermissionDenied(_("只有本辖区的系统管理员可以维护收费目录。"))
    if user.tenant_id is None:
        raise PermissionDenied(_("只有本辖区的系统管理员可以维护收费目录。"))
    return int(user.tenant_id)


@login_required
def staff_fee_catalog(request: AuthedRequest) -> HttpResponse:
    """The administrator's fee catalog: every entry (drafts, withdrawn ones), a form for a new one,
    and the fees of published items that the catalog does not cover (CAT-FEE-3)."""
    tenant_id = _fee_admin(request)
    form = forms.FeeEntryForm(request.POST or None)
    errors: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            fee_entry_create(actor=request.user, tenant_id=tenant_id, **form.cleaned_data)
        except ValidationError as e:
            errors = _errors(e)
        else:
            messages.success(request, _("收费目录项目已保存为草稿，公布后生效。"))
            return redirect("catalog:staff_fees")
    q = request.GET.get("q", "").strip()[:50]
    entries = fee_entries_for_user(request.user).filter(tenant_id=tenant_id)
    if q:
        entries = entries.filter(Q(name__icontains=q) | Q(code__icontains=q))
    page = paginate(request, entries.order_by("status", "code", "name", "pk"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "catalog/staff_fees.html",
        {
            "form": form,
            "errors": errors,
            "page": page,
            "rows": page.object_list,
            "q": q,
            "outside": fees_outside_catalog(tenant_id)[:200],
        },
        status=status,
    )


@login_required
@require_POST
def staff_fee_entry_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """Publish or withdraw (撤销, with the reason) one entry."""
    _fee_admin(request)
    entry = access_fee_entry_by_id(request.user, pk)
    try:
        if action == "publish":
            fee_entry_publish(actor=request.user, entry=entry)
            messages.success(request, _("收费目录项目已公布。"))
        elif action == "withdraw":
            fee_entry_withdraw(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
            messages.success(request, _("收费目录项目已撤销。"))
        else:
            raise Http404
    except ValidationError as e:
        for label, msg in _errors(e):
            messages.error(request, f"{label}：{msg}" if label else msg)
    return redirect("catalog:staff_fees")


@login_required
def staff_disposal(request: AuthedRequest, pk: int) -> HttpResponse:
    """Cancel (取消), delegate (下放) or entrust (委托) an item, or restore it (CAT-DIS-1): the legal
    office in scope or the administrator (services.item_disposal_set checks it)."""
    if not (request.user.is_superuser or request.user.role in (Role.LEGAL, Role.ADMIN)):
        raise PermissionDenied
    item = access_item_by_id(request.user, pk)
    if not can_publish(request.user, item):
        raise PermissionDenied
    initial = {
        "disposal": item.disposal,
        "document": item.disposal_document,
        "effective": item.disposal_date,
        "region": item.disposal_region.code if item.disposal_region else "",
        "body": item.disposal_body,
        "target": item.disposal_item.implementing_code if item.disposal_item else "",
        "note": item.disposal_note,
    }
    form = forms.DisposalForm(request.POST or None, initial=initial)
    errors: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = target = None
        if data["region"]:
            region = Region.objects.filter(code=data["region"].strip()).first()
            if region is None:
                errors.append((str(form.fields["region"].label), _("区划代码不存在。")))
        if data["target"]:
            target = (
                items_for_user(request.user)
                .filter(tenant_id=item.tenant_id, implementing_code=data["target"].strip())
                .first()
            )
            if target is None:
                errors.append((str(form.fields["target"].label), _("承接事项不存在。")))
        if not errors:
            try:
                item_disposal_set(
                    actor=request.user,
                    item=item,
                    disposal=data["disposal"] or "",
                    document=data["document"],
                    effective=data["effective"],
                    region=region,
                    body=data["body"],
                    target=target,
                    note=data["note"],
                )
            except ValidationError as e:
                errors = _errors(e)
            else:
                messages.success(request, _("事项实施状态已变更。"))
                return redirect("catalog:staff_item", pk=item.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "catalog/staff_disposal.html",
        {"item": item, "form": form, "errors": errors, "notice": disposal_notice(item)},
        status=status,
    )
