"""Catalog API (/api/catalog): list, detail, versions and flowchart for everyone (public items) and
for staff in scope (everything they may see); write endpoints for authorised staff. The same
services and permission checks as the pages."""

from __future__ import annotations

__all__ = ["router"]

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.security import django_auth

from xiaoneng.catalog.flowchart import flowchart_svg
from xiaoneng.catalog.models import FeeCatalogEntry, Item, ItemVersion
from xiaoneng.catalog.permissions import (
    access_fee_entry_by_id,
    access_item_by_code,
    access_version_by_number,
    can_manage_fee_catalog,
)
from xiaoneng.catalog.selectors import (
    disposal_notice,
    fee_entries_for_user,
    fee_entries_public,
    items_for_user,
    version_content,
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
    version_declare,
    version_publish,
    version_review,
    version_update,
)
from xiaoneng.catalog.spreadsheet.read import ImportFailed, catalog_import
from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.core.params import MAX_OFFSET, bounded_int
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, Region

router = Router(tags=["catalog"])


class LegalBasisIO(Schema):
    law: str
    article: str = ""
    text: str = ""


class MaterialIO(Schema):
    name: str
    kind: str = "other"
    form: str = "original"
    required: bool = True
    source: str = "applicant"
    copies: int = 1
    instructions: str = ""
    legal_basis: str = ""


class FeeIO(Schema):
    name: str
    lower: str | None = Field(None, description="元, e.g. '10.00'")
    upper: str | None = None
    basis: str = ""
    reducible: bool = False


class SpecialProcedureIO(Schema):
    kind: str = Field(..., description="hearing, testing, expert_review … (workdays PauseReason)")
    max_days: int | None = None
    note: str = ""


class StepIO(Schema):
    name: str
    department: int | None = Field(None, description="department id; empty = the item's department")
    post: int | None = Field(None, description="post id")
    role: str = ""
    limit_days: int | None = None
    supervision_point: str = ""
    applicant_rights: str = ""
    on_timeout: str = "escalate"


class StageIO(Schema):
    name: str
    join_policy: str = "all"
    quorum: int | None = None
    steps: list[StepIO] = []


class ContentIO(Schema):
    name: str
    item_type: str = Field(..., description="CAT-3 code: 01…10, 20, filing, internal")
    region: str = Field(..., description="code of the region served")
    gov_level: str = "city"
    statutory_limit: int | None = None
    statutory_unit: str = "wd"
    statutory_note: str = ""
    committed_limit: int | None = None
    committed_unit: str = "wd"
    committed_note: str = ""
    committed_justification: str = ""
    acceptance_conditions: str = ""
    quantity_limits: str = ""
    case_kind: str = "committed"
    visits: int = 1
    place: str = ""
    hours: str = ""
    enquiry_channel: str = ""
    complaint_channel: str = ""
    online_depth: str = "0"
    result_type: str = ""
    result_name: str = ""
    is_public: bool = True
    non_public_reason: str = ""
    legal_bases: list[LegalBasisIO] = []
    materials: list[MaterialIO] = []
    fees: list[FeeIO] = []
    special_procedures: list[SpecialProcedureIO] = []
    stages: list[StageIO] = []


class ItemSummaryOut(Schema):
    implementing_code: str
    base_code: str
    name: str
    item_type: str
    item_type_label: str
    department: str
    department_id: int
    status: str
    version: int
    is_public: bool
    statutory_limit: int | None
    committed_limit: int | None
    themes: list[str]


class VersionOut(Schema):
    number: int
    status: str
    status_label: str
    published_at: Any = None
    review_comment: str


class ItemDetailOut(Schema):
    implementing_code: str
    base_code: str
    department: str
    department_id: int
    themes: list[str]
    version: int
    status: str
    speedup_percent: int | None
    content: ContentIO


class ItemCreateIn(Schema):
    department_id: int
    base_code: str
    implementing_code: str
    themes: list[str] = []
    content: ContentIO


class DraftIn(Schema):
    content: ContentIO
    themes: list[str] | None = None


class CatalogReviewIn(Schema):
    approve: bool
    comment: str = ""


class CatalogReasonIn(Schema):
    reason: str


class StatusOut(Schema):
    implementing_code: str
    version: int
    status: str


