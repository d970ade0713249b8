"""人大建议/政协提案: register and assign (PRP-1, PRP-2), co-handlers' opinions (PRP-3), the formal reply
(PRP-4), the proposer's satisfaction and the one reopening (PRP-5); every step on the trail (PRP-6)."""

from __future__ import annotations

__all__ = [
    "COHANDLING_CLOCK_KIND",
    "REPLY_CLOCK_KIND",
    "cohandling_answer",
    "proposal_feedback",
    "proposal_register",
    "proposal_reply",
]

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, User
from xiaoneng.proposals.choices import PROPOSAL_TRANSITIONS, ProposalKind, ProposalStatus, ReplyCategory, Satisfaction
from xiaoneng.proposals.inputs import add_months, check_choice, check_text
from xiaoneng.proposals.models import CoHandling, Proposal
from xiaoneng.proposals.permissions import can_answer_cohandling, can_record_feedback, can_register_proposal, can_reply
from xiaoneng.workdays.choices import ClockUnit
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_start, clock_stop

REPLY_CLOCK_KIND = "proposals.reply"
COHANDLING_CLOCK_KIND = "proposals.cohandling"
MAX_COHANDLERS = 10


def _months(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def reply_months(urgent: bool) -> int:
    # PRP-2: 3 months from assignment; urgent ones 1 month by default
    return _months("XIAONENG_PROPOSAL_URGENT_MONTHS", 1) if urgent else _months("XIAONENG_PROPOSAL_REPLY_MONTHS", 3)


def _month_clock(
    *, owner: Any, kind: str, label: str, months: int, department: Department, actor: Any, basis: str
) -> Clock:
    """A natural-day Clock from today to the same day `months` later (CLK-2: counted from the next
    day, so the limit is the number of days between the two dates)."""
    today = timezone.localdate()
    days = (add_months(today, months) - today).days
    return clock_start(
        owner=owner,
        kind=kind,
        label=label[:100],
        limit=days,
        unit=ClockUnit.NATURAL_DAYS,
        legal_basis=basis,
        department=department,
        actor=actor,
    )


def _transition(proposal: Proposal, action: str) -> str:
    sources, target = PROPOSAL_TRANSITIONS[action]
    if proposal.status not in sources:
        raise ValidationError(
            _("建议提案当前状态为“%(status)s”，不能执行该操作。") % {"status": proposal.get_status_display()},
            code="state",
        )
    return target


def _url(proposal: Proposal) -> str:
    return reverse("proposals:proposal", args=[proposal.pk])


def _locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("lead_department__region", "reply_clock")
        .get(pk=proposal.pk)
    )


def _staff_of(departments: Iterable[Department], roles: Iterable[str] | None = None) -> list[User]:
    qs = User.objects.filter(department__in=list(departments), is_active=True)
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    return list(qs)


