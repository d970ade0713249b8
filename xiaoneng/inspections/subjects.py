"""What inspections' clocks are about, for supervision's alerts and late lists (core.links registry).

Installed by `InspectionsConfig.ready()` on import: a filing's approval clock (涉企检查备案) and a
first-violation notice's rectification deadline (首违告诫) name their filing or notice and link to
the staff pages for those who may open them.
"""

from __future__ import annotations

__all__ = ["describe_filing", "describe_notice"]

from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaoneng.core.links import Subject, clock_group_set, subject_describer_set, subject_link
from xiaoneng.inspections.models import FirstViolationNotice, InspectionFiling
from xiaoneng.inspections.permissions import access_filing_by_id, access_notice_by_id, is_staff_user


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


subject_describer_set("inspections.inspectionfiling", describe_filing)
subject_describer_set("inspections.firstviolationnotice", describe_notice)
clock_group_set("inspections.filing", _("涉企检查备案"), "inspections.filing", order=50)
clock_group_set("inspections.first_violation", _("首违告诫整改"), "inspections.first_violation", order=55)
