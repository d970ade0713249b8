"""Every write to the catalog (CAT-6 lifecycle), one function per action (conventions §2).

Every action takes the acting user as `actor`; views and the API pass `request.user`. The
operator's own processes (the demo loader, management commands run without --user) pass the system
actor `xiaoneng.core.actors.SYSTEM`, which the permission functions allow and the events record as
no actor. `actor=None` raises (`actor_required`): a forgotten actor never skips a check.

draft ─declare→ declared ─review(approve)→ reviewed ─publish→ published ─(next version)→ superseded
  ↑                 └─review(return)→ returned ─update→ draft                └─retire→ retired
"""

from __future__ import annotations

__all__ = [
    "THEME_MAX",
    "departments_create_for_import",
    "fee_entry_create",
    "fee_entry_publish",
    "fee_entry_withdraw",
    "item_create",
    "item_disposal_set",
    "item_edit",
    "item_retire",
    "material_file_attach",
    "version_content_replace",
    "version_declare",
    "version_publish",
    "version_review",
    "version_update",
    "versions_publish",
    "write_children",
]

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.catalog.bulkinsert import insert_rows
from xiaoneng.catalog.choices import EDITABLE_STATUSES, FROZEN_STATUSES, Disposal, FeeEntryStatus, VersionStatus
from xiaoneng.catalog.models import (
    Fee,
    FeeCatalogEntry,
    Item,
    ItemVersion,
    LegalBasis,
    Material,
    ProcessDefinition,
    SpecialProcedure,
    Stage,
    Step,
    Theme,
)
from xiaoneng.catalog.permissions import (
    can_declare,
    can_edit,
    can_manage_fee_catalog,
    can_publish,
    can_register,
    can_review,
)
from xiaoneng.catalog.selectors import content_plain, fee_catalog_issues, version_content
from xiaoneng.catalog.validation import (
    CONTENT_FIELDS,
    Lookups,
    check_codes,
    check_content,
    issues_to_error,
    normalize,
    parse_implementing_code,
    region_codes12,
)
from xiaoneng.core.actors import actor_required
from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append, trail_batch
from xiaoneng.core.uploads import UPLOAD_SIGNATURES, upload_check
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, Region, User
from xiaoneng.workdays.services import clock_start, clock_stop

# CAT-6: a change to a published item is re-published within 20 working days (seed 001).
REPUBLISH_LIMIT = 20
REPUBLISH_KIND = "catalog.republish"

THEME_MAX = Theme._meta.get_field("name").max_length or 30

# Events of a batch publish go out this many at a time: one trail read matches every subject with
# an OR per subject, and SQLite refuses an expression deeper than 1,000.
TRAIL_BATCH = 400

# Blank forms and samples: the house's file types, checked by content (core.uploads), plus a zip
# of several forms; up to 20 MB (a scanned sample runs larger than an applicant's material).
MATERIAL_FILE_SIGNATURES = {**UPLOAD_SIGNATURES, ".zip": (b"PK",)}
MATERIAL_FILE_MAX_BYTES = 20 * 1024 * 1024


def _validated(
    raw: dict[str, Any], *, department: Department, lookups: Lookups | None, for_declare: bool = False
) -> dict[str, Any]:
    content, issues = normalize(raw)
    lookups = lookups or Lookups.load(department.tenant_id)
    issues += check_content(content, lookups=lookups, department=department, for_declare=for_declare)
    if issues:
        raise issues_to_error(issues)
    return content


def _scalars(content: dict[str, Any], lookups: Lookups) -> dict[str, Any]:
    values = {name: content[name] for name in CONTENT_FIELDS if name != "region"}
    values["region"] = lookups.regions[content["region"]]
    return values


