"""What supervision's own clocks are about (core.links registry): another system's obligation
registered through the obligation API is named by its external id and title; it has no page here.
Installed by `SupervisionConfig.ready()` on import."""

from __future__ import annotations

__all__ = ["describe_obligation"]

from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaoneng.core.links import Subject, clock_group_set, subject_describer_set
from xiaoneng.supervision.models import ExternalObligation


def describe_obligation(user: Any, obligation: ExternalObligation) -> Subject:
    return {
        "kind": str(ExternalObligation._meta.verbose_name),
        "label": f"{obligation.external_id} {obligation.title}",
        "url": "",
    }


subject_describer_set("supervision.externalobligation", describe_obligation)
clock_group_set("external", _("外部系统监察事项"), "external", order=80)
