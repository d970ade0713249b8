"""The power and service catalog (权力清单/事项目录): items, versions, the review → publish lifecycle,
import/export, and (issue 13) the jurisdiction's fee catalog (收费目录) and cancelled, delegated or
entrusted items.

Rules added here (docs/catalog-import.md):

- CAT-FEE-1: once a jurisdiction has published its fee catalog, an item's fee must match an entry in
  force (same name, range within the entry's) or the version is refused at declaration and approval.
- CAT-FEE-2: a jurisdiction that never published an entry is flagged on the review page, not refused.
- CAT-FEE-3: a published fee that falls out of the catalog is flagged for a new version and not charged.
- CAT-DIS-1: 取消 / 下放 / 委托 is recorded on the item with its document and effective date, through one
  action (services.item_disposal_set) on the Event trail.
- CAT-DIS-2: from the effective date the item takes no case by any channel; the applicant is told the
  reason and, for a delegated or entrusted item, where to apply now.
"""
