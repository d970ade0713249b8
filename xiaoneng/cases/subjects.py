"""What a case's clocks are about, for supervision's alerts and late lists (core.links registry).

Installed by `CasesConfig.ready()` on import: a case's own clocks (acceptance, decision, delivery)
and its steps' clocks (a step's alert names its case) are named by the tracking number and the item,
and linked to the staff case page for the staff who may open that case.
"""

from __future__ import annotations

__all__ = ["describe_case", "describe_step_task"]

from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaoneng.cases.models import Case, StepTask
from xiaoneng.cases.permissions import access_case_by_id
from xiaoneng.core.links import Subject, clock_group_set, subject_describer_set, subject_link


def _staff(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or getattr(user, "is_staff_member", False))


def describe_case(user: Any, case: Case) -> Subject:
    return {
        "kind": str(Case._meta.verbose_name),
        "label": f"{case.tracking_number} {case.version.name}",
        "url": subject_link(user, access_case_by_id, case.pk, "cases:staff_case", allowed=_staff(user)),
    }


def describe_step_task(user: Any, task: StepTask) -> Subject:
    return describe_case(user, task.case)


subject_describer_set("cases.case", describe_case)
subject_describer_set("cases.steptask", describe_step_task)
clock_group_set("case", _("办件"), "case", order=10)
