"""Import: write a checked file's items to the database.

New items are written in bulk, CHUNK at a time (one INSERT per table, ids wired in memory); an
existing item whose content and themes are unchanged is left alone, otherwise its draft is
rewritten or a new draft started. With `publish` the versions go through the one publish action,
`services.versions_publish`, a chunk at a time.
"""

from __future__ import annotations

__all__ = ["CHUNK", "ImportReport", "existing_items", "write_catalog"]

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from xiaoneng.catalog.bulkinsert import insert_rows
from xiaoneng.catalog.choices import EDITABLE_STATUSES, FROZEN_STATUSES, VersionStatus
from xiaoneng.catalog.models import Item, ItemVersion, Theme
from xiaoneng.catalog.selectors import content_plain, version_contents
from xiaoneng.catalog.services import item_edit, version_content_replace, versions_publish, write_children
from xiaoneng.catalog.spreadsheet.columns import PendingItem
from xiaoneng.catalog.validation import CONTENT_FIELDS, Lookups, parse_implementing_code
from xiaoneng.core.trail import event_append, events_append_new_subjects
from xiaoneng.orgs.models import Department


@dataclass
class ImportReport:
    """What an import did: items created, updated (a draft rewritten or a new draft), left unchanged,
    versions published, and the implementing codes written."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    codes: list[str] = field(default_factory=list)


# New items are written CHUNK at a time: one bulk INSERT per table per chunk, then a progress report.
CHUNK = 1000


def existing_items(tenant_id: int, codes: list[str]) -> dict[str, Item]:
    """The jurisdiction's items with these implementing codes (one query per CHUNK codes)."""
    found: dict[str, Item] = {}
    for start in range(0, len(codes), CHUNK):
        for item in Item.objects.filter(
            tenant_id=tenant_id, implementing_code__in=codes[start : start + CHUNK]
        ).select_related("head__region", "department"):
            found[item.implementing_code] = item
    return found


@transaction.atomic
def write_catalog(
    pending: list[PendingItem],
    existing: dict[str, Item],
    *,
    actor: Any,
    publish: bool,
    lookups: Lookups,
    progress: Callable[[int, int], None] | None,
) -> ImportReport:
    """Write the checked items (`read.catalog_import` found no problem) in one transaction: new
    items CHUNK at a time, then the existing ones compared and, where changed, rewritten."""
    report = ImportReport()
    new = [p for p in pending if p.code not in existing]
    total = len(pending)
    for start in range(0, len(new), CHUNK):
        _create(new[start : start + CHUNK], actor=actor, publish=publish, lookups=lookups, report=report)
        if progress:
            progress(report.created, total)
    # existing items: compare, then update the draft or start a new version
    done = len(new)
    old = [p for p in pending if p.code in existing]
    for start in range(0, len(old), CHUNK):
        part = old[start : start + CHUNK]
        items = [existing[p.code] for p in part]
        # the newest versions' content in five queries, not seven per item
        contents = version_contents([item.head for item in items if item.head is not None])
        themes = _theme_names([item.pk for item in items])
        to_publish = []
        for p, item in zip(part, items, strict=True):
            done += 1
            version = _update(
                p, item, contents, themes[item.pk], actor=actor, publish=publish, lookups=lookups, report=report
            )
            if version is not None:
                to_publish.append(version)
            if progress and done % 500 == 0:
                progress(done, total)
        _publish(to_publish, actor=actor, report=report)
    if progress:
        progress(total, total)
    return report


