"""Major administrative decisions (国务院令第713号): the five steps (DEC-1), the comment period of at
least 30 days (DEC-2), the legality review (DEC-3), adoption only after every mandatory step (DEC-4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoneng.core.models import Event
from xiaoneng.proposals.actions.decisions import (
    decision_adopt,
    decision_comment,
    decision_legality_review,
    decision_publish,
    decision_step_complete,
    missing_steps,
)
from xiaoneng.proposals.models import DecisionStep, MajorDecision
from xiaoneng.proposals.tests.conftest import decision


def _end_period(d: MajorDecision) -> None:
    """Move the comment period into the past (as if 31 days had passed)."""
    today = timezone.localdate()
    DecisionStep.objects.filter(decision=d, kind="public").update(
        starts_on=today - timedelta(days=31), ends_on=today - timedelta(days=1)
    )


def _through_all_steps(world, d: MajorDecision) -> MajorDecision:
    head = world.user("dept_head")
    decision_publish(actor=head, decision=d)
    decision_comment(decision=d, name="市民", text="建议保留老城区菜场")
    _end_period(d)
    decision_step_complete(actor=head, decision=d, kind="public", summary="收到意见1条，已采纳")
    decision_step_complete(actor=head, decision=d, kind="expert", summary="专家论证会同意")
    decision_step_complete(actor=head, decision=d, kind="risk", summary="社会稳定风险低")
    decision_legality_review(actor=world.user("legal"), decision=d, result="lawful", summary="合法")
    return d


def test_registration_creates_the_five_steps(world, major):
    # DEC-1
    kinds = list(major.steps.values_list("kind", "status"))
    assert kinds == [
        ("public", "pending"),
        ("expert", "pending"),
        ("risk", "pending"),
        ("legality", "pending"),
        ("collective", "pending"),
    ]
    assert missing_steps(major) == ["公众参与", "专家论证", "风险评估", "合法性审查"]


def test_expert_and_risk_may_be_declared_not_applicable_with_a_reason(world):
    # DEC-1: 第十九条、第二十二条
    d = decision(world, expert_not_required="事项专业性不强", risk_not_required="")
    assert d.steps.get(kind="expert").status == "not_required"
    assert d.steps.get(kind="risk").status == "pending"


def test_publication_is_at_least_30_days_unless_a_reason_is_given(world, major):
    # DEC-2: 第十五条
    head = world.user("dept_head")
    with pytest.raises(ValidationError):
        decision_publish(actor=head, decision=major, days=10)
    for bad in (0, -1, 10**9, float("nan"), "30", True):
        with pytest.raises(ValidationError):
            decision_publish(actor=head, decision=major, days=bad, short_reason="紧急")
    step = decision_publish(actor=head, decision=major)
    today = timezone.localdate()
    assert step.starts_on == today
    assert step.ends_on == today + timedelta(days=30)
    major.refresh_from_db()
    assert major.published_on == today
    with pytest.raises(ValidationError):
        decision_publish(actor=head, decision=major)


def test_short_period_with_reason(world, major):
    step = decision_publish(actor=world.user("dept_head"), decision=major, days=7, short_reason="防汛应急，情况紧急")
    assert step.short_reason
    assert step.ends_on == timezone.localdate() + timedelta(days=7)


def test_comments_only_during_the_period(world, major):
    # DEC-2
    with pytest.raises(ValidationError):
        decision_comment(decision=major, name="", text="意见")
    decision_publish(actor=world.user("dept_head"), decision=major)
    decision_comment(decision=major, name="", text="意见")
    for bad in ("", "意" * 3000, "\x00"):
        with pytest.raises(ValidationError):
            decision_comment(decision=major, name="", text=bad)
    with pytest.raises(ValidationError):
        decision_comment(decision=major, name="名" * 60, text="x")
    assert major.comments.count() == 1
    _end_period(major)
    with pytest.raises(ValidationError):
        decision_comment(decision=major, name="", text="迟到的意见")


def test_public_participation_is_recorded_only_after_the_period(world, major):
    # DEC-2
    head = world.user("dept_head")
    with pytest.raises(ValidationError):
        decision_step_complete(actor=head, decision=major, kind="public", summary="x")
    decision_publish(actor=head, decision=major)
    with pytest.raises(ValidationError, match="结束"):
        decision_step_complete(actor=head, decision=major, kind="public", summary="x")
    _end_period(major)
    step = decision_step_complete(actor=head, decision=major, kind="public", summary="意见已汇总")
    assert step.status == "done"


def test_cannot_adopt_before_every_mandatory_step(world, major):
    # DEC-4
    leader = world.user("leader")
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="公众参与"):
        decision_adopt(actor=leader, decision=major, meeting="市政府第12次常务会议", decided_on=today, text="同意")
    head = world.user("dept_head")
    decision_publish(actor=head, decision=major)
    _end_period(major)
    decision_step_complete(actor=head, decision=major, kind="public", summary="意见已汇总")
    decision_step_complete(actor=head, decision=major, kind="expert", summary="同意")
    decision_step_complete(actor=head, decision=major, kind="risk", summary="低风险")
    # DEC-3: unlawful blocks discussion
    decision_legality_review(actor=world.user("legal"), decision=major, result="unlawful", summary="关停条款缺乏依据")
    with pytest.raises(ValidationError, match="不合法"):
        decision_adopt(actor=leader, decision=major, meeting="会议", decided_on=today, text="同意")
    decision_legality_review(actor=world.user("legal"), decision=major, result="lawful", summary="修改后合法")
    d = decision_adopt(actor=leader, decision=major, meeting="市政府第12次常务会议", decided_on=today, text="原则通过")
    assert d.status == "adopted"
    assert d.steps.get(kind="collective").status == "done"
    actions = list(
        Event.objects.filter(subject_id=str(d.pk), action__startswith="decision.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "decision.registered",
        "decision.published",
        "decision.step_done",
        "decision.step_done",
        "decision.step_done",
        "decision.legality_reviewed",
        "decision.legality_reviewed",
        "decision.adopted",
    ]
    with pytest.raises(ValidationError):  # adopted: nothing more
        decision_step_complete(actor=head, decision=d, kind="expert", summary="x")


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31), "2026-01-01", None])
def test_bad_decision_dates(world, major, day):
    _through_all_steps(world, major)
    with pytest.raises(ValidationError):
        decision_adopt(actor=world.user("leader"), decision=major, meeting="会议", decided_on=day, text="同意")
    major.refresh_from_db()
    assert major.status == "drafting"


def test_roles(world, major):
    # DEC-1, DEC-3, DEC-4
    with pytest.raises(PermissionDenied):
        decision(world, actor=world.user("other_clerk"))
    with pytest.raises(PermissionDenied):
        decision_publish(actor=world.user("other_clerk"), decision=major)
    with pytest.raises(PermissionDenied):
        decision_legality_review(actor=world.user("dept_head"), decision=major, result="lawful", summary="x")
    with pytest.raises(PermissionDenied):
        decision_adopt(
            actor=world.user("dept_head"), decision=major, meeting="x", decided_on=timezone.localdate(), text="x"
        )
    with pytest.raises(PermissionDenied):
        decision_adopt(
            actor=world.user("other_county_supervisor"),
            decision=major,
            meeting="x",
            decided_on=timezone.localdate(),
            text="x",
        )