def write_children(contents_by_version: Iterable[tuple[int, dict[str, Any]]]) -> None:
    """Create the lists of each (saved, editable) version, given as (version id, content): one
    multi-row INSERT per table, the new process and stage ids wired in memory (see bulkinsert).
    Material files are carried over from `content["materials"][i]["_files"]` when present."""
    pairs = list(contents_by_version)
    lists: dict[type[Any], list[dict[str, Any]]] = {LegalBasis: [], Material: [], Fee: [], SpecialProcedure: []}
    for version_id, content in pairs:
        for model, key in ((LegalBasis, "legal_bases"), (Fee, "fees"), (SpecialProcedure, "special_procedures")):
            lists[model] += [{"version_id": version_id, "order": i, **row} for i, row in enumerate(content[key])]
        for i, row in enumerate(content["materials"]):
            fields = {k: v for k, v in row.items() if k != "_files"}
            lists[Material].append({"version_id": version_id, "order": i, **fields, **(row.get("_files") or {})})
    for model, rows in lists.items():
        insert_rows(model, rows)
    process_ids = insert_rows(
        ProcessDefinition, [{"version_id": version_id} for version_id, _c in pairs], returning=True
    )
    stage_rows, stage_steps = [], []
    for process_id, (_v, content) in zip(process_ids, pairs, strict=True):
        for i, stage in enumerate(content["stages"]):
            stage_rows.append(
                {
                    "process_id": process_id,
                    "order": i,
                    "name": stage["name"],
                    "join_policy": stage["join_policy"],
                    "quorum": stage["quorum"],
                }
            )
            stage_steps.append(stage["steps"])
    stage_ids = insert_rows(Stage, stage_rows, returning=True)
    insert_rows(
        Step,
        [
            {
                "stage_id": stage_id,
                "order": j,
                "name": s["name"],
                "department_id": s["department"],
                "post_id": s["post"],
                "role": s["role"],
                "limit_days": s["limit_days"],
                "supervision_point": s["supervision_point"],
                "applicant_rights": s["applicant_rights"],
                "on_timeout": s["on_timeout"],
            }
            for stage_id, steps in zip(stage_ids, stage_steps, strict=True)
            for j, s in enumerate(steps)
        ],
    )


def _delete_children(version: ItemVersion) -> dict[str, dict[str, Any]]:
    """Remove a draft's lists; returns the material files by material name, to carry over."""
    files = {
        m.name: {"blank_form": m.blank_form.name, "sample": m.sample.name}
        for m in version.materials.all()
        if m.blank_form or m.sample
    }
    Step.objects.filter(stage__process__version=version).delete()
    Stage.objects.filter(process__version=version).delete()
    ProcessDefinition.objects.filter(version=version).delete()
    for model in (LegalBasis, Material, Fee, SpecialProcedure):
        model.objects.filter(version=version).delete()
    return files


def _set_themes(item: Item, names: Iterable[str]) -> None:
    wanted = sorted({n.strip() for n in names if n and n.strip()})
    too_long = [n for n in wanted if len(n) > THEME_MAX]
    if too_long:
        raise ValidationError(
            {"themes": [_("主题“%(name)s”超过 %(n)d 个字。") % {"name": too_long[0], "n": THEME_MAX}]}
        )
    existing = {t.name: t for t in Theme.objects.filter(name__in=wanted)}
    for name in wanted:
        if name not in existing:
            existing[name] = Theme.objects.create(name=name)
    item.themes.set([existing[n] for n in wanted])


def _lock(version: ItemVersion) -> ItemVersion:
    # of=("self",): lock the version row only, not the department and region rows joined in (and
    # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join).
    return (
        ItemVersion.objects.select_for_update(of=("self",))
        .select_related("item", "item__department__region")
        .get(pk=version.pk)
    )