def proposal_register(
    *,
    actor: Any,
    kind: str,
    number: str,
    session: str,
    title: str,
    proposer: str,
    content: str,
    urgent: bool,
    lead_department: Department | None,
    cohandlers: Iterable[Department] = (),
) -> Proposal:
    """PRP-1, PRP-2, PRP-3: register a suggestion or proposal and assign it on the same day to the lead
    department (reply Clock: 3 months, urgent 1) and the co-handlers (opinion Clock: 1 month each)."""
    if lead_department is None:
        raise ValidationError(_("请选择主办单位。"), code="lead")
    if not can_register_proposal(actor, lead_department):
        raise PermissionDenied(_("只有政府督查部门可以登记交办建议提案。"))
    kind = check_choice(kind, choices=ProposalKind, label=_("类别"))
    code = check_text(number, label=_("编号"), max_length=40)
    sess = check_text(session, label=_("届次会议"), max_length=60)
    name = check_text(title, label=_("标题"), max_length=200)
    who = check_text(proposer, label=_("代表或委员"), max_length=200)
    text = check_text(content, label=_("内容"))
    co = list({d.pk: d for d in cohandlers if d is not None}.values())
    if any(d.pk == lead_department.pk for d in co):
        raise ValidationError(_("协办单位不能与主办单位相同。"), code="cohandler_is_lead")
    if len(co) > MAX_COHANDLERS:
        raise ValidationError(_("协办单位不能超过%(n)d个。") % {"n": MAX_COHANDLERS}, code="cohandlers")
    if any(not can_register_proposal(actor, d) for d in co):
        raise PermissionDenied(_("只能交办给本辖区的单位。"))
    if Proposal.objects.filter(tenant_id=lead_department.tenant_id, kind=kind, session=sess, number=code).exists():
        raise ValidationError(_("该届次会议已有此编号的建议或提案。"), code="number_taken")
    today = timezone.localdate()
    with transaction.atomic():
        proposal = Proposal.objects.create(
            tenant_id=lead_department.tenant_id,
            kind=kind,
            number=code,
            session=sess,
            title=name,
            proposer=who,
            content=text,
            urgent=bool(urgent),
            lead_department=lead_department,
            registered_by=actor,
            assigned_on=today,
        )
        event_append(
            subject=proposal,
            action="proposal.registered",
            actor=actor,
            after={"kind": kind, "number": code, "session": sess, "proposer": who, "urgent": bool(urgent)},
        )
        proposal.reply_clock = _month_clock(
            owner=proposal,
            kind=REPLY_CLOCK_KIND,
            label=_("建议提案答复：%(number)s") % {"number": code},
            months=reply_months(bool(urgent)),
            department=lead_department,
            actor=actor,
            basis=_("全国人民代表大会代表建议、批评和意见处理办法；政协提案工作条例"),
        )
        proposal.save(update_fields=["reply_clock", "updated_at"])
        for dept in co:
            ch = CoHandling.objects.create(proposal=proposal, department=dept)
            ch.clock = _month_clock(
                owner=ch,
                kind=COHANDLING_CLOCK_KIND,
                label=_("建议提案协办意见：%(number)s") % {"number": code},
                months=_months("XIAONENG_PROPOSAL_COHANDLING_MONTHS", 1),
                department=dept,
                actor=actor,
                basis=_("协办单位自交办之日起1个月内向主办单位提出协办意见"),
            )
            ch.save(update_fields=["clock", "updated_at"])
        event_append(
            subject=proposal,
            action="proposal.assigned",
            actor=actor,
            after={
                "lead": lead_department.pk,
                "cohandlers": sorted(d.pk for d in co),
                "assigned_on": today.isoformat(),
                "reply_due": proposal.reply_clock.due_date.isoformat() if proposal.reply_clock.due_date else None,
            },
        )
        notify(
            recipients=_staff_of([lead_department, *co], roles=[Role.DEPT_HEAD]),
            title=_("交办建议提案：%(title)s") % {"title": name[:60]},
            body=_("编号%(number)s，%(who)s。") % {"number": code, "who": who[:60]},
            url=_url(proposal),
        )
    return proposal


def cohandling_answer(*, actor: Any, cohandling: CoHandling, opinion: str) -> CoHandling:
    """PRP-3: the co-handling department gives its opinion to the lead department (once)."""
    if not can_answer_cohandling(actor, cohandling):
        raise PermissionDenied(_("只有协办单位可以提出协办意见。"))
    text = check_text(opinion, label=_("协办意见"))
    with transaction.atomic():
        proposal = _locked(cohandling.proposal)
        ch = CoHandling.objects.select_for_update(of=("self",)).get(pk=cohandling.pk)
        if ch.answered_at is not None:
            raise ValidationError(_("协办意见已经提出。"), code="answered")
        if proposal.status == ProposalStatus.CLOSED:
            raise ValidationError(_("该建议提案已办结。"), code="closed")
        ch.opinion = text
        ch.answered_at = timezone.now()
        ch.answered_by = actor
        ch.save(update_fields=["opinion", "answered_at", "answered_by", "updated_at"])
        if ch.clock_id is not None:
            clock_stop(clock=ch.clock_id, actor=actor)
        event_append(
            subject=proposal,
            action="proposal.cohandler_answered",
            actor=actor,
            after={"department": ch.department_id},
            reason=text,
        )
        notify(
            recipients=_staff_of([proposal.lead_department], roles=[Role.DEPT_HEAD]),
            title=_("协办意见已送达：%(number)s") % {"number": proposal.number},
            url=_url(proposal),
        )
    return ch


