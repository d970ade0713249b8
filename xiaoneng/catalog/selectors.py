"""Permission-scoped reads of the catalog, and the canonical content of a version."""

from __future__ import annotations

__all__ = [
    "content_plain",
    "disposal_blocks",
    "disposal_notice",
    "fee_catalog_in_force",
    "fee_catalog_issue",
    "fee_catalog_issues",
    "fee_catalog_published",
    "fee_catalog_snapshot",
    "fee_entries_for_user",
    "fee_entries_public",
    "fee_outside_catalog_reason",
    "fees_outside_catalog",
    "items_for_user",
    "items_for_workbench",
    "public_versions",
    "review_queue",
    "stages_of",
    "version_content",
    "version_contents",
    "version_diff",
    "versions_for_user",
]

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.catalog.choices import Disposal, FeeEntryStatus, VersionStatus
from xiaoneng.catalog.models import Fee, FeeCatalogEntry, Item, ItemVersion, Stage, Step
from xiaoneng.catalog.validation import CONTENT_FIELDS, FEE_FIELDS, LISTS, STAGE_FIELDS, STEP_FIELDS
from xiaoneng.core.scoping import region_subtree_q, restrict
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, STAFF_ROLES, Role


def items_for_user(user: Any) -> QuerySet[Item]:
    return restrict(Item.objects.select_related("department", "head", "published"), user)


def versions_for_user(user: Any) -> QuerySet[ItemVersion]:
    return restrict(ItemVersion.objects.select_related("item", "item__department", "region"), user)


def items_for_workbench(user: Any) -> QuerySet[Item]:
    """The items a member of staff works on in the workbench: department staff their department's,
    the administrator the tenant's, the legal office, supervisors and leaders what they may see;
    the public and applicants none."""
    if not (getattr(user, "is_authenticated", False) and (user.is_superuser or user.role in STAFF_ROLES)):
        return Item.objects.none()
    qs = items_for_user(user)
    if user.role in DEPARTMENT_ROLES:
        qs = qs.filter(department=user.department)
    elif user.role == Role.ADMIN:
        qs = qs.filter(tenant_id=user.tenant_id)
    return qs


def public_versions() -> QuerySet[ItemVersion]:
    """Published versions in force (public or not; callers filter on is_public)."""
    return ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("item", "item__department")


def review_queue(user: Any) -> QuerySet[ItemVersion]:
    """Declared versions awaiting the legal office, and reviewed ones awaiting publication."""
    qs = ItemVersion.objects.filter(status__in=[VersionStatus.DECLARED, VersionStatus.REVIEWED]).select_related(
        "item", "item__department"
    )
    if user.is_superuser:
        return qs
    if user.role == Role.LEGAL and user.region_id:
        return qs.filter(region_subtree_q("item__department__region__path", user.region.path))
    if user.role == Role.ADMIN and user.tenant_id:
        return qs.filter(tenant_id=user.tenant_id)
    return qs.none()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return value


def version_content(version: ItemVersion) -> dict[str, Any]:
    """The canonical content of a version (the shape `validation.normalize` produces, with amounts
    as strings): what the import compares, the diff shows and events record."""
    content: dict[str, Any] = {}
    for name in CONTENT_FIELDS:
        if name == "region":
            content[name] = version.region.code
        else:
            content[name] = getattr(version, name)
    for list_name, fields in LISTS.items():
        rows = getattr(version, list_name).all()
        content[list_name] = [{f: _plain(getattr(r, f)) for f in fields} for r in rows]
    stages = []
    process = getattr(version, "process", None)
    if process is not None:
        for stage in process.stages.prefetch_related(Prefetch("steps")).all():
            row = {f: getattr(stage, f) for f in STAGE_FIELDS}
            row["steps"] = [
                {f: getattr(s, f + "_id") if f in ("department", "post") else getattr(s, f) for f in STEP_FIELDS}
                for s in stage.steps.all()
            ]
            stages.append(row)
    content["stages"] = stages
    return content


