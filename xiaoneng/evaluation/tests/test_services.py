# mypy: disable-error-code="operator,union-attr,misc,attr-defined"
# (tests read optional scores and clocks that the assertions themselves check)
"""EVA-1 schemes, panel, self-assessment, composite and bands; 末位 consequences; ACC-2 award block."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xiaoneng.core.models import Event
from xiaoneng.evaluation import services
from xiaoneng.evaluation.choices import AwardKind, IndicatorKind, SchemeStatus, TalkStatus, UnitCategory
from xiaoneng.evaluation.models import EvaluatedUnit, Indicator, PanelScore, SelfAssessment
from xiaoneng.evaluation.scoring import weight_errors
from xiaoneng.evaluation.services import (
    award_blockers,
    award_grant,
    indicator_add,
    panel_score_submit,
    scheme_bottom_act,
    scheme_close,
    scheme_compute,
    scheme_create,
    scheme_publish,
    self_assessment_submit,
    survey_target_add,
    unit_add,
    warning_talk_hold,
)
from xiaoneng.oversight.models import AccountabilityRecord, Rectification
from xiaoneng.ratings.actions.rating import hall_service_record, rating_submit
from xiaoneng.ratings.actions.surveys import (
    survey_create,
    survey_link_create,
    survey_question_add,
    survey_respond,
    survey_set_status,
)
from xiaoneng.workdays.choices import ClockStatus


def _ratings(clerk, levels):
    for lv in levels:
        svc = hall_service_record(actor=clerk, service_name="咨询", window="A1")
        rating_submit(level=lv, source="terminal", service=svc, reason="" if lv > 2 else "等候太久")


def test_weights_must_sum_to_100_per_level_and_category(world, ev):
    # given the fixture's four roots (40 + 10 + 30 + 20) — then add one for enforcement units only
    office = world.user("supervisor")
    assert weight_errors(ev.scheme) == []
    indicator_add(
        actor=office,
        scheme=ev.scheme,
        name="执法规范",
        kind=IndicatorKind.SELF,
        weight=5,
        category=UnitCategory.ENFORCEMENT,
    )
    unit_add(actor=office, scheme=ev.scheme, department=world.legal_dept, category=UnitCategory.ENFORCEMENT)
    # then the enforcement category sums to 105 and publishing is refused with a translated message
    errors = weight_errors(ev.scheme)
    assert len(errors) == 1
    assert "105" in errors[0]
    assert "执法单位" in errors[0]
    with pytest.raises(ValidationError) as e:
        scheme_publish(actor=office, scheme=ev.scheme)
    assert "应为100" in " ".join(e.value.messages)
    ev.scheme.refresh_from_db()
    assert ev.scheme.status == SchemeStatus.DRAFT


def test_bad_indicator_input_is_refused(world, ev):
    office = world.user("supervisor")
    for weight in ("NaN", "abc", "-5", "0", "101", "1e400"):
        with pytest.raises(ValidationError):
            indicator_add(actor=office, scheme=ev.scheme, name="x", kind=IndicatorKind.SELF, weight=weight)
    with pytest.raises(ValidationError):
        indicator_add(actor=office, scheme=ev.scheme, name="x" * 300, kind=IndicatorKind.SELF, weight=5)
    with pytest.raises(ValidationError):
        indicator_add(actor=office, scheme=ev.scheme, name="x", kind=IndicatorKind.DATA, weight=5, data_key="nope")
    with pytest.raises(ValidationError):
        indicator_add(actor=office, scheme=ev.scheme, name="x", kind="bogus", weight=5)
    for year in ("0001", "9999", "abc", "-1"):
        with pytest.raises(ValidationError):
            scheme_create(actor=office, region=world.county, year=year, name="x")
    assert Indicator.objects.filter(scheme=ev.scheme).count() == 4


def test_wrong_roles_cannot_build_a_scheme(world, ev):
    for key in ("clerk", "dept_head", "leader", "applicant", "other_county_supervisor"):
        with pytest.raises(PermissionDenied):
            indicator_add(actor=world.user(key), scheme=ev.scheme, name="x", kind=IndicatorKind.SELF, weight=5)
    with pytest.raises(PermissionDenied):
        scheme_publish(actor=world.user("county_supervisor"), scheme=ev.scheme)


def test_publish_starts_self_assessment_clocks_and_submission_stops_them(world, ev):
    office = world.user("supervisor")
    scheme_publish(actor=office, scheme=ev.scheme)
    unit = EvaluatedUnit.objects.get(scheme=ev.scheme, department=world.dept)
    assert unit.self_clock.status == ClockStatus.RUNNING
    assert unit.self_clock.limit == 10
    # a clerk may not self-assess; a department head of another unit is not in the scheme
    with pytest.raises(PermissionDenied):
        self_assessment_submit(actor=world.user("clerk"), indicator=ev.self_ind, score=90, statement="完成")
    # bad scores are refused, nothing written
    for bad in ("NaN", "-1", "100.5", "abc", "inf"):
        with pytest.raises(ValidationError):
            self_assessment_submit(actor=world.user("dept_head"), indicator=ev.self_ind, score=bad, statement="完成")
    with pytest.raises(ValidationError):
        self_assessment_submit(
            actor=world.user("dept_head"),
            indicator=ev.self_ind,
            score=90,
            statement="完成",
            evidence=SimpleUploadedFile("a.exe", b"MZ"),
        )
    assert not SelfAssessment.objects.exists()
    self_assessment_submit(
        actor=world.user("dept_head"),
        indicator=ev.self_ind,
        score="92.5",
        statement="全年目标全部完成",
        evidence=SimpleUploadedFile("证明.pdf", b"%PDF-1.4 x"),
    )
    unit.refresh_from_db()
    unit.self_clock.refresh_from_db()
    assert unit.self_submitted_at is not None
    assert unit.self_clock.status == ClockStatus.STOPPED
    with pytest.raises(ValidationError):
        self_assessment_submit(actor=world.user("dept_head"), indicator=ev.self_ind, score=99, statement="again")


def test_panel_member_may_not_score_own_department(world, ev):
    office = world.user("supervisor")
    unit_add(actor=office, scheme=ev.scheme, department=world.legal_dept, category=UnitCategory.WINDOW)
    scheme_publish(actor=office, scheme=ev.scheme)
    panelist = world.user("panelist")  # a reviewer of the legal department
    # when the member scores their own department: refused (conflict of interest)
    with pytest.raises(PermissionDenied, match="回避"):
        panel_score_submit(actor=panelist, indicator=ev.panel_ind, department=world.legal_dept, score=99)
    # a non-member is refused; a member scores another unit once
    with pytest.raises(PermissionDenied):
        panel_score_submit(actor=world.user("leader"), indicator=ev.panel_ind, department=world.dept, score=80)
    panel_score_submit(actor=panelist, indicator=ev.panel_ind, department=world.dept, score=85, comment="服务规范")
    with pytest.raises(ValidationError):
        panel_score_submit(actor=panelist, indicator=ev.panel_ind, department=world.dept, score=90)
    with pytest.raises(ValidationError):
        panel_score_submit(actor=panelist, indicator=ev.data, department=world.other_dept, score=90)
    assert PanelScore.objects.count() == 1


def test_compute_ranks_with_bands_and_sample_sizes(world, ev):
    # given: dept has 40 ratings 95% satisfied, other_dept 40 ratings 50% satisfied, county dept none
    office = world.user("supervisor")
    _ratings(world.user("clerk"), [5] * 38 + [1] * 2)
    _ratings(world.user("other_clerk"), [4] * 20 + [2] * 20)
    scheme_publish(actor=office, scheme=ev.scheme)
    # when computed
    results = {r.department_id: r for r in scheme_compute(actor=office, scheme=ev.scheme)}
    best, worse, none = results[world.dept.pk], results[world.other_dept.pk], results[world.county_dept.pk]
    # then: the ratings indicator carries n and its Wilson interval; the coverage shows the missing weights
    row = next(d for d in best.details if d["kind"] == "data")
    assert row["n"] == 40
    assert row["method"] == "wilson"
    assert row["lower"] < 95 < row["upper"]
    assert best.coverage == Decimal("40.00")
    assert best.score > worse.score
    assert best.rank == 1
    assert worse.rank == 2
    assert best.band != worse.band
    assert worse.bottom
    assert not best.bottom
    # a unit without any data is not ranked
    assert none.score is None
    assert none.rank == 0
    assert not none.bottom


def test_close_scores_tie(world, ev):
    office = world.user("supervisor")
    _ratings(world.user("clerk"), [5] * 8 + [1] * 2)
    _ratings(world.user("other_clerk"), [5] * 7 + [1] * 3)
    scheme_publish(actor=office, scheme=ev.scheme)
    r = {x.department_id: x for x in scheme_compute(actor=office, scheme=ev.scheme)}
    a, b = r[world.dept.pk], r[world.other_dept.pk]
    # 80% vs 70% of 10 ratings: the intervals overlap, so they share the band and no one is last
    assert a.score > b.score
    assert (a.rank, a.rank_to) == (1, 2) == (b.rank, b.rank_to)
    assert not a.bottom
    assert not b.bottom


def test_bottom_gets_warning_talk_and_rectification_and_awards_are_blocked(world, ev):
    office = world.user("supervisor")
    _ratings(world.user("clerk"), [5] * 38 + [1] * 2)
    _ratings(world.user("other_clerk"), [4] * 20 + [2] * 20)
    scheme_publish(actor=office, scheme=ev.scheme)
    scheme_compute(actor=office, scheme=ev.scheme)
    talks = scheme_bottom_act(actor=office, scheme=ev.scheme)
    assert [t.department for t in talks] == [world.other_dept]
    rect = Rectification.objects.get(pk=talks[0].rectification_id)
    assert rect.department == world.other_dept
    assert rect.clock is not None
    # idempotent
    assert scheme_bottom_act(actor=office, scheme=ev.scheme) == []
    with pytest.raises(ValidationError):
        warning_talk_hold(actor=office, talk=talks[0], held_on="9999-01-01", note="谈话")
    warning_talk_hold(actor=office, talk=talks[0], held_on="2026-01-05", note="诫勉谈话，要求限期整改")
    talks[0].refresh_from_db()
    assert talks[0].status == TalkStatus.HELD
    # awards: the bottom unit cannot be awarded; the clerk cannot grant; the leader grants the best
    with pytest.raises(ValidationError):
        award_grant(actor=office, scheme=ev.scheme, department=world.other_dept, kind=AwardKind.ADVANCED)
    with pytest.raises(PermissionDenied):
        award_grant(actor=world.user("clerk"), scheme=ev.scheme, department=world.dept, kind=AwardKind.ADVANCED)
    award = award_grant(actor=world.user("leader"), scheme=ev.scheme, department=world.dept, kind=AwardKind.TOP_TEN)
    assert Event.objects.for_subject(award).count() == 1
    scheme_close(actor=office, scheme=ev.scheme)
    with pytest.raises(ValidationError):
        scheme_compute(actor=office, scheme=ev.scheme)


def test_award_blocked_by_accountability_record_in_the_year(world, ev, monkeypatch):
    # ACC-2: a unit with a negative-list / accountability record in the period is disqualified

    office = world.user("supervisor")
    _ratings(world.user("clerk"), [5] * 30)
    scheme_publish(actor=office, scheme=ev.scheme)
    scheme_compute(actor=office, scheme=ev.scheme)
    monkeypatch.setattr(services, "award_blockers", lambda scheme, dept: ["负面清单"] if dept == world.dept else [])
    with pytest.raises(ValidationError, match="负面清单"):
        award_grant(actor=office, scheme=ev.scheme, department=world.dept, kind=AwardKind.TOP_TEN)


def test_award_blocked_by_negative_list_record_unless_exempted(world, ev):
    # ACC-2: a negative-list accountability record of the year disqualifies; a 容错 exemption lifts it

    assert award_blockers(ev.scheme, world.dept) == []
    rec = AccountabilityRecord.objects.create(
        tenant_id=world.dept.tenant_id,
        source_kind="complaint",
        department=world.dept,
        sanction="written_warning",
        reason="推诿扯皮",
        disqualified_year=2026,
        decided_by=world.user("supervisor"),
        decided_at=timezone.now().replace(year=2026),
    )
    assert any("负面清单" in r for r in award_blockers(ev.scheme, world.dept))
    assert award_blockers(ev.scheme, world.other_dept) == []
    AccountabilityRecord.objects.filter(pk=rec.pk).update(status="exempted")
    assert award_blockers(ev.scheme, world.dept) == []


def test_survey_target_and_survey_score_with_groups(world, ev):

    office = world.user("supervisor")
    survey = survey_create(actor=office, title="2026年度社会测评")
    q = survey_question_add(survey=survey, actor=office, kind="rating", text="对市场监管局的满意度")
    survey_set_status(survey=survey, actor=office, status="open")
    link = survey_link_create(survey=survey, actor=office, group="deputy")
    for i, score in enumerate([5, 4, 5, 5, 4]):
        survey_respond(link=link, answers={f"q{q.pk}": str(score)}, session_key=f"s{i}", ip=f"10.0.0.{i}")
    with pytest.raises(ValidationError):
        survey_target_add(actor=office, indicator=ev.data, survey=survey, department=world.dept)
    survey_target_add(actor=office, indicator=ev.survey_ind, survey=survey, department=world.dept, question=q)
    scheme_publish(actor=office, scheme=ev.scheme)
    r = {x.department_id: x for x in scheme_compute(actor=office, scheme=ev.scheme)}[world.dept.pk]
    row = next(d for d in r.details if d["kind"] == "survey")
    assert row["n"] == 5
    assert row["value"] == pytest.approx(90.0)
    assert row["raw"] == {"deputy": 5}