def _cohandlers_waiting(proposal: Proposal, today: date) -> list[str]:
    """PRP-3: the co-handlers that have not answered and whose month is not over yet."""
    waiting = []
    for ch in proposal.cohandlings.select_related("department", "clock"):
        if ch.answered_at is None and ch.clock is not None and ch.clock.due_date and ch.clock.due_date >= today:
            waiting.append(ch.department.name)
    return waiting


def proposal_reply(*, actor: Any, proposal: Proposal, category: str, text: str) -> Proposal:
    """PRP-4: the lead department's head replies formally, category A, B or C; the reply Clock stops."""
    if not can_reply(actor, proposal):
        raise PermissionDenied(_("只有主办单位负责人可以签发答复。"))
    cat = check_choice(category, choices=ReplyCategory, label=_("答复类别"))
    body = check_text(text, label=_("答复内容"))
    today = timezone.localdate()
    with transaction.atomic():
        p = _locked(proposal)
        target = _transition(p, "reply")
        waiting = _cohandlers_waiting(p, today)
        if waiting:
            raise ValidationError(
                _("尚待协办单位提出意见：%(names)s。") % {"names": "、".join(waiting)}, code="cohandlers_waiting"
            )
        before = p.status
        p.status = target
        p.reply_category = cat
        p.reply_text = body
        p.replied_by = actor
        p.replied_at = timezone.now()
        p.reply_count += 1
        p.save(
            update_fields=[
                "status",
                "reply_category",
                "reply_text",
                "replied_by",
                "replied_at",
                "reply_count",
                "updated_at",
            ]
        )
        if p.reply_clock is not None:
            clock_stop(clock=p.reply_clock, actor=actor)
        event_append(
            subject=p,
            action="proposal.replied",
            actor=actor,
            before={"status": before},
            after={"status": p.status, "category": cat, "reply": p.reply_count},
            reason=body[:500],
        )
        notify(
            recipients=[p.registered_by],
            title=_("建议提案已答复：%(number)s") % {"number": p.number},
            url=_url(p),
        )
    return p


def proposal_feedback(*, actor: Any, proposal: Proposal, satisfaction: str, note: str = "") -> Proposal:
    """PRP-5: the proposer's answer. 满意/基本满意 close it; 不满意 after the first reply reopens it
    once with a new reply Clock; after the second reply it closes whatever the answer."""
    if not can_record_feedback(actor, proposal):
        raise PermissionDenied(_("只有交办部门可以登记代表委员的意见。"))
    result = check_choice(satisfaction, choices=Satisfaction, label=_("代表委员意见"))
    text = check_text(note, label=_("反馈说明"), required=result == Satisfaction.UNSATISFIED)
    with transaction.atomic():
        p = _locked(proposal)
        reopen = result == Satisfaction.UNSATISFIED and p.reply_count < 2
        target = _transition(p, "reopen" if reopen else "close")
        before = p.status
        p.status = target
        p.satisfaction = result
        p.satisfaction_note = text
        fields = ["status", "satisfaction", "satisfaction_note", "updated_at"]
        event_append(
            subject=p,
            action="proposal.feedback",
            actor=actor,
            before={"status": before},
            after={"status": p.status, "satisfaction": result},
            reason=text,
        )
        if reopen:
            p.reply_clock = _month_clock(
                owner=p,
                kind=REPLY_CLOCK_KIND,
                label=_("建议提案重新答复：%(number)s") % {"number": p.number},
                months=_months("XIAONENG_PROPOSAL_SECOND_REPLY_MONTHS", 1),
                department=p.lead_department,
                actor=actor,
                basis=_("代表委员对答复不满意的，承办单位重新办理并答复"),
            )
            fields.append("reply_clock")
            event_append(
                subject=p,
                action="proposal.reopened",
                actor=actor,
                after={"reply_due": p.reply_clock.due_date.isoformat() if p.reply_clock.due_date else None},
                reason=text,
            )
            notify(
                recipients=_staff_of([p.lead_department], roles=[Role.DEPT_HEAD]),
                title=_("代表委员不满意，请重新办理：%(number)s") % {"number": p.number},
                body=text,
                url=_url(p),
            )
        p.save(update_fields=fields)
    return p