def _create(part: list[PendingItem], *, actor: Any, publish: bool, lookups: Lookups, report: ImportReport) -> None:
    """New items with their first version: a bulk INSERT per table, ids wired in memory (bulk_create
    returns primary keys on PostgreSQL and SQLite ≥ 3.35), one import event per item."""
    status = VersionStatus.DRAFT
    departments = [_department(p) for p in part]
    item_ids = insert_rows(
        Item,
        [
            {
                "tenant_id": dept.tenant_id,
                "department_id": dept.pk,
                "base_code": p.base_code,
                "implementing_code": p.code,  # kept exactly as in the file
                "credit_code": _credit_code(p.code),
            }
            for p, dept in zip(part, departments, strict=True)
        ],
        returning=True,
    )
    # the subjects of the import events and theme links: only their ids and tenant are needed
    items = [Item(pk=pk, tenant_id=dept.tenant_id) for pk, dept in zip(item_ids, departments, strict=True)]
    version_ids = insert_rows(
        ItemVersion,
        [
            {
                "tenant_id": item.tenant_id,
                "item_id": item.pk,
                "number": 1,
                "status": status,
                **_scalar_columns(p.content or {}, lookups),
            }
            for item, p in zip(items, part, strict=True)
        ],
        returning=True,
    )
    write_children([(pk, p.content or {}) for pk, p in zip(version_ids, part, strict=True)])
    # Item.head points at the version just made: one UPDATE, not a CASE per row.
    first = ItemVersion.objects.filter(item_id=OuterRef("pk"), number=1).values("pk")[:1]
    Item.objects.filter(pk__in=[item.pk for item in items]).update(head_id=Subquery(first))
    _bulk_themes(list(zip(items, [p.themes for p in part], strict=True)))
    events_append_new_subjects(
        subjects=items,
        action="catalog.item_import",
        actor=actor,
        afters=[{"version": 1, "status": status.value, "file_row": p.row} for p in part],
    )
    report.created += len(items)
    report.codes += [p.code for p in part]
    if publish:
        _publish([ItemVersion(pk=pk) for pk in version_ids], actor=actor, report=report)


def _department(p: PendingItem) -> Department:
    if p.department is None:  # rows without a department never get past validation
        raise RuntimeError("invariant: p.department is not None")
    return p.department


def _credit_code(code: str) -> str:
    parts, _problems = parse_implementing_code(code)
    return parts.credit_code if parts else ""


def _publish(versions: list[ItemVersion], *, actor: Any, report: ImportReport) -> None:
    """Bulk registration (--publish): the one publish action, for the whole chunk at once, with the
    importing user (or the system actor) as its actor; one catalog.version_publish event each."""
    if versions:
        versions_publish(actor=actor, versions=versions, registration=True, reason=_("批量登记导入"))
        report.published += len(versions)


def _scalar_columns(content: dict[str, Any], lookups: Lookups) -> dict[str, Any]:
    values = {name: content[name] for name in CONTENT_FIELDS if name != "region"}
    values["region_id"] = lookups.regions[content["region"]].pk
    return values


def _update(
    p: PendingItem,
    item: Item,
    contents: dict[int, dict[str, Any]],
    theme_names: list[str],
    *,
    actor: Any,
    publish: bool,
    lookups: Lookups,
    report: ImportReport,
) -> ItemVersion | None:
    """An item already in the catalog: unchanged (nothing written), or its draft updated / a new
    draft. Returns the version to publish (with `publish`), which the caller publishes in a batch."""
    head = item.head
    if head is None:
        raise RuntimeError("invariant: head is not None")
    if p.content is None:
        raise RuntimeError("invariant: p.content is not None")
    same_content = contents[head.pk] == content_plain(p.content)
    same_themes = sorted(theme_names) == sorted(set(p.themes))
    if same_content and same_themes and (not publish or head.status in FROZEN_STATUSES):
        report.unchanged += 1
        return None
    if not same_content:
        version = head if head.status in EDITABLE_STATUSES else item_edit(actor=actor, item=item)
        version = ItemVersion.objects.get(pk=version.pk)
        version_content_replace(version=version, content=p.content, lookups=lookups)
    else:
        version = head
    if not same_themes:
        _bulk_themes([(item, p.themes)], replace=True)
    event_append(
        subject=item,
        action="catalog.item_import",
        actor=actor,
        after={"version": version.number, "status": version.status, "file_row": p.row},
        tenant_id=item.tenant_id,
    )
    report.updated += 1
    report.codes.append(p.code)
    return version if publish and version.status not in FROZEN_STATUSES else None


def _bulk_themes(pairs: list[tuple[Item, list[str]]], replace: bool = False) -> None:
    names = sorted({n for _item, themes in pairs for n in themes})
    known = dict(Theme.objects.filter(name__in=names).values_list("name", "pk"))
    missing = [n for n in names if n not in known]
    if missing:
        insert_rows(Theme, [{"name": n} for n in missing])
        known = dict(Theme.objects.filter(name__in=names).values_list("name", "pk"))
    through = Item.themes.through
    if replace:
        through.objects.filter(item_id__in=[i.pk for i, _t in pairs]).delete()
    insert_rows(
        through, [{"item_id": item.pk, "theme_id": known[n]} for item, themes in pairs for n in sorted(set(themes))]
    )


def _theme_names(item_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {pk: [] for pk in item_ids}
    for item_id, name in Item.themes.through.objects.filter(item_id__in=item_ids).values_list("item_id", "theme__name"):
        names[item_id].append(name)
    return names
