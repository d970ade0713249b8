"""The one escalation policy (SUP-1; CMP-1's oversight step): who an obligation nobody answered for
is escalated to, and when. Supervision owns it; the scan's alerts (`scan.escalate_due`) and the
complaints' overdue work orders (`complaints.actions.escalation.complaints_escalate`, through
`workdays.escalation.escalation_decide`, installed by `SupervisionConfig.ready`) both ask it, and
each keeps its own action (the alert's or the complaint's state, its event, its notification).

The chain (ESC-CHAIN): the responsible department's head, then the efficiency office (效能办), then
above it. An obligation without a responsible department (a complaint's acceptance, which the office
itself owes) starts at the office.

- ESC-ACK, unacknowledged alerts (Track.UNACKNOWLEDGED): a yellow-or-red alert must be signed for
  within the jurisdiction's `acknowledge_days` working days (thresholds.ThresholdPolicy, by longest
  kind prefix; 1 by default), counted from the day it was raised and ending at the end of that
  working day. Each deadline missed moves it one step: 1 the department head, 2 the efficiency
  offices of the region and every region above (the top: no further deadline).
- ESC-DAY, overdue obligations (Track.OVERDUE): one step per day overdue, counted from the due
  instant — step 1 within the first 24 hours, 2 within the next, 3 from then on: 1 the department
  head, 2 the region's efficiency office, 3 the region's leaders and the offices of every region above.
"""

from __future__ import annotations

__all__ = ["ACK_TOP", "OVERDUE_TOP", "acknowledge_deadline", "escalation_policy"]

from datetime import datetime, timedelta

from xiaoneng.supervision.alerts.thresholds import policy_for
from xiaoneng.supervision.choices import Escalation
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.deadline import day_end, local_date
from xiaoneng.workdays.escalation import Audience, EscalationStep, Track

ACK_TOP = int(Escalation.OFFICE)  # ESC-ACK: the last step of an unacknowledged alert
OVERDUE_TOP = 3  # ESC-DAY: the last step of an overdue obligation

_ACK_AUDIENCE = {1: Audience.DEPT_HEAD, 2: Audience.OFFICES_UP}
_OVERDUE_AUDIENCE = {1: Audience.DEPT_HEAD, 2: Audience.OFFICE, 3: Audience.LEADERS_UP}


def acknowledge_deadline(now: datetime, days: int, cache: dict[int, datetime] | None = None) -> datetime:
    """ESC-ACK: the end of the working day `days` working days after `now`'s day (`cache`, per run:
    one calendar walk per distinct number of days)."""
    if cache is not None and days in cache:
        return cache[days]
    at = day_end(get_calendar().add_working_days(local_date(now), days))
    if cache is not None:
        cache[days] = at
    return at


def _audience(table: dict[int, Audience], step: int, has_department: bool) -> Audience | None:
    if step == 0:
        return None
    if step == 1 and not has_department:
        return table[2]  # ESC-CHAIN: nobody below the office answers for it
    return table[step]


def escalation_policy(
    *,
    track: Track,
    tenant_id: int,
    kind: str,
    since: datetime,
    step: int,
    now: datetime,
    has_department: bool,
    cache: dict[int, datetime] | None = None,
) -> EscalationStep:
    """Where an obligation stands at `now` (see the module docstring). For Track.UNACKNOWLEDGED,
    `since` is the acknowledgement deadline the alert missed (at or before `now`: the caller asks when
    it has passed) and the answer is the next step; for Track.OVERDUE, `since` is the due instant and
    the answer is the step `now` has reached (never below `step`)."""
    if track == Track.UNACKNOWLEDGED:
        new = min(step + 1, ACK_TOP) if since <= now else step
        next_at = None
        if new < ACK_TOP:
            next_at = acknowledge_deadline(now, policy_for(tenant_id, kind).acknowledge_days, cache)
        return EscalationStep(new, _audience(_ACK_AUDIENCE, new, has_department), next_at)
    if now <= since:
        return EscalationStep(step, _audience(_OVERDUE_AUDIENCE, step, has_department), since)
    reached = min(OVERDUE_TOP, 1 + int((now - since) / timedelta(days=1)))
    new = max(step, reached)
    return EscalationStep(
        new,
        _audience(_OVERDUE_AUDIENCE, new, has_department),
        since + timedelta(days=new) if new < OVERDUE_TOP else None,
    )
