"""Escalation up the supervisor chain: the contract between the apps that own obligations and the
one policy that decides who is escalated to and when (SUP-1, CMP-1).

The policy is owned by supervision (`supervision.escalation.escalation_policy`), which installs it
here when it starts (`SupervisionConfig.ready`), as it installs its thresholds into the clock
computation (`services.set_threshold_resolver`). Apps below supervision — complaints escalating an
overdue work order — ask `escalation_decide` and never import supervision (layer order: core,
workdays, orgs → catalog → cases, complaints → supervision). What they keep is their own action:
the change of their own state (complaints_escalate writes the complaint's level and its event) and
turning an `Audience` into the people of their record.
"""

from __future__ import annotations

__all__ = [
    "Audience",
    "EscalationPolicy",
    "EscalationStep",
    "Track",
    "escalation_decide",
    "set_escalation_policy",
]

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Track(StrEnum):
    """What is being escalated."""

    # an alert nobody signed for by its acknowledgement deadline (supervision's alerts): one step
    # per deadline missed
    UNACKNOWLEDGED = "unacknowledged"
    # an obligation past its due instant (a complaint's acceptance or reply): one step per day
    OVERDUE = "overdue"


class Audience(StrEnum):
    """Who a step goes to, up the supervisor chain."""

    DEPT_HEAD = "dept_head"  # the head of the responsible department
    OFFICE = "office"  # the efficiency office (效能办) of the obligation's region
    OFFICES_UP = "offices_up"  # the efficiency offices of the region and of every region above
    LEADERS_UP = "leaders_up"  # the region's leaders and the efficiency offices of every region above


@dataclass(frozen=True)
class EscalationStep:
    """The policy's answer: the step reached (0: none yet), who it goes to, and when the next step
    falls due (None at the top of the chain)."""

    step: int
    audience: Audience | None
    next_at: datetime | None


class EscalationPolicy(Protocol):
    def __call__(
        self,
        *,
        track: Track,
        tenant_id: int,
        kind: str,
        since: datetime,
        step: int,
        now: datetime,
        has_department: bool,
    ) -> EscalationStep: ...


def _not_installed(**_kwargs: object) -> EscalationStep:
    raise RuntimeError("no escalation policy installed: supervision installs it in SupervisionConfig.ready()")


_policy: EscalationPolicy = _not_installed


def set_escalation_policy(policy: EscalationPolicy | None) -> None:
    """Supervision installs the one escalation policy here (None: uninstall)."""
    global _policy
    _policy = policy or _not_installed


def escalation_decide(
    *,
    track: Track,
    tenant_id: int,
    kind: str,
    since: datetime,
    step: int,
    now: datetime,
    has_department: bool,
) -> EscalationStep:
    """Ask the installed policy where an obligation (`kind`, in jurisdiction `tenant_id`) stands at
    `now`: `since` is when the escalation clock started (the alert's missed acknowledgement deadline,
    or the obligation's due instant), `step` the step already reached, `has_department` whether a
    department answers for it."""
    return _policy(
        track=track,
        tenant_id=tenant_id,
        kind=kind,
        since=since,
        step=step,
        now=now,
        has_department=has_department,
    )