def version_contents(versions: list[ItemVersion]) -> dict[int, dict[str, Any]]:
    """`version_content` of many versions, by primary key, in one values() query per list instead of
    seven queries and a model instance per row and version (a re-import compares thousands). The
    versions must come with `region` selected. tests/test_import_export checks both agree."""
    ids = [v.pk for v in versions]
    contents: dict[int, dict[str, Any]] = {}
    for v in versions:
        content = {name: v.region.code if name == "region" else getattr(v, name) for name in CONTENT_FIELDS}
        for list_name in LISTS:
            content[list_name] = []
        content["stages"] = []
        contents[v.pk] = content
    for list_name, fields in LISTS.items():
        model = ItemVersion._meta.get_field(list_name).related_model
        if model is None:
            raise RuntimeError("invariant: model is not None")
        if isinstance(model, str):
            raise TypeError("invariant: a resolved model")
        rows = model._default_manager.filter(version_id__in=ids).order_by("version_id", "order", "id")
        for version_id, *values in rows.values_list("version_id", *fields):
            contents[version_id][list_name].append({f: _plain(x) for f, x in zip(fields, values, strict=True)})
    stages: dict[int, dict[str, Any]] = {}
    stage_rows = Stage.objects.filter(process__version_id__in=ids).order_by("process_id", "order", "id")
    for pk, version_id, *values in stage_rows.values_list("pk", "process__version_id", *STAGE_FIELDS):
        stage = dict(zip(STAGE_FIELDS, values, strict=True))
        stage["steps"] = []
        stages[pk] = stage
        contents[version_id]["stages"].append(stage)
    step_columns = [f + "_id" if f in ("department", "post") else f for f in STEP_FIELDS]
    step_rows = Step.objects.filter(stage__process__version_id__in=ids).order_by("stage_id", "order", "id")
    for stage_id, *values in step_rows.values_list("stage_id", *step_columns):
        stages[stage_id]["steps"].append(dict(zip(STEP_FIELDS, values, strict=True)))
    return contents


def content_plain(content: dict[str, Any]) -> dict[str, Any]:
    """Normalized content with amounts as strings, comparable with `version_content`."""
    out = dict(content)
    out["fees"] = [{k: _plain(v) if k in FEE_FIELDS else v for k, v in fee.items()} for fee in content["fees"]]
    return out