def _shown(item: Item) -> ItemVersion:
    version = item.published or item.head
    if version is None:
        raise Http404
    return version


def _summary(item: Item) -> ItemSummaryOut:
    v = _shown(item)
    return ItemSummaryOut(
        implementing_code=item.implementing_code,
        base_code=item.base_code,
        name=v.name,
        item_type=v.item_type,
        item_type_label=str(v.get_item_type_display()),
        department=item.department.name,
        department_id=item.department_id,
        status=v.status,
        version=v.number,
        is_public=v.is_public,
        statutory_limit=v.statutory_limit,
        committed_limit=v.committed_limit,
        themes=[t.name for t in item.themes.all()],
    )


def _version(request: HttpRequest, item: Item, number: int | None) -> ItemVersion:
    """The published version, or with `number` that version if the user may see it."""
    if number is None:
        return _shown(item)
    return access_version_by_number(request.user, item, number)


def _status(version: ItemVersion) -> StatusOut:
    return StatusOut(implementing_code=version.item.implementing_code, version=version.number, status=version.status)


@router.get(
    "/items",
    response=list[ItemSummaryOut],
    auth=None,
    summary="Catalog items (public ones, plus those in the user's scope)",
)
def items_list(
    request: HttpRequest,
    department: int | None = None,
    type: str | None = None,
    theme: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ItemSummaryOut]:
    # issue 9: a negative or huge offset (or department id) was a database error, a 500
    offset = bounded_int(offset, "offset", high=MAX_OFFSET) or 0
    department = bounded_int(department, "department")
    qs = items_for_user(request.user).prefetch_related("themes")
    staff = getattr(request.user, "is_authenticated", False) and request.user.is_staff_member  # type: ignore[union-attr]
    prefixes = ["published__", "head__"] if staff else ["published__"]
    if department:
        qs = qs.filter(department_id=department)
    if type:
        qs = qs.filter(_any(prefixes, "item_type", type))
    if theme:
        qs = qs.filter(themes__name=theme)
    if q:
        q = q.strip()
        qs = qs.filter(
            _any(prefixes, "name__contains", q) | Q(implementing_code__contains=q) | Q(base_code__contains=q)
        )
    limit = max(1, min(limit, 200))
    return [_summary(item) for item in qs.distinct()[offset : offset + limit]]


def _any(prefixes: list[str], lookup: str, value: Any) -> Q:
    q = Q()
    for p in prefixes:
        q |= Q(**{p + lookup: value})
    return q


@router.get(
    "/items/{code}", response=ItemDetailOut, auth=None, summary="One item: the version in force (or ?version=N)"
)
def item_detail(request: HttpRequest, code: str, version: int | None = None) -> ItemDetailOut:
    item = access_item_by_code(request.user, code)
    v = _version(request, item, version)
    return ItemDetailOut(
        implementing_code=item.implementing_code,
        base_code=item.base_code,
        department=item.department.name,
        department_id=item.department_id,
        themes=[t.name for t in item.themes.all()],
        version=v.number,
        status=v.status,
        speedup_percent=v.speedup_percent,
        content=ContentIO(**version_content(v)),
    )


@router.get("/items/{code}/versions", response=list[VersionOut], auth=None, summary="Versions the user may see")
def item_versions(request: HttpRequest, code: str) -> list[VersionOut]:
    item = access_item_by_code(request.user, code)
    return [
        VersionOut(
            number=v.number,
            status=v.status,
            status_label=str(v.get_status_display()),
            published_at=v.published_at,
            review_comment=v.review_comment,
        )
        for v in versions_for_user(request.user).filter(item=item).order_by("number")
    ]


@router.get(
    "/items/{code}/flowchart.svg",
    auth=None,
    summary="The flowchart as SVG (image/svg+xml)",
    openapi_extra={"responses": {200: {"description": "SVG", "content": {"image/svg+xml": {}}}}},
)
def item_flowchart(request: HttpRequest, code: str, version: int | None = None) -> HttpResponse:
    item = access_item_by_code(request.user, code)
    v = _version(request, item, version)
    return HttpResponse(flowchart_svg(v), content_type="image/svg+xml; charset=utf-8")


