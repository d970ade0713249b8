# mypy: disable-error-code="union-attr,operator"
"""Issue 9: one action where the user means one thing. Accepting at the window also signs the
process's window-acceptance step (窗口受理); the department head's approval on the last step makes
the approval decision with its notice (CAS-2, CAS-3). The trail and the clocks stay complete; the
refusal (CAS-5, CAS-6 否定报备 first) and the reviewer's separate decision keep working."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from xiaoneng.cases.actions.decision import case_decide
from xiaoneng.cases.actions.intake import case_accept, case_deem_accepted
from xiaoneng.cases.actions.negative import case_negative_report_review, case_negative_report_submit
from xiaoneng.cases.actions.steps import case_step_decide
from xiaoneng.cases.choices import NoticeKind, OpinionKind, Status, TaskStatus
from xiaoneng.cases.models import Case, Decision, Notice, StepTask
from xiaoneng.cases.permissions import case_actions
from xiaoneng.cases.tests.conftest import later, submit
from xiaoneng.catalog.tests.factories import make_item, publish
from xiaoneng.core.models import Event, Notification
from xiaoneng.workdays.choices import ClockStatus

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def windowed(world) -> Any:
    """The usual process: 受理 (窗口受理, the clerk) → 审查 (the reviewer) → 决定 (审批决定, the head)."""
    item = make_item(
        world.dept,
        world.user("dept_head"),
        stages=[
            {"name": "受理", "join_policy": "all", "steps": [{"name": "窗口受理", "role": "clerk", "limit_days": 1}]},
            {
                "name": "审查",
                "join_policy": "all",
                "steps": [{"name": "材料审查", "role": "reviewer", "limit_days": 5}],
            },
            {
                "name": "决定",
                "join_policy": "all",
                "steps": [{"name": "审批决定", "role": "dept_head", "limit_days": 2}],
            },
        ],
    )
    return publish(item, declarer=world.user("dept_head"), legal=world.user("legal"))


def _case_actions(case: Case) -> list[str]:
    return list(
        Event.objects.filter(subject_id=str(case.pk), action__startswith="case.").values_list("action", flat=True)
    )


def test_accepting_at_the_window_signs_the_window_acceptance_step(world, windowed):
    # given an application waiting at the window
    case, _code = submit(world, windowed)
    clerk = world.user("clerk")
    # when the clerk clicks 受理 on the case page (one POST)
    r = client_for(clerk).post(f"/workbench/cases/{case.pk}/accept/", {"version": case.lock_version}, follow=True)
    assert "受理通知书已生成" in r.content.decode()
    # then the case is accepted and its window step is done: signed by the clerk, on time
    case.refresh_from_db()
    window, review, head = StepTask.objects.filter(case=case).order_by("stage_index")
    assert case.status == Status.IN_REVIEW
    assert case.current_stage == 1
    assert window.status == TaskStatus.DONE
    assert window.completed_at == case.accepted_at
    opinion = window.opinions.get()
    assert (opinion.kind, opinion.author) == (OpinionKind.AGREE, clerk)
    assert window.clock.status == ClockStatus.STOPPED
    assert window.clock.stopped_at == case.accepted_at
    assert window.clock.due_at >= window.clock.stopped_at  # on time
    # and the review stage is open with its clock running
    assert review.status == TaskStatus.ACTIVE
    assert review.clock.status == ClockStatus.RUNNING
    assert head.status == TaskStatus.PENDING
    # and the trail holds the acceptance and the step, in that order, with one acceptance notice
    assert _case_actions(case) == ["case.submitted", "case.accepted", "case.step_decided", "case.stage_completed"]
    assert Notice.objects.filter(case=case, kind=NoticeKind.ACCEPTANCE).count() == 1
    # and the clerk is not asked to sign the window step again
    assert case_actions(clerk, case, list(case.tasks.all()))["opinion_tasks"] == []


def test_a_process_without_a_window_step_is_accepted_as_before(world, cw):
    # given a process whose first step is the reviewer's
    case, _code = submit(world, cw.simple)
    case = case_accept(case=case, actor=world.user("clerk"))
    # then its first step stays open for the reviewer
    first = StepTask.objects.get(case=case, stage_index=0)
    assert first.status == TaskStatus.ACTIVE
    assert not first.opinions.exists()
    assert case.current_stage == 0


def test_deemed_acceptance_leaves_the_window_step_to_the_clerk(world, windowed):

    # given nobody at the window acted within 5 working days (CAS-1: deemed accepted)
    case, _code = submit(world, windowed)
    assert case_deem_accepted(case=case, now=later(14))
    # then nobody signed the window step: it is open for the clerk
    window = StepTask.objects.get(case=case, stage_index=0)
    assert window.status == TaskStatus.ACTIVE
    assert not window.opinions.exists()


def _at_the_heads_step(world: Any, windowed: Any) -> Case:
    case, _code = submit(world, windowed)
    case = case_accept(case=case, actor=world.user("clerk"))
    case_step_decide(task=StepTask.objects.get(case=case, stage_index=1), actor=world.user("reviewer"), kind="agree")
    return Case.objects.get(pk=case.pk)


def test_the_heads_approval_on_the_last_step_makes_the_decision(world, windowed):
    # given a case at its last step, the head's 审批决定
    case = _at_the_heads_step(world, windowed)
    head = world.user("dept_head")
    task = StepTask.objects.get(case=case, stage_index=2)
    c = client_for(head)
    page = c.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert "同意并作出准予许可决定" in page  # the button says what agreeing does
    # when the head agrees (one POST)
    r = c.post(
        f"/workbench/cases/{case.pk}/opinion/",
        {"task": task.pk, "task_status": task.status, "kind": "agree", "reasons": "符合法定条件"},
        follow=True,
    )
    assert "准予行政许可决定已作出" in r.content.decode()
    # then the decision is made, with its notice, by the head
    case.refresh_from_db()
    assert case.status == Status.DECIDED_APPROVED
    assert case.current_stage is None
    decision = Decision.objects.get(case=case)
    assert (decision.outcome, decision.decided_by, decision.reasons) == ("approve", head, "符合法定条件")
    notice = Notice.objects.get(case=case, kind=NoticeKind.APPROVAL)
    assert "符合法定条件" in notice.lines
    # and the clocks: the step's and the decision clock stopped, the 10-working-day delivery clock runs
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.clock.status == ClockStatus.STOPPED
    assert case.decision_clock.status == ClockStatus.STOPPED
    assert case.decision_clock.stopped_at == case.decided_at
    assert case.delivery_clock.status == ClockStatus.RUNNING
    # and the trail keeps both acts, the opinion and the decision, in order
    assert _case_actions(case)[-3:] == ["case.step_decided", "case.stage_completed", "case.decided"]
    # and the page offers delivery, no second decision
    page = c.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert 'id="btn-decide"' not in page


def test_the_heads_approval_over_the_api_makes_the_decision_too(world, windowed):
    case = _at_the_heads_step(world, windowed)
    task = StepTask.objects.get(case=case, stage_index=2)
    r = client_for(world.user("dept_head")).post(
        f"/api/cases/{case.pk}/tasks/{task.pk}/opinion", json.dumps({"kind": "agree"}), content_type="application/json"
    )
    assert r.status_code == 200
    assert r.json()["status"] == Status.DECIDED_APPROVED
    assert Decision.objects.filter(case=case).count() == 1


def test_the_wrong_role_cannot_sign_the_heads_step(world, windowed):
    # given the head's last step
    case = _at_the_heads_step(world, windowed)
    task = StepTask.objects.get(case=case, stage_index=2)
    data = {"task": task.pk, "task_status": task.status, "kind": "agree"}
    # then a reviewer is refused with a message, the applicant is refused outright; nothing is written
    r = client_for(world.user("reviewer")).post(f"/workbench/cases/{case.pk}/opinion/", data, follow=True)
    assert "该环节不由您办理" in r.content.decode()
    assert client_for(world.user("applicant")).post(f"/workbench/cases/{case.pk}/opinion/", data).status_code == 403
    assert not Decision.objects.filter(case=case).exists()
    assert not task.opinions.exists()


def test_the_heads_disagreement_leaves_the_refusal_to_the_leader_first(world, windowed):
    # given the head disagrees on the last step (CAS-5: with reasons)
    case = _at_the_heads_step(world, windowed)
    head = world.user("dept_head")
    task = StepTask.objects.get(case=case, stage_index=2)
    r = client_for(head).post(
        f"/workbench/cases/{case.pk}/opinion/",
        {"task": task.pk, "task_status": task.status, "kind": "disagree", "reasons": "场所不符合要求"},
        follow=True,
    )
    assert "办理意见已签署" in r.content.decode()
    # then no decision is made: the refusal waits for the negative-decision report (CAS-6)
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW
    assert not Decision.objects.filter(case=case).exists()
    report = case_negative_report_submit(case=case, actor=world.user("clerk"), kind="refusal", reasons="场所不符合要求")
    case_negative_report_review(report=report, actor=world.user("leader"), approve=True)
    decision = case_decide(case=Case.objects.get(pk=case.pk), actor=head, outcome="refuse", reasons="场所不符合要求")
    assert decision.outcome == "refuse"
    assert decision.remedy


def test_past_the_committed_limit_the_heads_approval_waits_for_the_report(world, windowed):

    # given a case at the head's step, past its committed limit
    case = _at_the_heads_step(world, windowed)
    task = StepTask.objects.get(case=case, stage_index=2)
    with mock.patch("django.utils.timezone.now", return_value=later(40)):
        r = client_for(world.user("dept_head")).post(
            f"/workbench/cases/{case.pk}/opinion/",
            {"task": task.pk, "task_status": task.status, "kind": "agree"},
            follow=True,
        )
    # then the approval is signed but the decision waits for the leader's review (CAS-6)
    assert "办理意见已签署" in r.content.decode()
    case.refresh_from_db()
    assert task.opinions.get().kind == "agree"
    assert case.status == Status.IN_REVIEW
    assert not Decision.objects.filter(case=case).exists()


def test_a_reviewer_on_the_last_step_signs_and_the_decision_stays_separate(world, cw):
    # given a process whose last step is a reviewer's (cw.parallel: 初审 → the joint stage) — here the
    # simple item: 审查 (the post) → 决定 (the head); the reviewer's step is not the last one
    case, _code = submit(world, cw.simple)
    case = case_accept(case=case, actor=world.user("clerk"))
    task = StepTask.objects.get(case=case, stage_index=0)
    r = client_for(cw.holder_a).post(
        f"/workbench/cases/{case.pk}/opinion/",
        {"task": task.pk, "task_status": task.status, "kind": "agree"},
        follow=True,
    )
    # then the reviewer's agreement moves the case on, and makes no decision
    assert "办理意见已签署" in r.content.decode()
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW
    assert case.current_stage == 1
    assert not Decision.objects.filter(case=case).exists()


def test_a_case_decided_by_the_heads_approval_is_not_announced_as_awaiting_its_decision(
    world, windowed, django_capture_on_commit_callbacks
):
    # given the head's step, when the head agrees and so decides in one act
    case = _at_the_heads_step(world, windowed)
    task = StepTask.objects.get(case=case, stage_index=2)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.user("dept_head")).post(
            f"/workbench/cases/{case.pk}/opinion/",
            {"task": task.pk, "task_status": task.status, "kind": "agree", "reasons": "符合法定条件"},
        )
    # then nobody's inbox says the decided case still waits for its decision
    assert not Notification.objects.filter(title__startswith="待决定").exists()


def test_a_case_whose_stages_are_done_without_a_decision_is_announced(
    world, windowed, django_capture_on_commit_callbacks
):
    # given the head's step, when only the opinion is recorded (no decision in the same act)
    case = _at_the_heads_step(world, windowed)
    task = StepTask.objects.get(case=case, stage_index=2)
    with django_capture_on_commit_callbacks(execute=True):
        case_step_decide(task=task, actor=world.user("dept_head"), kind=OpinionKind.AGREE)
    # then the department's reviewers and head are told it awaits the decision
    titles = set(Notification.objects.values_list("recipient__username", "title"))
    assert ("dept_head", f"待决定：{case.tracking_number}") in titles
    assert ("reviewer", f"待决定：{case.tracking_number}") in titles


def test_a_step_signed_meanwhile_gives_the_conflict_message_not_a_state_error(world, windowed):
    # given the head's page shows the last step ACTIVE, and the head signs it in another tab
    case = _at_the_heads_step(world, windowed)
    task = StepTask.objects.get(case=case, stage_index=2)
    seen = task.status
    head = world.user("dept_head")
    data = {"task": task.pk, "task_status": seen, "kind": "agree", "reasons": "符合法定条件"}
    client_for(head).post(f"/workbench/cases/{case.pk}/opinion/", data, follow=True)
    # when the first tab posts what it saw
    r = client_for(head).post(f"/workbench/cases/{case.pk}/opinion/", data, follow=True)
    # then the page says someone else handled it (the action compared the posted status, the view
    # did not write it onto the task), and nothing more is written
    assert "该办件已被他人处理" in r.content.decode()
    assert task.opinions.count() == 1
