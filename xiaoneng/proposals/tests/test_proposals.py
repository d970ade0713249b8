"""Suggestions and proposals: registration and assignment (PRP-1), reply periods on Clocks (PRP-2,
PRP-3), the formal reply (PRP-4), satisfaction and the one reopening (PRP-5), the trail (PRP-6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoneng.core.models import Event
from xiaoneng.proposals.actions.proposals import (
    COHANDLING_CLOCK_KIND,
    REPLY_CLOCK_KIND,
    cohandling_answer,
    proposal_feedback,
    proposal_reply,
)
from xiaoneng.proposals.inputs import add_months
from xiaoneng.proposals.models import Proposal
from xiaoneng.proposals.selectors import proposals_for
from xiaoneng.proposals.tests.conftest import register
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.choices import ClockStatus, ClockUnit
from xiaoneng.workdays.models import Clock


def _months_later(start, months):
    """PRP-2's date: the same day `months` later, moved to the next working day when it is a rest day
    (民法典 第二百零三条, CLK-2) — the tests run on any day of the year."""
    return get_calendar().next_workday_on_or_after(add_months(start, months))


def _actions(p: Proposal) -> list[str]:
    return list(
        Event.objects.filter(subject_id=str(p.pk), action__startswith="proposal.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def _answer_all(world, proposal):
    for ch in proposal.cohandlings.all():
        cohandling_answer(actor=world.user("other_clerk"), cohandling=ch, opinion="同意主办单位意见，配合开展联合检查")


def test_registration_assigns_with_a_three_month_reply_clock_and_one_month_for_cohandlers(world, proposal):
    # PRP-1, PRP-2, PRP-3
    today = timezone.localdate()
    clock = proposal.reply_clock
    assert clock is not None
    assert clock.kind == REPLY_CLOCK_KIND
    assert clock.unit == ClockUnit.NATURAL_DAYS
    assert clock.due_date == _months_later(today, 3)
    ch = proposal.cohandlings.get()
    assert ch.department == world.other_dept
    assert ch.clock is not None
    assert ch.clock.kind == COHANDLING_CLOCK_KIND
    assert ch.clock.due_date == _months_later(today, 1)
    assert _actions(proposal) == ["proposal.registered", "proposal.assigned"]


def test_an_urgent_one_is_due_in_one_month(world):
    # PRP-2
    p = register(world, urgent=True)
    assert p.reply_clock is not None
    assert p.reply_clock.due_date == _months_later(timezone.localdate(), 1)


@pytest.mark.parametrize("key", ["clerk", "dept_head", "legal", "applicant", "other_county_supervisor"])
def test_only_the_office_of_the_region_registers(world, key):
    # PRP-1
    with pytest.raises(PermissionDenied):
        register(world, actor=world.user(key))
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "petition"),
        ("number", ""),
        ("number", "号" * 300),
        ("title", "题" * 300),
        ("content", "内" * 6000),
        ("lead_department", None),
        ("proposer", "\x00"),
    ],
)
def test_bad_registration_input_is_refused_and_nothing_written(world, field, value):
    with pytest.raises(ValidationError):
        register(world, **{field: value})
    assert not Proposal.objects.exists()
    assert not Clock.objects.exists()


def test_the_lead_cannot_cohandle_and_numbers_are_unique(world, proposal):
    with pytest.raises(ValidationError):
        register(world, number="第0013号", cohandlers=[world.dept])
    with pytest.raises(ValidationError):
        register(world)  # 第0012号 again
    assert Proposal.objects.count() == 1


def test_cohandlers_see_the_proposal_others_do_not(world, proposal):
    # PRP-1 scope
    assert list(proposals_for(world.user("other_clerk"))) == [proposal]
    assert list(proposals_for(world.user("clerk"))) == [proposal]
    assert not proposals_for(world.user("county_clerk")).exists()
    assert not proposals_for(world.user("other_county_supervisor")).exists()
    assert not proposals_for(world.user("applicant")).exists()


def test_the_lead_waits_for_cohandlers_opinions(world, proposal):
    # PRP-3
    head = world.user("dept_head")
    with pytest.raises(ValidationError, match="协办"):
        proposal_reply(actor=head, proposal=proposal, category="A", text="已采纳")
    with pytest.raises(PermissionDenied):  # the lead's clerk is not the co-handler
        cohandling_answer(actor=world.user("clerk"), cohandling=proposal.cohandlings.get(), opinion="x")
    _answer_all(world, proposal)
    ch = proposal.cohandlings.get()
    assert ch.clock is not None
    ch.clock.refresh_from_db()
    assert ch.clock.status == ClockStatus.STOPPED
    with pytest.raises(ValidationError):  # once
        cohandling_answer(actor=world.user("other_clerk"), cohandling=ch, opinion="再次")
    p = proposal_reply(actor=head, proposal=proposal, category="A", text="已增加快检频次并每周公开结果。")
    assert p.status == "replied"
    assert p.reply_count == 1


def test_a_silent_cohandler_does_not_block_the_reply_after_its_month(world, proposal):
    # PRP-3: its month is over
    ch = proposal.cohandlings.get()
    Clock.objects.filter(pk=ch.clock_id).update(due_date=timezone.localdate() - timedelta(days=1))
    p = proposal_reply(actor=world.user("dept_head"), proposal=proposal, category="C", text="留作参考")
    assert p.status == "replied"


@pytest.mark.parametrize("key", ["clerk", "other_clerk", "supervisor", "legal"])
def test_only_the_lead_head_signs_the_reply(world, proposal, key):
    # PRP-4
    _answer_all(world, proposal)
    with pytest.raises(PermissionDenied):
        proposal_reply(actor=world.user(key), proposal=proposal, category="A", text="x")


@pytest.mark.parametrize(("category", "text"), [("D", "x"), ("", "x"), ("A", ""), ("A", "答" * 6000)])
def test_a_reply_needs_a_category_and_text(world, proposal, category, text):
    # PRP-4
    _answer_all(world, proposal)
    with pytest.raises(ValidationError):
        proposal_reply(actor=world.user("dept_head"), proposal=proposal, category=category, text=text)
    proposal.refresh_from_db()
    assert proposal.status == "handling"
    assert proposal.reply_count == 0


def test_satisfied_closes(world, proposal):
    # PRP-5
    _answer_all(world, proposal)
    p = proposal_reply(actor=world.user("dept_head"), proposal=proposal, category="B", text="列入明年计划")
    p = proposal_feedback(actor=world.user("supervisor"), proposal=p, satisfaction="basic")
    assert p.status == "closed"
    assert p.satisfaction == "basic"
    with pytest.raises(ValidationError):
        proposal_feedback(actor=world.user("supervisor"), proposal=p, satisfaction="satisfied")


def test_unsatisfied_reopens_once_then_closes(world, proposal):
    # PRP-5, PRP-6
    _answer_all(world, proposal)
    head, office = world.user("dept_head"), world.user("supervisor")
    p = proposal_reply(actor=head, proposal=proposal, category="C", text="留作参考")
    first_clock = p.reply_clock
    with pytest.raises(ValidationError):  # 不满意 needs the reason
        proposal_feedback(actor=office, proposal=p, satisfaction="unsatisfied", note="")
    with pytest.raises(PermissionDenied):
        proposal_feedback(actor=head, proposal=p, satisfaction="satisfied")
    p = proposal_feedback(actor=office, proposal=p, satisfaction="unsatisfied", note="答复未回应快检公开问题")
    assert p.status == "reopened"
    assert p.reply_clock is not None
    assert p.reply_clock != first_clock
    assert p.reply_clock.due_date == _months_later(timezone.localdate(), 1)
    p = proposal_reply(actor=head, proposal=p, category="A", text="已在官网开设快检结果专栏")
    assert p.reply_count == 2
    p = proposal_feedback(actor=office, proposal=p, satisfaction="unsatisfied", note="仍不满意")
    assert p.status == "closed"
    assert p.satisfaction == "unsatisfied"
    assert _actions(p) == [
        "proposal.registered",
        "proposal.assigned",
        "proposal.cohandler_answered",
        "proposal.replied",
        "proposal.feedback",
        "proposal.reopened",
        "proposal.replied",
        "proposal.feedback",
    ]