def _event(
    item: Item,
    action: str,
    actor: Any,
    *,
    version: ItemVersion,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> None:
    payload = {"version": version.number, "status": version.status}
    event_append(
        subject=item,
        action=action,
        actor=actor,
        before=before,
        after={**payload, **(after or {})},
        reason=reason,
        tenant_id=item.tenant_id,
    )


@transaction.atomic
def item_create(
    *,
    actor: Any,
    department: Department,
    base_code: str,
    implementing_code: str,
    content: dict[str, Any],
    themes: Iterable[str] = (),
    lookups: Lookups | None = None,
) -> Item:
    """Register a new item with its first (draft) version."""
    actor_required(actor)
    probe = Item(department=department, tenant_id=department.tenant_id)
    if not can_edit(actor, probe):
        raise PermissionDenied(_("只能为本部门登记事项。"))
    base_code, implementing_code = (base_code or "").strip(), (implementing_code or "").strip()
    lookups = lookups or Lookups.load(department.tenant_id)
    issues = check_codes(
        department=department,
        base_code=base_code,
        implementing_code=implementing_code,
        regions12=region_codes12(lookups),
    )
    normalized, type_issues = normalize(content)
    issues += type_issues + check_content(normalized, lookups=lookups, department=department)
    if issues:
        raise issues_to_error(issues)
    parts, _problems = parse_implementing_code(implementing_code)
    item = Item.objects.create(
        tenant_id=department.tenant_id,
        department=department,
        base_code=base_code,
        implementing_code=implementing_code,  # kept exactly as given
        credit_code=parts.credit_code if parts else "",
    )
    version = ItemVersion.objects.create(
        tenant_id=item.tenant_id, item=item, number=1, status=VersionStatus.DRAFT, **_scalars(normalized, lookups)
    )
    write_children([(version.pk, normalized)])
    item.head = version
    item.save(update_fields=["head", "updated_at"])
    _set_themes(item, themes)
    _event(item, "catalog.item_create", actor, version=version, after={"content": content_plain(normalized)})
    return item


@transaction.atomic
def item_edit(*, actor: Any, item: Item) -> ItemVersion:
    """The version to edit: the open draft if there is one, else a new draft copied from the newest
    version. A new draft of a published item starts the 20-working-day re-publication clock (CAT-6)."""
    actor_required(actor)
    item = Item.objects.select_for_update(of=("self",)).select_related("department__region", "head").get(pk=item.pk)
    if not can_edit(actor, item):
        raise PermissionDenied(_("只能修改本部门的事项。"))
    head = item.head
    if head is None:
        raise ValidationError(_("该事项没有任何版本。"))
    if head.status in EDITABLE_STATUSES:
        return head
    if head.status in (VersionStatus.DECLARED, VersionStatus.REVIEWED):
        raise ValidationError(_("该事项已申报，正在审核中；审核退回后才能修改。"))
    if head.status == VersionStatus.RETIRED:
        raise ValidationError(_("该事项已废止，不能修改。"))
    content = version_content(head)
    lookups = Lookups.load(item.tenant_id)
    files = {
        m.name: {"blank_form": m.blank_form.name, "sample": m.sample.name}
        for m in head.materials.all()
        if m.blank_form or m.sample
    }
    for row in content["materials"]:
        if row["name"] in files:
            row["_files"] = files[row["name"]]
    draft = ItemVersion.objects.create(
        tenant_id=item.tenant_id,
        item=item,
        number=head.number + 1,
        status=VersionStatus.DRAFT,
        result_sample=head.result_sample.name,
        **_scalars(content, lookups),
    )
    write_children([(draft.pk, content)])
    if item.published_id is not None:
        clock = clock_start(
            owner=draft,
            kind=REPUBLISH_KIND,
            label=_("事项变更重新公布：%(name)s") % {"name": draft.name},
            limit=REPUBLISH_LIMIT,
            department=item.department,
            legal_basis=_("事项变更后 20 个工作日内重新公布"),  # CAT-6
            actor=actor,
        )
        draft.republish_clock = clock
        draft.save(update_fields=["republish_clock", "updated_at"])
    item.head = draft
    item.save(update_fields=["head", "updated_at"])
    _event(item, "catalog.version_create", actor, version=draft, after={"from_version": head.number})
    return draft


@transaction.atomic
def version_update(
    *,
    actor: Any,
    version: ItemVersion,
    content: dict[str, Any],
    themes: Iterable[str] | None = None,
    lookups: Lookups | None = None,
) -> ItemVersion:
    """Replace a draft's content. A returned version becomes a draft again."""
    actor_required(actor)
    version = _lock(version)
    item = version.item
    if not can_edit(actor, item):
        raise PermissionDenied(_("只能修改本部门的事项。"))
    if version.status not in EDITABLE_STATUSES:
        raise ValidationError(_("只有草稿或被退回的版本可以修改；已公布的版本不能修改，请新建草稿。"))
    lookups = lookups or Lookups.load(item.tenant_id)
    normalized = _validated(content, department=item.department, lookups=lookups)
    before = version_content(version)
    old_status = version.status
    version_content_replace(version=version, content=normalized, lookups=lookups)
    if themes is not None:
        _set_themes(item, themes)
    after = content_plain({k: v for k, v in normalized.items()})
    for row in after["materials"]:
        row.pop("_files", None)
    _event(
        item,
        "catalog.version_update",
        actor,
        version=version,
        before={"status": old_status, "content": before},
        after={"content": after},
    )
    return version


def version_content_replace(*, version: ItemVersion, content: dict[str, Any], lookups: Lookups) -> ItemVersion:
    """The write step of `version_update`, shared with the import (spreadsheet.write), so that a
    draft's content is replaced one way only: its lists are deleted and written again (material
    files carried over by material name), its fields set, and it is a draft again.

    Not an action: it checks nothing and records no event. `content` is normalized and checked,
    the version editable, and the caller — an action, or the import for a department it checked
    the actor may edit — has checked permission and records the event."""
    files = _delete_children(version)
    for row in content["materials"]:
        if row["name"] in files:
            row["_files"] = files[row["name"]]
    for name, value in _scalars(content, lookups).items():
        setattr(version, name, value)
    version.status = VersionStatus.DRAFT
    version.save()
    write_children([(version.pk, content)])
    return version


@transaction.atomic
def material_file_attach(*, actor: Any, material: Material, field: str, upload: UploadedFile[Any]) -> Material:
    """Attach a blank form or a filled sample to a draft's material."""
    actor_required(actor)
    material = Material.objects.select_related("version__item__department").get(pk=material.pk)
    version = material.version
    if not can_edit(actor, version.item):
        raise PermissionDenied(_("只能修改本部门的事项。"))
    if version.status not in EDITABLE_STATUSES:
        raise ValidationError(_("只有草稿或被退回的版本可以修改。"))
    if field not in ("blank_form", "sample"):
        raise ValidationError(_("文件类别无效。"))
    upload_check(upload, signatures=MATERIAL_FILE_SIGNATURES, max_bytes=MATERIAL_FILE_MAX_BYTES)
    getattr(material, field).save(upload.name, upload, save=False)
    material.save(update_fields=[field, "updated_at"])
    _event(
        version.item, "catalog.material_file", actor, version=version, after={"material": material.name, "field": field}
    )
    return material


def _legal_reviewers(item: Item) -> list[User]:
    path = item.department.region.path
    candidates = User.objects.filter(role=Role.LEGAL, is_active=True).select_related("region")
    return [
        u
        for u in candidates
        if u.region is not None and (path == u.region.path or path.startswith(u.region.path + "/"))
    ]


@transaction.atomic
def version_declare(*, actor: Any, version: ItemVersion) -> ItemVersion:
    """CAT-6: the department declares (申报) a complete draft to the legal office."""
    actor_required(actor)
    version = _lock(version)
    item = version.item
    if not can_declare(actor, item):
        raise PermissionDenied(_("只有本部门负责人或审核人员可以申报事项。"))
    if version.status not in EDITABLE_STATUSES:
        raise ValidationError(_("只有草稿或被退回的版本可以申报。"))
    _validated(version_content(version), department=item.department, lookups=None, for_declare=True)
    fee_issues = fee_catalog_issues(version)  # CAT-FEE-1
    if fee_issues:
        raise ValidationError({"fees": fee_issues})
    before = version.status
    version.status = VersionStatus.DECLARED
    version.save(update_fields=["status", "updated_at"])
    _event(item, "catalog.version_declare", actor, version=version, before={"status": before})
    notify(
        recipients=_legal_reviewers(item),
        title=_("事项待审核：%(name)s") % {"name": version.name},
        body=_("%(dept)s 申报了事项目录变更，请审核。") % {"dept": item.department.name},
        url=f"/workbench/catalog/review/{version.pk}/",
        channels=("inbox",),
    )
    return version


@transaction.atomic
def version_review(*, actor: Any, version: ItemVersion, approve: bool, comment: str = "") -> ItemVersion:
    """CAT-6: the legal office approves with comments, or returns with reasons."""
    actor_required(actor)
    version = _lock(version)
    item = version.item
    if not can_review(actor, item):
        raise PermissionDenied(_("只有本辖区的法制审核机构可以审核事项。"))
    if version.status != VersionStatus.DECLARED:
        raise ValidationError(_("只有已申报的版本可以审核。"))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": [_("退回时必须写明理由。")]})
    if approve:  # CAT-FEE-1: the fee catalog may have changed since the declaration
        fee_issues = fee_catalog_issues(version)
        if fee_issues:
            raise ValidationError({"fees": fee_issues})
    version.status = VersionStatus.REVIEWED if approve else VersionStatus.RETURNED
    version.review_comment = comment
    version.save(update_fields=["status", "review_comment", "updated_at"])
    _event(
        item,
        "catalog.version_review",
        actor,
        version=version,
        before={"status": VersionStatus.DECLARED},
        after={"approved": approve},
        reason=comment,
    )
    if not approve:
        notify(
            recipients=User.objects.filter(
                department=item.department, role__in=[Role.DEPT_HEAD, Role.REVIEWER], is_active=True
            ),
            title=_("事项被退回：%(name)s") % {"name": version.name},
            body=comment,
            url=f"/workbench/catalog/items/{item.pk}/",
            channels=("inbox",),
        )
    return version


@transaction.atomic
def version_publish(*, actor: Any, version: ItemVersion) -> ItemVersion:
    """Publish a reviewed version: it becomes the item's version in force and never changes again.
    The previous published version is superseded; the re-publication clock stops (CAT-6)."""
    return versions_publish(actor=actor, versions=[version])[0]


@transaction.atomic
def versions_publish(
    *, actor: Any, versions: Sequence[ItemVersion], registration: bool = False, reason: str = ""
) -> list[ItemVersion]:
    """THE publish action, for one version (version_publish, the pages and the API) or a batch of
    them (the import): each becomes its item's version in force, the previous one is superseded,
    a running re-publication clock stops (CAT-6), and each gets its catalog.version_publish event.

    `registration=True` is the administrator's bulk registration of a catalog approved outside the
    system (import --publish): the version need not have been reviewed here, only not be frozen,
    and only the system administrator (or the system actor) may do it. A batch costs a
    fixed number of queries plus one per running clock; its events go out in one trail batch
    (keep batches to about a thousand versions: one INSERT carries all their events)."""
    actor_required(actor)
    ids = sorted({v.pk for v in versions})
    # Lock order as in the single-version path: the versions, then their items, each by pk.
    # Only the columns publishing reads: a batch of a thousand full versions is mostly text.
    locked = {
        v.pk: v
        for v in ItemVersion.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .only("pk", "tenant_id", "item_id", "number", "status", "republish_clock_id")
        .order_by("pk")
    }
    item_ids = sorted({v.item_id for v in locked.values()})
    items = {
        i.pk: i
        for i in Item.objects.select_for_update(of=("self",))
        .select_related("department__region", "published")
        .only(
            "pk",
            "tenant_id",
            "department__id",
            "department__tenant_id",
            "department__region__path",
            "published__number",
        )
        .filter(pk__in=item_ids)
        .order_by("pk")
    }
    if len(item_ids) != len(ids):
        raise ValidationError(_("同一事项一次只能公布一个版本。"))
    if registration and not can_register(actor):
        raise PermissionDenied(_("只有系统管理员可以在导入时直接公布事项。"))
    for version in locked.values():
        item = items[version.item_id]
        if not can_publish(actor, item):
            raise PermissionDenied(_("只有法制审核机构或系统管理员可以公布事项。"))
        if registration:
            if version.status in FROZEN_STATUSES:
                raise ValidationError(_("已公布、已被替代或已废止的版本不能再公布。"))
        elif version.status != VersionStatus.REVIEWED:
            raise ValidationError(_("只有审核通过的版本可以公布。"))
    now = timezone.now()
    published_by = actor if getattr(actor, "is_authenticated", False) else None
    superseded = [i.published_id for i in items.values() if i.published_id is not None and i.published_id not in locked]
    if superseded:
        ItemVersion.objects.filter(pk__in=superseded).update(status=VersionStatus.SUPERSEDED, updated_at=now)
    ItemVersion.objects.filter(pk__in=ids).update(
        status=VersionStatus.PUBLISHED,
        published_at=now,
        published_by=published_by,
        updated_at=now,
    )
    Item.objects.filter(pk__in=item_ids).update(
        published_id=Subquery(ItemVersion.objects.filter(item_id=OuterRef("pk"), pk__in=ids).values("pk")[:1]),
        updated_at=now,
    )
    out = []
    for start in range(0, len(ids), TRAIL_BATCH):
        with trail_batch():
            for version in (locked[pk] for pk in ids[start : start + TRAIL_BATCH]):
                item = items[version.item_id]
                previous = item.published
                version.status = VersionStatus.PUBLISHED
                version.published_at = now
                version.published_by = published_by
                if version.republish_clock_id is not None:
                    clock_stop(clock=version.republish_clock_id, actor=actor)
                item.published = version
                _event(
                    item,
                    "catalog.version_publish",
                    actor,
                    version=version,
                    before={"published_version": previous.number if previous else None},
                    reason=reason,
                )
                out.append(version)
    by_pk = {v.pk: v for v in out}
    return [by_pk[v.pk] for v in versions]


@transaction.atomic
def item_retire(*, actor: Any, item: Item, reason: str) -> Item:
    """Take an item out of the catalog (废止): its version in force is retired."""
    actor_required(actor)
    item = (
        Item.objects.select_for_update(of=("self",)).select_related("department__region", "published").get(pk=item.pk)
    )
    if not can_publish(actor, item):
        raise PermissionDenied(_("只有法制审核机构或系统管理员可以废止事项。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("废止事项必须说明理由。")]})
    version = item.published
    if version is None:
        raise ValidationError(_("该事项没有现行公布版本，无需废止。"))
    version.status = VersionStatus.RETIRED
    version.retired_at = timezone.now()
    version.save(update_fields=["status", "retired_at", "updated_at"])
    item.published = None
    item.save(update_fields=["published", "updated_at"])
    _event(item, "catalog.item_retire", actor, version=version, reason=reason.strip())
    return item


@transaction.atomic
def departments_create_for_import(
    *, actor: Any, tenant_id: int, departments: Sequence[dict[str, str]]
) -> list[Department]:
    """Create the departments an import file names but the jurisdiction lacks, as the import report
    listed them (name, region code, unified social credit code) and the administrator confirmed:
    nothing is created silently, and only the system administrator (or the system actor)
    may do it. All or nothing; each department gets an orgs.department_create event."""
    actor_required(actor)
    if not can_register(actor, tenant_id):
        raise PermissionDenied(_("只有系统管理员可以按导入文件创建部门。"))
    if not departments:
        raise ValidationError(_("没有需要创建的部门。"))
    if len(departments) > 200:
        raise ValidationError(_("一次最多创建 200 个部门。"))
    regions = {r.code: r for r in Region.objects.filter(tenant_id=tenant_id)}
    errors: list[str] = []
    made: list[Department] = []
    seen_names: set[tuple[str, str]] = set()
    seen_codes: set[str] = set()
    for row in departments:
        name = str(row.get("name") or "").strip()
        region_code = str(row.get("region") or "").strip()
        credit_code = str(row.get("credit_code") or "").strip()
        region = regions.get(region_code)
        label = name or "—"
        if region is None:
            errors.append(_("部门“%(name)s”：区划代码“%(code)s”不在本辖区内。") % {"name": label, "code": region_code})
            continue
        if (name, region_code) in seen_names or credit_code in seen_codes:
            errors.append(_("部门“%(name)s”重复列出。") % {"name": label})
            continue
        seen_names.add((name, region_code))
        seen_codes.add(credit_code)
        department = Department(tenant_id=tenant_id, region=region, name=name, credit_code=credit_code)
        try:
            department.full_clean()
        except ValidationError as e:
            errors += [_("部门“%(name)s”：%(msg)s") % {"name": label, "msg": m} for m in e.messages]
            continue
        made.append(department)
    if errors:
        raise ValidationError(errors)
    for department in made:
        department.save()
        event_append(
            subject=department,
            action="orgs.department_create",
            actor=actor,
            after={"name": department.name, "region": department.region.code, "credit_code": department.credit_code},
            reason=_("按事项导入文件创建"),
            tenant_id=tenant_id,
        )
    return made


# ── The fee catalog (收费目录, CAT-FEE-1) ─────────────────────────────────────────────────────────


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("金额格式不正确。")]}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise ValidationError({field: [_("金额格式不正确。")]})
    return amount


def _fee_entry_event(entry: FeeCatalogEntry, action: str, actor: Any, *, before: Any = None, reason: str = "") -> None:
    event_append(
        subject=entry,
        action=action,
        actor=actor,
        before=before,
        after={
            "status": entry.status,
            "name": entry.name,
            "lower": str(entry.lower),
            "upper": str(entry.upper),
            "valid_from": entry.valid_from.isoformat(),
            "valid_to": entry.valid_to.isoformat() if entry.valid_to else None,
        },
        reason=reason,
        tenant_id=entry.tenant_id,
    )


@transaction.atomic
def fee_entry_create(
    *,
    actor: Any,
    tenant_id: int,
    name: str,
    legal_basis: str,
    approving_document: str,
    lower: Any,
    upper: Any,
    valid_from: date,
    valid_to: date | None = None,
    code: str = "",
    collector: str = "",
    standard: str = "",
) -> FeeCatalogEntry:
    """Draft an entry of the jurisdiction's fee catalog (收费目录); `fee_entry_publish` makes it
    count (CAT-FEE-1). Only the jurisdiction's administrator."""
    actor_required(actor)
    if not can_manage_fee_catalog(actor, tenant_id):
        raise PermissionDenied(_("只有本辖区的系统管理员可以维护收费目录。"))
    entry = FeeCatalogEntry(
        tenant_id=tenant_id,
        code=(code or "").strip(),
        name=(name or "").strip(),
        collector=(collector or "").strip(),
        legal_basis=(legal_basis or "").strip(),
        standard=(standard or "").strip(),
        approving_document=(approving_document or "").strip(),
        lower=_money(lower, "lower"),
        upper=_money(upper, "upper"),
        valid_from=valid_from,
        valid_to=valid_to,
        status=FeeEntryStatus.DRAFT,
    )
    entry.full_clean()
    entry.save()
    _fee_entry_event(entry, "catalog.fee_entry_create", actor)
    return entry


def _lock_entry(entry: FeeCatalogEntry) -> FeeCatalogEntry:
    return FeeCatalogEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)