@router.post("/items", response={201: StatusOut}, auth=django_auth, summary="Register an item (first draft)")
def item_create_api(request: AuthedRequest, payload: ItemCreateIn) -> Status[Any]:
    department = get_object_or_404(Department, pk=payload.department_id)
    item = item_create(
        actor=request.user,
        department=department,
        base_code=payload.base_code,
        implementing_code=payload.implementing_code,
        themes=payload.themes,
        content=payload.content.model_dump(),
    )
    if item.head is None:
        raise RuntimeError("invariant: item.head is not None")
    return Status(201, _status(item.head))


@router.put(
    "/items/{code}/draft",
    response=StatusOut,
    auth=django_auth,
    summary="Replace the draft (creates one from the published version)",
)
def item_draft_update(request: AuthedRequest, code: str, payload: DraftIn) -> StatusOut:
    item = access_item_by_code(request.user, code)
    draft = item_edit(actor=request.user, item=item)
    version = version_update(
        actor=request.user, version=draft, content=payload.content.model_dump(), themes=payload.themes
    )
    return _status(version)


def _head(request: AuthedRequest, code: str) -> ItemVersion:
    item = access_item_by_code(request.user, code)
    if item.head is None:
        raise Http404
    return item.head


@router.post("/items/{code}/declare", response=StatusOut, auth=django_auth, summary="Declare the draft (申报, CAT-6)")
def item_declare(request: AuthedRequest, code: str) -> StatusOut:
    return _status(version_declare(actor=request.user, version=_head(request, code)))


@router.post(
    "/items/{code}/review",
    response=StatusOut,
    auth=django_auth,
    summary="Legal office review: approve or return (CAT-6)",
)
def item_review(request: AuthedRequest, code: str, payload: CatalogReviewIn) -> StatusOut:
    return _status(
        version_review(
            actor=request.user, version=_head(request, code), approve=payload.approve, comment=payload.comment
        )
    )


@router.post("/items/{code}/publish", response=StatusOut, auth=django_auth, summary="Publish the reviewed version")
def item_publish(request: AuthedRequest, code: str) -> StatusOut:
    return _status(version_publish(actor=request.user, version=_head(request, code)))


@router.post("/items/{code}/retire", response=StatusOut, auth=django_auth, summary="Retire the item (废止)")
def item_retire_api(request: AuthedRequest, code: str, payload: CatalogReasonIn) -> StatusOut:
    item = item_retire(actor=request.user, item=access_item_by_code(request.user, code), reason=payload.reason)
    if item.head is None:
        raise RuntimeError("invariant: item.head is not None")
    item.head.refresh_from_db()
    return _status(item.head)


# ---------------------------------------------------------------------------------------------
# Import (the same all-or-nothing import as the workbench page)
# ---------------------------------------------------------------------------------------------


class ImportReportOut(Schema):
    created: int
    updated: int
    unchanged: int
    published: int
    codes: list[str]


class ProblemOut(Schema):
    sheet: str
    row: int | None
    column: str
    message: str


class MissingDepartmentOut(Schema):
    name: str
    region: str
    region_name: str
    credit_code: str = Field(..., description="the code the department would be created with")
    credit_codes: list[str]
    rows: list[int]
    problem: str = Field(..., description="why it cannot be created from the file; empty if it can")


class ImportFailedOut(Schema):
    detail: str
    problems: list[ProblemOut]
    missing_departments: list[MissingDepartmentOut]


class NewDepartmentIn(Schema):
    name: str = Field(..., max_length=100)
    region: str = Field(..., max_length=12)
    credit_code: str = Field(..., max_length=18)


class NewDepartmentsIn(Schema):
    departments: list[NewDepartmentIn] = Field(..., max_length=200)


class CatalogDepartmentOut(Schema):
    id: int
    name: str
    region: str
    credit_code: str


