# mypy: disable-error-code="operator,union-attr,misc,attr-defined"
# (tests read optional scores and clocks that the assertions themselves check)
"""SUP-3 warning index from the five sources; public commitments with one vote per verified person."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from xiaoneng.evaluation.choices import CommitmentStatus, Severity, VoteChoice, WarningLevel
from xiaoneng.evaluation.models import Commitment, CommitmentVote, PhoneVerification
from xiaoneng.evaluation.services import (
    commitment_assess,
    commitment_create,
    commitment_panel_score,
    commitment_progress_report,
    commitment_publish,
    commitment_vote,
    commitment_voting_open,
    interview_record,
    monitoring_report_record,
    phone_code_send,
    phone_code_verify,
    warning_index_compute,
)
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import UserFactory


def test_warning_index_takes_monitoring_points_and_interviews(world):
    office = world.user("supervisor")
    today = date.today()
    # given three grave monitoring-point reports and a grave interview for dept, nothing for other_dept
    for _i in range(3):
        monitoring_report_record(
            actor=office,
            point="青溪工业园监测点",
            department=world.dept,
            reported_on=today,
            text="审批拖延",
            severity=Severity.GRAVE,
        )
    interview_record(actor=office, department=world.dept, held_on=today, reason="窗口作风问题", severity=Severity.GRAVE)
    # when the month's index is computed
    rows = {r.department_id: r for r in warning_index_compute(actor=office, region=world.city, month=today)}
    bad, fine = rows[world.dept.pk], rows[world.other_dept.pk]
    # then the five sources are each present, the two recorded here lower dept's index
    assert set(bad.sources) == {
        "supervision.alert_cards",
        "ratings.satisfaction",
        "evaluation.monitoring",
        "complaints.on_time",
        "evaluation.interviews",
    }
    assert bad.sources["evaluation.monitoring"]["value"] == 70
    assert bad.sources["evaluation.interviews"]["value"] == 85
    assert bad.level >= WarningLevel.SINGLE
    assert fine.level == WarningLevel.NONE
    assert bad.index < fine.index


def test_warning_inputs_refused(world):
    office = world.user("supervisor")
    with pytest.raises(PermissionDenied):
        interview_record(actor=world.user("clerk"), department=world.dept, held_on=date.today(), reason="x", severity=1)
    for day in ("0001-01-01", "9999-12-31", "2026-13-01", "abc"):
        with pytest.raises(ValidationError):
            monitoring_report_record(
                actor=office, point="p", department=world.dept, reported_on=day, text="t", severity=1
            )
    with pytest.raises(ValidationError):
        monitoring_report_record(
            actor=office, point="p" * 300, department=world.dept, reported_on=date.today(), text="t", severity=1
        )
    with pytest.raises(ValidationError):
        interview_record(actor=office, department=world.dept, held_on=date.today(), reason="x", severity="9")
    with pytest.raises(PermissionDenied):
        warning_index_compute(actor=world.user("leader"), region=world.city, month=date.today())


@override_settings(XIAONENG_SMS_BACKEND="xiaoneng.core.sms.MemorySmsBackend")
def test_commitment_lifecycle_and_one_vote_per_verified_person(world, django_capture_on_commit_callbacks, monkeypatch):
    head, office = world.user("dept_head"), world.user("supervisor")
    c = commitment_create(
        actor=head,
        year=2026,
        title="企业开办一日办结",
        target="企业开办全程1个工作日内办结",
        target_value=1,
        target_unit="工作日",
        higher_is_better=False,
    )
    with pytest.raises(PermissionDenied):
        commitment_publish(actor=world.user("other_clerk"), commitment=c)
    commitment_publish(actor=head, commitment=c)
    commitment_progress_report(
        actor=world.user("clerk"),
        commitment=c,
        reported_on=date.today(),
        actual_value="0.8",
        text="上半年平均0.8个工作日",
    )
    with pytest.raises(ValidationError):
        commitment_progress_report(
            actor=world.user("clerk"), commitment=c, reported_on=date.today(), actual_value="NaN", text="x"
        )
    commitment_voting_open(actor=office, commitment=c)
    citizen = world.user("applicant")
    # an unverified citizen cannot vote; staff cannot vote
    with pytest.raises(PermissionDenied):
        commitment_vote(actor=citizen, commitment=c, choice=VoteChoice.FULFILLED)
    with pytest.raises(PermissionDenied):
        commitment_vote(actor=world.user("clerk"), commitment=c, choice=VoteChoice.FULFILLED)
    # the citizen verifies the phone with the SMS code
    codes = []
    monkeypatch.setattr("xiaoneng.evaluation.services.secrets.randbelow", lambda n: 123456)
    with django_capture_on_commit_callbacks(execute=False) as cbs:
        phone_code_send(actor=citizen)
    codes.append(len(cbs))
    with pytest.raises(ValidationError):
        phone_code_verify(actor=citizen, code="000000")
    assert PhoneVerification.objects.get(user=citizen).attempts == 1
    phone_code_verify(actor=citizen, code="123456")
    commitment_vote(actor=citizen, commitment=c, choice=VoteChoice.FULFILLED)
    with pytest.raises(ValidationError):
        commitment_vote(actor=citizen, commitment=c, choice=VoteChoice.NOT)
    with pytest.raises(ValidationError):
        commitment_vote(actor=citizen, commitment=c, choice="maybe")
    assert CommitmentVote.objects.count() == 1
    # the panel: the office scores; the unit's own head may not
    commitment_panel_score(actor=office, commitment=c, score=90)
    with pytest.raises(PermissionDenied):
        commitment_panel_score(actor=head, commitment=c, score=100)
    done = commitment_assess(actor=office, commitment=c)
    assert done.status == CommitmentStatus.ASSESSED
    assert done.vote_count == 1
    assert done.panel_count == 1
    assert done.final_score is not None


def test_second_account_on_same_phone_cannot_vote_twice(world):

    head, office = world.user("dept_head"), world.user("supervisor")
    c = commitment_create(actor=head, year=2026, title="t", target="x", target_value=1, target_unit="件")
    commitment_publish(actor=head, commitment=c)
    commitment_voting_open(actor=office, commitment=c)
    a = UserFactory(username="c1", role=Role.APPLICANT, phone="13900000111")
    CommitmentVote.objects.create(
        commitment=Commitment.objects.get(pk=c.pk), voter=a, phone="13900000222", choice="not"
    )
    b = UserFactory(username="c2", role=Role.APPLICANT, phone="13900000222")
    PhoneVerification.objects.create(
        user=b, phone=b.phone, code_hash="x", expires_at=a.date_joined, verified_at=a.date_joined
    )
    with pytest.raises(ValidationError):
        commitment_vote(actor=b, commitment=c, choice=VoteChoice.FULFILLED)
