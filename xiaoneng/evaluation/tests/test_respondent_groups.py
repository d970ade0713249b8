"""EVA-1 public survey across the ten respondent groups of seed 003 (十个层次): one questionnaire
listing two units, one question per unit, tied to its unit by a SurveyTarget; each unit's survey
score pools the ten groups and the detail counts the answers per group."""

from __future__ import annotations

import pytest

from xiaoneng.evaluation.services import scheme_compute, scheme_publish, survey_target_add
from xiaoneng.ratings.actions.surveys import (
    survey_create,
    survey_link_create,
    survey_question_add,
    survey_respond,
    survey_set_status,
)
from xiaoneng.ratings.choices import RespondentGroup

# seed 003 (十个层次), in its order
SEED_GROUPS = [
    ("deputy", "人大代表"),
    ("cppcc", "政协委员"),
    ("party", "民主党派人士"),
    ("investor", "外来投资者"),
    ("cadre", "机关干部"),
    ("media", "新闻媒体工作者"),
    ("mass_org", "群众组织"),
    ("individual", "个体工商户"),
    ("government", "县（区）政府"),
    ("business", "企业"),
]


def test_the_ten_seed_groups_are_respondent_groups():
    labels = dict(RespondentGroup.choices)
    assert [(g, str(labels[g])) for g, _l in SEED_GROUPS] == SEED_GROUPS
    # the groups earlier surveys used are kept
    assert {"resident", "supervisor", "other"} <= set(RespondentGroup.values)


def test_a_survey_across_ten_groups_scores_each_target_unit(client, world, ev):
    # given one questionnaire with a question per unit, and one link per seed group
    office = world.user("supervisor")
    survey = survey_create(actor=office, title="2026年度社会测评（十个层次）")
    q_dept = survey_question_add(survey=survey, actor=office, kind="rating", text="对市场监管局的满意度")
    q_other = survey_question_add(survey=survey, actor=office, kind="rating", text="对住建局的满意度")
    survey_set_status(survey=survey, actor=office, status="open")
    # each group answers once: 市场监管局 5,5,4,4,3,5,4,4,5,3 → (x − 1) × 25 → mean 80; 住建局 3 from all → 50
    scores = [5, 5, 4, 4, 3, 5, 4, 4, 5, 3]
    for i, ((group, _label), score) in enumerate(zip(SEED_GROUPS, scores, strict=True)):
        link = survey_link_create(survey=survey, actor=office, group=group)
        survey_respond(
            link=link,
            answers={f"q{q_dept.pk}": str(score), f"q{q_other.pk}": "3"},
            session_key=f"s{i}",
            ip=f"10.1.0.{i}",
        )
    # and each question tied to its unit
    survey_target_add(actor=office, indicator=ev.survey_ind, survey=survey, department=world.dept, question=q_dept)
    survey_target_add(
        actor=office, indicator=ev.survey_ind, survey=survey, department=world.other_dept, question=q_other
    )
    # when the office computes
    scheme_publish(actor=office, scheme=ev.scheme)
    results = {r.department_id: r for r in scheme_compute(actor=office, scheme=ev.scheme)}
    # then each unit's survey row reads only its own question, with ten answers, one per group
    mine = next(d for d in results[world.dept.pk].details if d["kind"] == "survey")
    assert mine["n"] == 10
    assert mine["value"] == pytest.approx(80.0)
    assert mine["raw"] == {g: 1 for g, _l in SEED_GROUPS}
    theirs = next(d for d in results[world.other_dept.pk].details if d["kind"] == "survey")
    assert (theirs["n"], theirs["value"]) == (10, pytest.approx(50.0))
    assert (theirs["lower"], theirs["upper"]) == (pytest.approx(50.0), pytest.approx(50.0))
    # and the county unit, tied to no survey, has no survey score
    county = next(d for d in results[world.county_dept.pk].details if d["kind"] == "survey")
    assert county["n"] == 0
    # and the scheme page shows the sample behind the survey score group by group, in the seed's order
    client.force_login(office)
    body = client.get(f"/evaluation/schemes/{ev.scheme.pk}/").content.decode()
    assert "、".join(f"{label} 1" for _g, label in SEED_GROUPS) in body