def version_diff(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Field-by-field differences between two contents; lists are compared row by row."""
    rows: list[dict[str, Any]] = []
    for name in CONTENT_FIELDS:
        if a.get(name) != b.get(name):
            rows.append({"field": name, "before": a.get(name), "after": b.get(name)})
    for list_name in [*LISTS, "stages"]:
        left, right = a.get(list_name) or [], b.get(list_name) or []
        for i in range(max(len(left), len(right))):
            before = left[i] if i < len(left) else None
            after = right[i] if i < len(right) else None
            if before != after:
                rows.append({"field": f"{list_name}[{i + 1}]", "before": before, "after": after})
    return rows


def stages_of(version: ItemVersion) -> list[Stage]:
    process = getattr(version, "process", None)
    if process is None:
        return []
    return list(process.stages.prefetch_related("steps__department", "steps__post").all())


# ── The fee catalog (收费目录) ─────────────────────────────────────────────────────────────────────
#
# CAT-FEE-1 (under CAT-7 and CAT-1): once a jurisdiction has published its fee catalog, an item's fee
# must match an entry in force on the day — the same name, and [lower, upper] within the entry's
# range — or the version is refused at declaration and at the legal office's approval (services).
# 目录清单之外一律不得收费: the national and provincial 行政事业性收费目录清单 list every lawful fee.
# CAT-FEE-2: a jurisdiction with no published entry yet is not refused (its items' fees were lawful
# before the catalog was entered here); the review page flags every fee as "not checked".
# CAT-FEE-3: a published version is frozen, so a fee that falls out of the catalog later (an entry
# withdrawn or expired) is flagged on the fee catalog's management page for a new version, and the
# window may no longer charge it (cases.actions.fees).


def fee_catalog_in_force(tenant_id: int, on: date | None = None) -> QuerySet[FeeCatalogEntry]:
    """The published entries of a jurisdiction in force on `on` (today, Asia/Shanghai)."""
    on = on or timezone.localdate()
    return FeeCatalogEntry.objects.filter(
        tenant_id=tenant_id, status=FeeEntryStatus.PUBLISHED, valid_from__lte=on
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def fee_catalog_published(tenant_id: int) -> bool:
    """CAT-FEE-2: whether the jurisdiction has ever published a fee catalog entry (an entry withdrawn
    since still counts: withdrawing the last entry leaves an empty catalog, not an unchecked one)."""
    return FeeCatalogEntry.objects.filter(
        tenant_id=tenant_id, status__in=[FeeEntryStatus.PUBLISHED, FeeEntryStatus.WITHDRAWN]
    ).exists()


def _fee_issue(name: str, lower: Decimal, upper: Decimal, entries: list[FeeCatalogEntry]) -> str | None:
    named = [e for e in entries if e.name == name.strip()]
    if not named:
        return _("收费项目“%(name)s”不在本辖区公布的收费目录中，目录之外不得收费。") % {"name": name}
    if any(e.lower <= lower and upper <= e.upper for e in named):
        return None
    ranges = "、".join(f"{e.lower}–{e.upper}" for e in named)
    return _("收费项目“%(name)s”的标准 %(lower)s–%(upper)s 元超出收费目录核定的 %(ranges)s 元。") % {
        "name": name,
        "lower": lower,
        "upper": upper,
        "ranges": ranges,
    }


def fee_catalog_snapshot(tenant_id: int, on: date | None = None) -> list[FeeCatalogEntry] | None:
    """The jurisdiction's entries in force on `on`, in one query, for checking many fees at once (the
    spreadsheet import): None when it has never published an entry (CAT-FEE-2: nothing is refused),
    else the entries in force (an emptied catalog, [], covers nothing)."""
    on = on or timezone.localdate()
    entries = list(
        FeeCatalogEntry.objects.filter(
            tenant_id=tenant_id, status__in=[FeeEntryStatus.PUBLISHED, FeeEntryStatus.WITHDRAWN]
        )
    )
    if not entries:
        return None
    return [
        e
        for e in entries
        if e.status == FeeEntryStatus.PUBLISHED and e.valid_from <= on and (e.valid_to is None or e.valid_to >= on)
    ]


def fee_catalog_issue(name: str, lower: Decimal, upper: Decimal, entries: list[FeeCatalogEntry]) -> str | None:
    """CAT-FEE-1: why one fee (name, lower–upper) is not covered by `entries` (a fee_catalog_snapshot),
    None when it is."""
    return _fee_issue(name, lower, upper, entries)


def fee_catalog_issues(version: ItemVersion, on: date | None = None) -> list[str]:
    """CAT-FEE-1: why each fee of `version` is not covered by its jurisdiction's fee catalog in force
    (empty: all covered, or the jurisdiction has not published a catalog yet — CAT-FEE-2)."""
    fees = list(Fee.objects.filter(version=version).order_by("order", "id"))
    if not fees or not fee_catalog_published(version.tenant_id):
        return []
    entries = list(fee_catalog_in_force(version.tenant_id, on))
    return [m for f in fees if (m := _fee_issue(f.name, f.lower, f.upper, entries)) is not None]


def fee_outside_catalog_reason(fee: Fee, on: date | None = None) -> str | None:
    """CAT-FEE-3: why one fee may not be charged today under the fee catalog (None: it may)."""
    tenant_id = ItemVersion.objects.filter(pk=fee.version_id).values_list("tenant_id", flat=True).first()
    if tenant_id is None or not fee_catalog_published(tenant_id):
        return None
    return _fee_issue(fee.name, fee.lower, fee.upper, list(fee_catalog_in_force(tenant_id, on)))


def fees_outside_catalog(tenant_id: int, on: date | None = None) -> list[tuple[Fee, str]]:
    """CAT-FEE-3: the fees of the jurisdiction's versions in force that its fee catalog does not
    cover, with the reason (empty before the catalog is published)."""
    if not fee_catalog_published(tenant_id):
        return []
    entries = list(fee_catalog_in_force(tenant_id, on))
    fees = Fee.objects.filter(version__tenant_id=tenant_id, version__status=VersionStatus.PUBLISHED).select_related(
        "version", "version__item"
    )
    return [(f, m) for f in fees if (m := _fee_issue(f.name, f.lower, f.upper, entries)) is not None]


def fee_entries_public(q: str = "") -> QuerySet[FeeCatalogEntry]:
    """The published fee catalog of every jurisdiction (withdrawn entries are not shown), searched
    by name, code, basis or approving document."""
    qs = FeeCatalogEntry.objects.filter(status=FeeEntryStatus.PUBLISHED).select_related("tenant")
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(code__icontains=q)
            | Q(legal_basis__icontains=q)
            | Q(approving_document__icontains=q)
            | Q(collector__icontains=q)
        )
    return qs.order_by("tenant_id", "code", "name", "pk")


def fee_entries_for_user(user: Any) -> QuerySet[FeeCatalogEntry]:
    """Every entry (drafts and withdrawn ones too) of the jurisdiction the administrator manages;
    nothing for anyone else (the public page shows the published ones)."""
    if not getattr(user, "is_authenticated", False):
        return FeeCatalogEntry.objects.none()
    if user.is_superuser:
        return FeeCatalogEntry.objects.all()
    if user.role == Role.ADMIN and user.tenant_id:
        return FeeCatalogEntry.objects.filter(tenant_id=user.tenant_id)
    return FeeCatalogEntry.objects.none()


# ── Cancelled, delegated and entrusted items (取消 / 下放 / 委托) ─────────────────────────────────


def disposal_blocks(item: Item, on: date | None = None) -> bool:
    """CAT-DIS-2: from its effective date, a cancelled, delegated or entrusted item takes no case."""
    if not item.disposal or item.disposal_date is None:
        return False
    return item.disposal_date <= (on or timezone.localdate())


def disposal_notice(item: Item, on: date | None = None) -> dict[str, Any] | None:
    """What the applicant is told about a disposed item: the reason (the decision, its document and
    date), and for a delegated or entrusted one where to apply now — the lower level's item when it
    is published and public. None for an item exercised here."""
    if not item.disposal:
        return None
    target = item.disposal_item
    link = None
    if target is not None and target.published is not None and target.published.is_public and not target.disposal:
        link = target.implementing_code
    date_text = item.disposal_date.isoformat() if item.disposal_date else ""
    if item.disposal == Disposal.CANCELLED:
        reason = _("该事项已于 %(date)s 依据《%(doc)s》取消，不再受理申请。")
    elif item.disposal == Disposal.DELEGATED:
        reason = _("该事项已于 %(date)s 依据《%(doc)s》下放，本级不再受理申请。")
    else:
        reason = _("该事项已于 %(date)s 依据《%(doc)s》委托实施，本级不再受理申请。")
    reason = reason % {"date": date_text, "doc": item.disposal_document.strip("《》")}
    where = ""
    if item.disposal == Disposal.DELEGATED and item.disposal_region is not None:
        where = _("请向 %(region)s%(body)s 申请。") % {"region": item.disposal_region.name, "body": item.disposal_body}
    elif item.disposal == Disposal.ENTRUSTED:
        where = _("请向受委托的 %(body)s 申请。") % {"body": item.disposal_body}
    return {
        "kind": item.disposal,
        "label": item.get_disposal_display(),
        "in_force": disposal_blocks(item, on),
        "date": item.disposal_date,
        "document": item.disposal_document,
        "reason": reason,
        "where": where,
        "note": item.disposal_note,
        "target_code": link,
    }
