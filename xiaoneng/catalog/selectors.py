"""Permission-scoped reads of the catalog, and the canonical content of a version."""

from __future__ import annotations

__all__ = [
    "content_plain",
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

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from xiaoneng.catalog.choices import VersionStatus
from xiaoneng.catalog.models import Item, ItemVersion, Stage, Step
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
