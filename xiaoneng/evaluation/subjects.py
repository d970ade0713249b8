"""What evaluation's clocks are about, for supervision's alerts and late lists (core.links registry).

Installed by `EvaluationConfig.ready()` on import: a unit's self-assessment clock (绩效自评) names the
unit and its scheme and links to the scheme page for those who may read the scheme.
"""

from __future__ import annotations

__all__ = ["describe_unit"]

from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaoneng.core.links import Subject, clock_group_set, subject_describer_set, subject_link
from xiaoneng.evaluation.models import EvaluatedUnit
from xiaoneng.evaluation.permissions import access_scheme_by_id


def describe_unit(user: Any, unit: EvaluatedUnit) -> Subject:
    return {
        "kind": str(_("绩效考评自评")),
        "label": f"{unit.scheme.name} {unit.department.name}",
        "url": subject_link(user, access_scheme_by_id, unit.scheme_id, "evaluation:scheme"),
    }


subject_describer_set("evaluation.evaluatedunit", describe_unit)
clock_group_set("evaluation.self_assessment", _("绩效考评自评"), "evaluation.self_assessment", order=60)
