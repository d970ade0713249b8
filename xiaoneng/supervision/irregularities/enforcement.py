"""SUP-2.9 over the enforcement acts a batch of events touched: an enterprise inspection, a
first-violation notice or a penalty decision carried out without a valid prior filing (INS-7).

Supervision sits above inspections and reads it through its public selector
(`inspections.selectors.unfiled_enforcement_acts`); inspections knows nothing of supervision.
"""

from __future__ import annotations

__all__ = ["ENFORCEMENT_MODELS", "enforcement_flags"]

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.contrib.contenttypes.models import ContentType

from xiaoneng.inspections.models import FirstViolationNotice, Inspection, PenaltyDecision
from xiaoneng.inspections.selectors import unfiled_enforcement_acts
from xiaoneng.supervision.choices import IrregularityRule
from xiaoneng.supervision.irregularities.rules import RULES
from xiaoneng.supervision.models import Irregularity

# the models whose events the rule reads, by the keyword of the selector that takes their ids
ENFORCEMENT_MODELS = {
    "inspection_ids": Inspection,
    "notice_ids": FirstViolationNotice,
    "penalty_ids": PenaltyDecision,
}


def enforcement_flags(touched: Mapping[int, Iterable[int]], at: datetime) -> list[Irregularity]:
    """Unsaved SUP-2.9 flags for the acts in `touched` (content type id -> object ids)."""
    spec = RULES[IrregularityRule.UNFILED_INSPECTION.value]
    cts = {kw: ContentType.objects.get_for_model(model) for kw, model in ENFORCEMENT_MODELS.items()}
    ids = {kw: sorted(set(touched.get(ct.pk, ()))) for kw, ct in cts.items()}
    if not any(ids.values()):
        return []
    by_label = {f"{ct.app_label}.{ct.model}": ct for ct in cts.values()}
    return [
        Irregularity(
            tenant_id=act.tenant_id,
            rule=spec.id,
            severity=spec.severity,
            subject_type=by_label[act.model],
            subject_id=str(act.pk),
            key="",
            subject_label=act.label,
            department_id=act.department_id,
            region_id=act.region_id,
            detected_at=at,
            detail=act.detail,
        )
        for act in unfiled_enforcement_acts(**ids)
    ]
