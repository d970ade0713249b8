"""What inspections' clocks are about, for supervision's alerts and late lists (core.links registry).

Installed by `InspectionsConfig.ready()` on import: a filing's approval clock (涉企检查备案) and a
first-violation notice's rectification deadline (首违告诫) name their filing or notice and link to
the staff pages for those who may open them.
"""

from __future__ import annotations

__all__ = ["describe_filing", "describe_inspection", "describe_notice", "describe_penalty"]

from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaoneng.core.links import Subject, clock_group_set, subject_describer_set, subject_link
from xiaoneng.inspections.models import FirstViolationNotice, Inspection, InspectionFiling, PenaltyDecision
from xiaoneng.inspections.permissions import (
    access_filing_by_id,
    access_inspection_by_id,
    access_notice_by_id,
    access_penalty_by_id,
    is_staff_user,
)


def _staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and is_staff_user(user))


def describe_filing(user: Any, filing: InspectionFiling) -> Subject:
    return {
        "kind": str(InspectionFiling._meta.verbose_name),
        "label": f"{filing.number} {filing.enterprise_name}",
        "url": subject_link(user, access_filing_by_id, filing.pk, "inspections:filing", allowed=_staff(user)),
    }


def describe_notice(user: Any, notice: FirstViolationNotice) -> Subject:
    return {
        "kind": str(FirstViolationNotice._meta.verbose_name),
        "label": f"{notice.number} {notice.enterprise_name}",
        "url": subject_link(user, access_notice_by_id, notice.pk, "inspections:notice", allowed=_staff(user)),
    }


def describe_inspection(user: Any, inspection: Inspection) -> Subject:
    """An inspection record (supervision's SUP-2.9 flags name it)."""
    return {
        "kind": str(Inspection._meta.verbose_name),
        "label": f"{inspection.get_kind_display()} {inspection.enterprise_name} {inspection.inspected_on}".strip(),
        "url": subject_link(
            user, access_inspection_by_id, inspection.pk, "inspections:inspection", allowed=_staff(user)
        ),
    }


def describe_penalty(user: Any, decision: PenaltyDecision) -> Subject:
    """A penalty decision, linked to its decision document (PDF)."""
    return {
        "kind": str(PenaltyDecision._meta.verbose_name),
        "label": f"{decision.number} {decision.enterprise_name}",
        "url": subject_link(user, access_penalty_by_id, decision.pk, "inspections:penalty_pdf", allowed=_staff(user)),
    }


subject_describer_set("inspections.inspectionfiling", describe_filing)
subject_describer_set("inspections.inspection", describe_inspection)
subject_describer_set("inspections.penaltydecision", describe_penalty)
subject_describer_set("inspections.firstviolationnotice", describe_notice)
clock_group_set("inspections.filing", _("涉企检查备案"), "inspections.filing", order=50)
clock_group_set("inspections.first_violation", _("首违告诫整改"), "inspections.first_violation", order=55)
