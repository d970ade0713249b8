# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value"
# (tests follow nullable clocks and XML nodes that the fixtures always set)
"""Ratings (RAT-1 … RAT-4) and surveys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoneng.cases.choices import Status as CaseStatus
from xiaoneng.core.sms import MemorySmsBackend
from xiaoneng.core.throttle import client_address
from xiaoneng.oversight.services import rectification_submit, rectification_verify
from xiaoneng.ratings.actions.bad_reviews import rating_appeal, rating_appeal_decide, rating_callback, rating_verify
from xiaoneng.ratings.actions.invitations import rating_invite_cases
from xiaoneng.ratings.actions.rating import hall_service_record, rating_submit, ratings_default
from xiaoneng.ratings.actions.surveys import (
    survey_create,
    survey_link_create,
    survey_question_add,
    survey_respond,
    survey_set_status,
)
from xiaoneng.ratings.choices import AppealStatus, Handling, Level, Source
from xiaoneng.ratings.links import rating_target, rating_token
from xiaoneng.ratings.models import Rating, SurveyResponse
from xiaoneng.ratings.selectors import rater_shown, rating_metrics, rectification_of, survey_scores
from xiaoneng.ratings.tests.conftest import completed_case

pytestmark = pytest.mark.django_db


def test_rat1_five_levels_and_one_rating_per_completed_case(world, case):
    # given a completed case
    # when the applicant rates it
    r = rating_submit(level=Level.SATISFIED, source=Source.WEB, case=case, actor=world.user("applicant"))
    # then it is stored once; a second rating is refused
    assert r.department_id == world.dept.pk
    assert r.get_level_display() == "满意"
    with pytest.raises(ValidationError) as e:
        rating_submit(level=Level.VERY_SATISFIED, source=Source.WEB, case=case)
    assert "只能评价一次" in str(e.value)
    assert [str(label) for label in Level.labels] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]


def test_rat1_one_rating_per_in_hall_service_from_the_terminal(world):
    svc = hall_service_record(actor=world.user("clerk"), service_name="营业执照领取", window="A3")
    r = rating_submit(level=Level.VERY_SATISFIED, source=Source.TERMINAL, service=svc, actor=world.user("clerk"))
    # the clerk at the terminal is not recorded as the rater
    assert r.rater is None
    assert r.service_id == svc.pk
    with pytest.raises(ValidationError):
        rating_submit(level=Level.BASIC, source=Source.TERMINAL, service=svc)


def test_rat1_an_unfinished_case_cannot_be_rated_and_bad_levels_are_rejected(world):
    open_case = completed_case(world, status=CaseStatus.IN_REVIEW)
    with pytest.raises(ValidationError) as e:
        rating_submit(level=Level.SATISFIED, source=Source.WEB, case=open_case)
    assert "办结后" in str(e.value)
    done = completed_case(world)
    for bad in (0, 6, "x"):
        with pytest.raises(ValidationError) as e:
            rating_submit(level=bad, source=Source.WEB, case=done)
        assert "五个评价等级" in str(e.value)
    assert Rating.objects.count() == 0


def test_rat1_the_rater_is_protected_from_department_staff(world, case):
    r = rating_submit(
        level=Level.UNSATISFIED, source=Source.WEB, case=case, actor=world.user("applicant"), reason="等太久"
    )
    assert rater_shown(world.user("dept_head"), r)["hidden"] == "1"
    assert rater_shown(world.user("clerk"), r)["name"] == ""
    assert rater_shown(world.user("supervisor"), r)["name"] == str(world.user("applicant"))


def test_rat1_signed_token_for_sms_and_qr_links(world, case):
    token = rating_token(case=case)
    assert rating_target(token) == (case, None)
    with pytest.raises(ValidationError) as e:
        rating_target(token[:-2] + "xx")
    assert "评价链接无效" in str(e.value)


def test_rat2_no_rating_within_seven_natural_days_is_recorded_as_basic_and_defaulted(world):
    # given a case delivered 8 days ago and one delivered 3 days ago, and an old window service
    old = completed_case(world, delivered_at=timezone.now() - timedelta(days=8))
    recent = completed_case(world, delivered_at=timezone.now() - timedelta(days=3))
    svc = hall_service_record(actor=world.user("clerk"), service_name="咨询")
    type(svc).objects.filter(pk=svc.pk).update(served_at=timezone.now() - timedelta(days=7, hours=1))
    # when the periodic task runs (twice: idempotent)
    assert ratings_default() == 2
    assert ratings_default() == 0
    # then the old ones are 基本满意, marked defaulted; the recent one is still open to the applicant
    r = Rating.objects.get(case=old)
    assert (r.level, r.defaulted, r.source) == (Level.BASIC, True, Source.DEFAULT)
    assert Rating.objects.get(service=svc).defaulted
    assert not Rating.objects.filter(case=recent).exists()


def _bad(world, case):
    return rating_submit(level=Level.VERY_UNSATISFIED, source=Source.SMS, case=case, reason="窗口态度差")


def test_rat3_bad_review_verified_rectified_within_its_clock_and_called_back(world, case):
    office, head = world.user("supervisor"), world.user("dept_head")
    # given a bad review
    r = _bad(world, case)
    assert r.handling == Handling.PENDING
    # when the office verifies it with the rater
    r = rating_verify(rating=r, actor=office, note="电话核实：等候两小时无人接待")
    # then a rectification opens with a 5-working-day clock
    rect = rectification_of(r)
    assert r.handling == Handling.RECTIFYING
    assert rect.clock.limit == 5
    assert rect.department_id == world.dept.pk
    # the callback waits for the rectification to be verified
    with pytest.raises(ValidationError):
        rating_callback(rating=r, actor=office, note="回访", satisfied=True)
    rectification_submit(rectification=rect, actor=head, text="已增设引导员并公开承诺")
    rectification_verify(rectification=rect, actor=office, note="核验通过")
    r = rating_callback(rating=r, actor=office, note="回访评价人，表示满意", satisfied=True)
    assert r.handling == Handling.CALLED_BACK
    assert r.rectified


def test_rat3_rectification_limit_is_configurable(world, case, settings):
    settings.XIAONENG_BAD_REVIEW_RECTIFICATION_DAYS = 3
    r = rating_verify(rating=_bad(world, case), actor=world.user("supervisor"), note="已核实情况属实")
    assert rectification_of(r).clock.limit == 3


def test_rat3_appeal_removes_a_mistaken_review_after_review(world, case):
    r = _bad(world, case)
    # a department cannot remove it itself; it appeals with reasons
    with pytest.raises(PermissionDenied):
        rating_appeal_decide(rating=r, actor=world.user("dept_head"), uphold=True, note="我们自己撤销")
    with pytest.raises(ValidationError):
        rating_appeal(rating=r, actor=world.user("dept_head"), reason="误评")
    r = rating_appeal(
        rating=r, actor=world.user("dept_head"), reason="评价人误将其他部门的办件评价为差评，有通话记录为证"
    )
    r = rating_appeal_decide(rating=r, actor=world.user("supervisor"), uphold=True, note="核实为误评")
    assert r.removed
    assert r.appeal_status == AppealStatus.UPHELD
    today = timezone.localdate()
    assert rating_metrics(Rating.objects.all(), start=today, end=today) == []


def test_rat3_wrong_roles_cannot_verify_or_call_back(world, case):
    r = _bad(world, case)
    for role in ["clerk", "dept_head", "applicant", "legal", "admin", "other_county_supervisor"]:
        with pytest.raises(PermissionDenied):
            rating_verify(rating=r, actor=world.user(role), note="核实情况说明")
    with pytest.raises(PermissionDenied):
        rating_appeal(rating=r, actor=world.user("other_clerk"), reason="不是我们部门，但想申诉撤销差评")


def test_rat4_metrics_active_rate_satisfaction_rectification_and_callback(world):
    office = world.user("supervisor")
    cases = [completed_case(world) for _ in range(4)]
    rating_submit(level=Level.VERY_SATISFIED, source=Source.WEB, case=cases[0])
    rating_submit(level=Level.SATISFIED, source=Source.QR, case=cases[1])
    bad = rating_submit(level=Level.UNSATISFIED, source=Source.SMS, case=cases[2], reason="等候太久")
    rating_verify(rating=bad, actor=office, note="已核实情况")
    Rating.objects.create(
        tenant=world.dept.tenant,
        case=cases[3],
        department=world.dept,
        level=3,
        source="default",
        defaulted=True,
        rated_at=timezone.now(),
    )
    today = timezone.localdate()
    [m] = rating_metrics(Rating.objects.all(), start=today, end=today)
    assert (m.total, m.active, m.satisfied, m.bad) == (4, 3, 3, 1)
    assert (m.active_rate, m.satisfaction_rate, m.rectification_rate, m.callback_rate) == (75.0, 75.0, 0.0, 0.0)


def _survey(world):
    office = world.user("supervisor")
    s = survey_create(actor=office, title="2026年度部门作风满意度测评", max_per_hour=3)
    q1 = survey_question_add(survey=s, actor=office, kind="rating", text="办事效率")
    q2 = survey_question_add(survey=s, actor=office, kind="choice", text="是否一次办成", options=["是", "否"])
    q3 = survey_question_add(survey=s, actor=office, kind="text", text="意见建议", required=False)
    survey_set_status(survey=s, actor=office, status="open")
    return s, (q1, q2, q3)


def test_survey_single_use_link_answers_once_and_bad_answers_are_rejected(world):
    s, (q1, q2, _q3) = _survey(world)
    link = survey_link_create(survey=s, actor=world.user("supervisor"), group="deputy", single_use=True)
    with pytest.raises(ValidationError) as e:
        survey_respond(link=link, answers={f"q{q1.pk}": "9", f"q{q2.pk}": "也许"}, session_key="a", ip="1.1.1.1")
    assert "评分须为1至5分" in str(e.value)
    assert "请从选项中选择" in str(e.value)
    assert SurveyResponse.objects.count() == 0
    survey_respond(link=link, answers={f"q{q1.pk}": "5", f"q{q2.pk}": "是"}, session_key="a", ip="1.1.1.1")
    with pytest.raises(ValidationError) as e:
        survey_respond(link=link, answers={f"q{q1.pk}": "1", f"q{q2.pk}": "否"}, session_key="b", ip="2.2.2.2")
    assert "已提交过" in str(e.value)


def test_survey_open_link_one_response_per_session_and_rate_limited(world):
    s, (q1, q2, _q3) = _survey(world)
    link = survey_link_create(survey=s, actor=world.user("supervisor"), group="resident")
    ans = {f"q{q1.pk}": "4", f"q{q2.pk}": "是"}
    survey_respond(link=link, answers=ans, session_key="s1", ip="3.3.3.3")
    with pytest.raises(ValidationError):
        survey_respond(link=link, answers=ans, session_key="s1", ip="3.3.3.3")
    survey_respond(link=link, answers=ans, session_key="s2", ip="3.3.3.3")
    survey_respond(link=link, answers=ans, session_key="s3", ip="3.3.3.3")
    with pytest.raises(ValidationError) as e:  # max_per_hour=3 from one address
        survey_respond(link=link, answers=ans, session_key="s4", ip="3.3.3.3")
    assert "过于频繁" in str(e.value)
    assert SurveyResponse.objects.count() == 3


def test_survey_management_is_for_the_office_only(world):
    for role in ["clerk", "dept_head", "applicant", "admin"]:
        with pytest.raises(PermissionDenied):
            survey_create(actor=world.user(role), title="测评")


def test_rat1_sms_link_invites_completed_cases_once_and_opens_the_rating_page(
    world, client, django_capture_on_commit_callbacks
):

    MemorySmsBackend.outbox.clear()
    # given a case delivered today with a mobile number, one delivered 8 days ago, one without a phone
    fresh = completed_case(world, applicant_phone="13800000001")
    completed_case(world, applicant_phone="13800000002", delivered_at=timezone.now() - timedelta(days=8))
    no_phone = completed_case(world, applicant_phone="0571-8888888")
    no_phone.applicant.phone = ""
    no_phone.applicant.save(update_fields=["phone"])
    # when the invitation task runs twice
    with django_capture_on_commit_callbacks(execute=True):
        assert rating_invite_cases() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert rating_invite_cases() == 0
    # then one SMS went to the fresh case's applicant, with a link that rates it by SMS
    assert [p for p, _t in MemorySmsBackend.outbox] == ["13800000001"]
    text = MemorySmsBackend.outbox[0][1]
    assert "赵先生" not in text
    assert fresh.version.name in text
    path = "/" + text.split("://", 1)[1].split("/", 1)[1]
    assert path.endswith("?via=sms")
    assert client.get(path).status_code == 200
    client.post(path, {"level": "4", "via": "sms"})
    assert Rating.objects.get(case=fresh).source == Source.SMS


def test_rat1_window_service_with_a_phone_gets_the_sms_link(world, django_capture_on_commit_callbacks):

    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        svc = hall_service_record(actor=world.user("clerk"), service_name="社保卡补办", person_phone="13900000009")
        hall_service_record(actor=world.user("clerk"), service_name="咨询", person_phone="")
    assert len(MemorySmsBackend.outbox) == 1
    phone, text = MemorySmsBackend.outbox[0]
    assert phone == "13900000009"
    assert "社保卡补办" in text
    assert "?via=sms" in text
    token = text.split("/rate/", 1)[1].split("/", 1)[0]
    assert rating_target(token) == (None, svc)


def test_survey_limit_counts_the_respondent_behind_the_proxy_not_the_proxy(rf, settings):

    settings.XIAONENG_TRUSTED_PROXIES = ["127.0.0.1"]
    behind = rf.get("/s/x/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.9")
    assert client_address(behind) == "10.0.0.9"  # the right-most hop the proxy saw
    spoofed = rf.get("/s/x/", REMOTE_ADDR="5.6.7.8", HTTP_X_FORWARDED_FOR="9.9.9.9")
    assert client_address(spoofed) == "5.6.7.8"  # a header from an untrusted peer is ignored


def test_survey_scores_for_the_evaluation_overall_and_by_group(world):

    office = world.user("supervisor")
    s = survey_create(actor=office, title="测评")
    q = survey_question_add(survey=s, actor=office, kind="rating", text="满意度")
    survey_question_add(survey=s, actor=office, kind="text", text="建议", required=False)
    deputies = survey_link_create(survey=s, actor=office, group="deputy")
    business = survey_link_create(survey=s, actor=office, group="business")
    survey_set_status(survey=s, actor=office, status="open")
    for link, score, sess in [(deputies, "5", "a"), (deputies, "3", "b"), (business, "1", "c")]:
        survey_respond(link=link, answers={f"q{q.pk}": score}, session_key=sess, ip="10.0.0.1")
    scores = survey_scores(s)
    # (5 + 3 + 1) / 3 = 3 → 50; deputies 4 → 75; businesses 1 → 0
    assert scores == {
        "score": 50.0,
        "answers": 3,
        "groups": {"deputy": {"score": 75.0, "answers": 2}, "business": {"score": 0.0, "answers": 1}},
    }