@transaction.atomic
def fee_entry_publish(*, actor: Any, entry: FeeCatalogEntry) -> FeeCatalogEntry:
    """Publish a draft entry: it is on the public fee catalog page and covers items' fees."""
    actor_required(actor)
    entry = _lock_entry(entry)
    if not can_manage_fee_catalog(actor, entry.tenant_id):
        raise PermissionDenied(_("只有本辖区的系统管理员可以维护收费目录。"))
    if entry.status != FeeEntryStatus.DRAFT:
        raise ValidationError(_("只有草稿状态的收费目录项目可以公布。"))
    entry.status = FeeEntryStatus.PUBLISHED
    entry.published_at = timezone.now()
    entry.save(update_fields=["status", "published_at", "updated_at"])
    _fee_entry_event(entry, "catalog.fee_entry_publish", actor, before={"status": FeeEntryStatus.DRAFT})
    return entry


@transaction.atomic
def fee_entry_withdraw(*, actor: Any, entry: FeeCatalogEntry, reason: str) -> FeeCatalogEntry:
    """Withdraw (撤销) a published entry, with the reason: fees it covered are flagged (CAT-FEE-3)."""
    actor_required(actor)
    entry = _lock_entry(entry)
    if not can_manage_fee_catalog(actor, entry.tenant_id):
        raise PermissionDenied(_("只有本辖区的系统管理员可以维护收费目录。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("撤销收费目录项目必须说明理由。")]})
    if entry.status != FeeEntryStatus.PUBLISHED:
        raise ValidationError(_("只有已公布的收费目录项目可以撤销。"))
    entry.status = FeeEntryStatus.WITHDRAWN
    entry.withdrawn_at = timezone.now()
    entry.withdraw_reason = reason
    entry.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "updated_at"])
    _fee_entry_event(
        entry, "catalog.fee_entry_withdraw", actor, before={"status": FeeEntryStatus.PUBLISHED}, reason=reason
    )
    return entry


