"""Overdue orders escalate up the supervisor chain (CMP-2; a periodic task). Who and when is
supervision's one escalation policy, asked through workdays.escalation; this module does the
complaint's own part."""

from __future__ import annotations

__all__ = [
    "complaints_escalate",
]

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.complaints.actions.loop import complaint_lock, office_url, office_users
from xiaoneng.complaints.clocks import CLOCK_ACCEPT, CLOCK_REPLY, CLOCK_RETURN
from xiaoneng.complaints.models import Complaint
from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import User
from xiaoneng.oversight.selectors import region_ancestor_paths
from xiaoneng.workdays.choices import ClockStatus
from xiaoneng.workdays.escalation import Audience, Track, escalation_decide
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_stop


def _escalation_recipients(c: Complaint, audience: Audience | None) -> list[User]:
    """The people of the complaint's region that `audience` (the escalation policy's answer) names:
    the handling department's head, the region's efficiency office, or the region's leaders and the
    offices of every region above."""
    region_path = c.region.path
    if audience == Audience.DEPT_HEAD and c.handling_department_id:
        return list(User.objects.filter(role=Role.DEPT_HEAD, is_active=True, department_id=c.handling_department_id))
    if audience in (Audience.DEPT_HEAD, Audience.OFFICE):
        return office_users(c)
    above = [p for p in region_ancestor_paths(region_path) if p != region_path]
    return list(
        User.objects.filter(is_active=True).filter(
            Q(role=Role.LEADER, region_id=c.region_id) | Q(role=Role.SUPERVISOR, region__path__in=above)
        )
    )


def complaints_escalate(*, now: datetime | None = None) -> int:
    """Escalate overdue orders up the supervisor chain and close expired return windows. Who and
    when is supervision's one escalation policy (workdays.escalation.escalation_decide, Track.OVERDUE:
    one level per overdue day, max 3; the acceptance, which no department owes, starts at the
    office); this function does the complaint's own part: its level, its event, the notification.
    Idempotent: the level reached is stored on the complaint."""
    now = now or timezone.now()
    # the return window is a right, not an obligation: when it ends the clock simply stops at its due time
    for clock in Clock.objects.filter(kind=CLOCK_RETURN, status=ClockStatus.RUNNING, due_at__lt=now):
        clock_stop(clock=clock, at=clock.due_at)
    escalated = 0
    overdue = Clock.objects.filter(
        kind__in=[CLOCK_ACCEPT, CLOCK_REPLY], status=ClockStatus.RUNNING, due_at__lt=now
    ).only("id", "owner_id", "kind", "due_at", "tenant_id")
    by_owner = {c.owner_id: c for c in overdue}
    if not by_owner:
        return 0
    for c in Complaint.objects.filter(pk__in=list(by_owner)).select_related("region"):
        clock = by_owner[c.pk]
        if clock.pk not in (c.accept_clock_id, c.reply_clock_id) or clock.due_at is None:
            continue
        decision = escalation_decide(
            track=Track.OVERDUE,
            tenant_id=clock.tenant_id,
            kind=clock.kind,
            since=clock.due_at,
            step=c.escalation_level,
            now=now,
            has_department=clock.kind != CLOCK_ACCEPT and c.handling_department_id is not None,
        )
        level = decision.step
        if level <= c.escalation_level:
            continue
        with transaction.atomic():
            locked = complaint_lock(c)
            if level <= locked.escalation_level:
                continue
            before = locked.escalation_level
            locked.escalation_level = level
            locked.save(update_fields=["escalation_level", "updated_at"])
            event_append(
                subject=locked,
                action="complaint.escalated",
                before={"level": before},
                after={"level": level, "clock": clock.kind},
            )
            notify(
                recipients=_escalation_recipients(c, decision.audience),
                title=_("投诉工单逾期（第%(level)d级督促）：%(number)s") % {"level": level, "number": c.number},
                body=c.title,
                url=office_url(c),
            )
        escalated += 1
    return escalated
