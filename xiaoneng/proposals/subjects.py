"""What proposals' clocks are about, for supervision's alerts and late lists (core.links registry).
Installed by `ProposalsConfig.ready()` on import: the lead department's reply clock (PRP-2) and a
co-handler's opinion clock (PRP-3) both name the proposal and link to its staff page for those who
may open it."""

from __future__ import annotations

__all__ = ["describe_cohandling", "describe_proposal"]

from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaoneng.core.links import Subject, clock_group_set, subject_describer_set, subject_link
from xiaoneng.proposals.models import CoHandling, Proposal
from xiaoneng.proposals.permissions import access_proposal_by_id, is_staff_user


def describe_proposal(user: Any, proposal: Proposal) -> Subject:
    staff = bool(getattr(user, "is_authenticated", False) and is_staff_user(user))
    return {
        "kind": str(Proposal._meta.verbose_name),
        "label": f"{proposal.number} {proposal.title}",
        "url": subject_link(user, access_proposal_by_id, proposal.pk, "proposals:proposal", allowed=staff),
    }


def describe_cohandling(user: Any, cohandling: CoHandling) -> Subject:
    return describe_proposal(user, cohandling.proposal)


subject_describer_set("proposals.proposal", describe_proposal)
subject_describer_set("proposals.cohandling", describe_cohandling)
clock_group_set("proposals", _("建议提案"), "proposals", order=75)