# ── Cancelled, delegated and entrusted items (CAT-DIS-1) ─────────────────────────────────────────


@transaction.atomic
def item_disposal_set(
    *,
    actor: Any,
    item: Item,
    disposal: str,
    document: str = "",
    effective: date | None = None,
    region: Region | None = None,
    body: str = "",
    target: Item | None = None,
    note: str = "",
) -> Item:
    """CAT-DIS-1: record that an item is cancelled (取消), delegated to a lower level (下放, to which
    region, and the lower level's item if it is registered) or entrusted to another body (委托,
    行政许可法 第二十四条), with the deciding document and its effective date; or, with `disposal`
    blank and a note, that it is exercised here again. From the effective date no case is opened on
    it (CAT-DIS-2, cases.actions.intake.published_version). The legal office in scope or the
    administrator, as for retiring an item."""
    actor_required(actor)
    item = Item.objects.select_for_update(of=("self",)).select_related("department__region").get(pk=item.pk)
    if not can_publish(actor, item):
        raise PermissionDenied(_("只有法制审核机构或系统管理员可以变更事项的实施状态。"))
    if disposal not in Disposal.values:
        raise ValidationError({"disposal": [_("实施状态无效。")]})
    document, body, note = (document or "").strip(), (body or "").strip(), (note or "").strip()
    errors: dict[str, list[str]] = {}
    if disposal:
        if not document:
            errors["document"] = [_("请填写决定文件。")]
        if effective is None:
            errors["effective"] = [_("请填写生效日期。")]
    elif not note:
        errors["note"] = [_("恢复实施须说明理由。")]
    if disposal == Disposal.DELEGATED:
        home = item.department.region.path
        if region is None:
            errors["region"] = [_("下放事项须注明下放至哪个区划。")]
        elif not region.path.startswith(home + "/"):
            errors["region"] = [_("只能下放至本级以下的区划。")]
    if disposal == Disposal.ENTRUSTED and not body:
        errors["body"] = [_("委托事项须注明受委托的机关或组织。")]
    if target is not None:
        if disposal not in (Disposal.DELEGATED, Disposal.ENTRUSTED):
            errors["target"] = [_("只有下放或委托的事项可以指向承接事项。")]
        elif target.pk == item.pk or target.tenant_id != item.tenant_id:
            errors["target"] = [_("承接事项无效。")]
        elif region is not None and disposal == Disposal.DELEGATED:
            target_path = Region.objects.filter(pk=target.department.region_id).values_list("path", flat=True).first()
            if target_path is None or not (target_path == region.path or target_path.startswith(region.path + "/")):
                errors["target"] = [_("承接事项须属于下放至的区划。")]
    if errors:
        raise ValidationError(errors)
    before = {
        "disposal": item.disposal,
        "document": item.disposal_document,
        "date": item.disposal_date.isoformat() if item.disposal_date else None,
    }
    item.disposal = disposal
    item.disposal_document = document if disposal else ""
    item.disposal_date = effective if disposal else None
    item.disposal_region = region if disposal == Disposal.DELEGATED else None
    item.disposal_body = body if disposal in (Disposal.DELEGATED, Disposal.ENTRUSTED) else ""
    item.disposal_item = target if disposal in (Disposal.DELEGATED, Disposal.ENTRUSTED) else None
    item.disposal_note = note
    item.save(
        update_fields=[
            "disposal",
            "disposal_document",
            "disposal_date",
            "disposal_region",
            "disposal_body",
            "disposal_item",
            "disposal_note",
            "updated_at",
        ]
    )
    event_append(
        subject=item,
        action="catalog.item_disposal",
        actor=actor,
        before=before,
        after={
            "disposal": disposal,
            "document": item.disposal_document,
            "date": item.disposal_date.isoformat() if item.disposal_date else None,
            "region": item.disposal_region.code if item.disposal_region is not None else None,
            "body": item.disposal_body,
            "target": target.implementing_code if item.disposal_item is not None and target is not None else None,
        },
        reason=note,
        tenant_id=item.tenant_id,
    )
    return item