@router.post(
    "/import",
    response={200: ImportReportOut, 400: ImportFailedOut},
    auth=django_auth,
    summary="Import a catalog workbook (all-or-nothing; every problem and missing department listed)",
)
def catalog_import_api(
    request: AuthedRequest,
    file: File[UploadedFile],
    department_id: Form[int | None] = None,
    publish: Form[bool] = False,
) -> Status[Any]:
    user = request.user
    if not (user.is_superuser or user.role in (Role.DEPT_HEAD, Role.ADMIN)):
        raise PermissionDenied(_("只有部门负责人或系统管理员可以导入事项。"))
    department = None
    if department_id is not None:
        department = get_object_or_404(Department.objects.filter(tenant_id=user.tenant_id), pk=department_id)
    elif user.role != Role.ADMIN and not user.is_superuser:
        department = user.department
    if (file.size or 0) > 50 * 1024 * 1024:
        raise ValidationError(_("文件不能超过 50 MB。"))
    try:
        report = catalog_import(
            data=file.read(), filename=file.name or "", actor=user, department=department, publish=publish
        )
    except ImportFailed as e:
        return Status(
            400,
            {
                "detail": _("发现 %(n)d 处问题，未导入任何内容。") % {"n": len(e.problems)},
                "problems": [
                    {"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.message} for p in e.problems
                ],
                "missing_departments": [m.as_dict() for m in e.missing_departments],
            },
        )
    return Status(200, report.__dict__)


@router.post(
    "/import/departments",
    response={201: list[CatalogDepartmentOut]},
    auth=django_auth,
    summary="Create the missing departments an import listed (system administrator only)",
)
def import_departments_api(request: AuthedRequest, payload: NewDepartmentsIn) -> Status[Any]:

    user = request.user
    if user.tenant_id is None:
        raise PermissionDenied(_("只有系统管理员可以按导入文件创建部门。"))
    made = departments_create_for_import(
        actor=user,
        tenant_id=user.tenant_id,
        departments=[d.model_dump() for d in payload.departments],
    )
    return Status(
        201, [{"id": d.pk, "name": d.name, "region": d.region.code, "credit_code": d.credit_code} for d in made]
    )


# ---------------------------------------------------------------------------------------------
# The fee catalog (收费目录, CAT-FEE-1) and cancelled / delegated / entrusted items (CAT-DIS-1)
# ---------------------------------------------------------------------------------------------


class FeeEntryOut(Schema):
    id: int
    code: str
    name: str
    jurisdiction: str
    collector: str
    legal_basis: str
    standard: str
    lower: Decimal
    upper: Decimal
    approving_document: str
    valid_from: date
    valid_to: date | None
    status: str


class FeeEntryPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[FeeEntryOut]


class FeeEntryIn(Schema):
    code: str = Field("", max_length=40)
    name: str = Field(..., max_length=200)
    collector: str = Field("", max_length=200)
    legal_basis: str = Field(..., max_length=300)
    standard: str = Field("", max_length=2000)
    lower: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    upper: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    approving_document: str = Field(..., max_length=300)
    valid_from: date
    valid_to: date | None = None


class FeeEntryWithdrawIn(Schema):
    reason: str = Field(..., max_length=2000)


class DisposalIn(Schema):
    disposal: str = Field(..., description="'' (exercised here), cancelled, delegated or entrusted")
    document: str = Field("", max_length=300)
    effective: date | None = None
    region: str = Field("", max_length=12, description="region code the item is delegated to")
    body: str = Field("", max_length=200)
    target: str = Field("", max_length=64, description="implementing code of the lower level's item")
    note: str = Field("", max_length=2000)


class DisposalOut(Schema):
    implementing_code: str
    disposal: str
    label: str = ""
    in_force: bool = False
    reason: str = ""
    where: str = ""
    target_code: str | None = None


def _entry_out(e: FeeCatalogEntry) -> FeeEntryOut:
    return FeeEntryOut(
        id=e.pk,
        code=e.code,
        name=e.name,
        jurisdiction=e.tenant.name,
        collector=e.collector,
        legal_basis=e.legal_basis,
        standard=e.standard,
        lower=e.lower,
        upper=e.upper,
        approving_document=e.approving_document,
        valid_from=e.valid_from,
        valid_to=e.valid_to,
        status=e.status,
    )


def _entry_page(request: HttpRequest, qs: Any) -> FeeEntryPageOut:
    page = paginate(request, qs)
    return FeeEntryPageOut(
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        results=[_entry_out(e) for e in page.object_list],
    )


@router.get("/fee-catalog", response=FeeEntryPageOut, auth=None, summary="The published fee catalog (收费目录)")
def fee_catalog_list(request: HttpRequest, q: str = "", page: int = 1) -> FeeEntryPageOut:
    return _entry_page(request, fee_entries_public(q.strip()[:50]))


def _fee_admin(request: AuthedRequest) -> int:
    user = request.user
    if user.tenant_id is None or not (user.is_superuser or user.role == Role.ADMIN):
        raise PermissionDenied(_("只有本辖区的系统管理员可以维护收费目录。"))
    if not can_manage_fee_catalog(user, user.tenant_id):
        raise PermissionDenied(_("只有本辖区的系统管理员可以维护收费目录。"))
    return int(user.tenant_id)


@router.get(
    "/fee-catalog/manage",
    response=FeeEntryPageOut,
    auth=django_auth,
    summary="Every fee catalog entry of the administrator's jurisdiction (drafts, withdrawn)",
)
def fee_catalog_manage(request: AuthedRequest, page: int = 1) -> FeeEntryPageOut:
    tenant_id = _fee_admin(request)
    qs = fee_entries_for_user(request.user).filter(tenant_id=tenant_id).select_related("tenant")
    return _entry_page(request, qs.order_by("status", "code", "name", "pk"))


@router.post("/fee-catalog", response={201: FeeEntryOut}, auth=django_auth, summary="Draft a fee catalog entry")
def fee_entry_create_api(request: AuthedRequest, payload: FeeEntryIn) -> Status[Any]:
    tenant_id = _fee_admin(request)
    entry = fee_entry_create(actor=request.user, tenant_id=tenant_id, **payload.model_dump())
    return Status(201, _entry_out(entry))


@router.post("/fee-catalog/{entry_id}/publish", response=FeeEntryOut, auth=django_auth, summary="Publish an entry")
def fee_entry_publish_api(request: AuthedRequest, entry_id: int) -> FeeEntryOut:
    _fee_admin(request)
    entry = access_fee_entry_by_id(request.user, bounded_int(entry_id, "entry_id") or 0)
    return _entry_out(fee_entry_publish(actor=request.user, entry=entry))


@router.post(
    "/fee-catalog/{entry_id}/withdraw", response=FeeEntryOut, auth=django_auth, summary="Withdraw (撤销) an entry"
)
def fee_entry_withdraw_api(request: AuthedRequest, entry_id: int, payload: FeeEntryWithdrawIn) -> FeeEntryOut:
    _fee_admin(request)
    entry = access_fee_entry_by_id(request.user, bounded_int(entry_id, "entry_id") or 0)
    return _entry_out(fee_entry_withdraw(actor=request.user, entry=entry, reason=payload.reason))


def _disposal_out(item: Item) -> DisposalOut:
    notice = disposal_notice(item)
    if notice is None:
        return DisposalOut(implementing_code=item.implementing_code, disposal="")
    return DisposalOut(
        implementing_code=item.implementing_code,
        disposal=notice["kind"],
        label=str(notice["label"]),
        in_force=notice["in_force"],
        reason=notice["reason"],
        where=notice["where"],
        target_code=notice["target_code"],
    )


@router.get(
    "/items/{code}/disposal",
    response=DisposalOut,
    auth=None,
    summary="Whether the item is cancelled, delegated or entrusted, and where to apply now",
)
def item_disposal_get(request: HttpRequest, code: str) -> DisposalOut:
    return _disposal_out(access_item_by_code(request.user, code))


@router.post(
    "/items/{code}/disposal",
    response=DisposalOut,
    auth=django_auth,
    summary="Cancel (取消), delegate (下放) or entrust (委托) an item, or restore it",
)
def item_disposal_set_api(request: AuthedRequest, code: str, payload: DisposalIn) -> DisposalOut:
    item = access_item_by_code(request.user, code)
    region = target = None
    if payload.region:
        region = Region.objects.filter(code=payload.region.strip()).first()
        if region is None:
            raise ValidationError({"region": [_("区划代码不存在。")]})
    if payload.target:
        target = (
            items_for_user(request.user)
            .filter(tenant_id=item.tenant_id, implementing_code=payload.target.strip())
            .first()
        )
        if target is None:
            raise ValidationError({"target": [_("承接事项不存在。")]})
    item = item_disposal_set(
        actor=request.user,
        item=item,
        disposal=payload.disposal,
        document=payload.document,
        effective=payload.effective,
        region=region,
        body=payload.body,
        target=target,
        note=payload.note,
    )
    return _disposal_out(item)
