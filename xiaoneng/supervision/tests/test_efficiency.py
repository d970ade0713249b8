# mypy: disable-error-code="union-attr,arg-type,misc,attr-defined,operator"
"""The efficiency index, the three-level warning (SUP-3), quarterly grades, the periodic
refresh and freeze, the public warning list, drill-down and scoping."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

from xiaoneng.complaints.choices import Kind, Status
from xiaoneng.complaints.models import Complaint
from xiaoneng.core.actors import SYSTEM
from xiaoneng.core.models import Event
from xiaoneng.oversight.models import Rectification
from xiaoneng.oversight.services import rectification_open
from xiaoneng.ratings.models import InHallService, Rating
from xiaoneng.supervision.choices import DeductionSource, Grade, IrregularityStatus, Level, Severity, WarningLevel
from xiaoneng.supervision.efficiency.scoring import UnitFacts, score_unit
from xiaoneng.supervision.efficiency.services import efficiency_compute, efficiency_grade_quarter, efficiency_refresh
from xiaoneng.supervision.models import Alert, Deduction, EfficiencyPolicy, EfficiencyScore, Irregularity, QuarterGrade
from xiaoneng.supervision.tests.conftest import make_clock

SH = ZoneInfo("Asia/Shanghai")
OCT = date(2026, 10, 1)
IN_OCT = datetime(2026, 10, 20, 10, 0, tzinfo=SH)
AFTER_OCT = datetime(2026, 11, 2, 10, 0, tzinfo=SH)
_n = [0]


def alert(world, level, *, dept=None, at=IN_OCT, clock=None):
    dept = dept or world.dept
    clock = clock or make_clock(world, dept=dept)
    return Alert.objects.create(
        tenant=world.city,
        clock=clock,
        level=level,
        department=dept,
        region=dept.region,
        raised_at=at,
        threshold_at=at,
    )


def irregularity(world, *, severity=Severity.SERIOUS, status=IrregularityStatus.CONFIRMED, dept=None):
    _n[0] += 1
    dept = dept or world.dept
    return Irregularity.objects.create(
        tenant=world.city,
        rule="SUP-2.2",
        severity=severity,
        subject_type=ContentType.objects.get_for_model(dept),
        subject_id=str(_n[0]),
        subject_label=f"XK-{_n[0]}",
        department=dept,
        region=dept.region,
        detected_at=IN_OCT,
        detail="一次性告知后再次要求补正",
        status=status,
    )


def complaint(world, *, substantiated=True, on_time=True, dept=None, replied=True, at=IN_OCT):
    _n[0] += 1
    dept = dept or world.dept
    return Complaint.objects.create(
        tenant=world.city,
        number=f"TS-{_n[0]:05d}",
        verification_hash="x" * 64,
        region=world.city,
        channel="web",
        kind=Kind.EFFICIENCY,
        status=Status.REPLIED if replied else Status.DISPATCHED,
        title="窗口两次要求提交同一份材料",
        content="……",
        complainant_name="赵先生",
        department=dept,
        handling_department=dept,
        received_at=at,
        dispatched_at=at,
        replied_at=at if replied else None,
        replied_on_time=on_time if replied else None,
        substantiated=substantiated,
    )


def rating(world, level, *, dept=None, at=IN_OCT):
    dept = dept or world.dept
    svc = InHallService.objects.create(tenant=world.city, department=dept, service_name="咨询", served_at=at)
    return Rating.objects.create(
        tenant=world.city, service=svc, department=dept, level=level, source="terminal", rated_at=at
    )


def score_of(dept, month=OCT) -> EfficiencyScore:
    return EfficiencyScore.objects.get(department=dept, month=month)


def points(score, source) -> Decimal:
    d = score.deductions.filter(source=source).first()
    return d.points if d else Decimal(0)


# --- SUP-5 scoring -------------------------------------------------------------------------------


def test_sup5_defaults_three_reminders_minus_3_yellow_minus_5_red_minus_10(world):
    # given in October: 3 reminders, 1 yellow and 1 red on five obligations of 市场监管局
    for _i in range(3):
        alert(world, Level.REMIND)
    alert(world, Level.YELLOW)
    red = alert(world, Level.RED)
    # when the month is computed
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    # then 100 − 3 − 5 − 10 = 82, every deduction itemised
    s = score_of(world.dept)
    assert s.score == Decimal("82.0")
    assert s.deducted == Decimal("18.0")
    assert points(s, DeductionSource.ALERT_REMIND) == 3
    assert points(s, DeductionSource.ALERT_YELLOW) == 5
    assert points(s, DeductionSource.ALERT_RED) == 10
    assert s.deductions.get(source=DeductionSource.ALERT_RED).refs == [red.pk]
    assert "每连续3次扣3分" in s.deductions.get(source=DeductionSource.ALERT_REMIND).explanation
    # and a unit without findings keeps the whole base
    assert score_of(world.other_dept).score == 100


def test_sup5_two_reminders_cost_nothing_and_an_obligation_counts_once_at_its_highest_level(world):
    clock = make_clock(world)
    alert(world, Level.REMIND, clock=clock)
    alert(world, Level.YELLOW, clock=clock)
    alert(world, Level.RED, clock=clock)
    alert(world, Level.REMIND)
    alert(world, Level.REMIND)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    s = score_of(world.dept)
    # the obligation that went red costs −10 only; the two other reminders make no run of 3
    assert s.score == 90
    assert list(s.deductions.values_list("source", flat=True)) == [DeductionSource.ALERT_RED]
    assert s.figures["alerts"] == {"remind": 2, "yellow": 0, "red": 1}


def test_sup5_alerts_of_another_month_do_not_count(world):
    alert(world, Level.RED, at=datetime(2026, 9, 30, 23, 0, tzinfo=SH))
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    assert score_of(world.dept).score == 100


def test_sup5_confirmed_irregularities_count_by_severity_open_and_dismissed_do_not(world):
    irregularity(world, severity=Severity.MINOR)
    irregularity(world, severity=Severity.GRAVE, status=IrregularityStatus.RECTIFIED)
    irregularity(world, status=IrregularityStatus.OPEN)
    irregularity(world, status=IrregularityStatus.DISMISSED)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    s = score_of(world.dept)
    assert points(s, DeductionSource.IRREGULARITY) == 12  # 2 + 10
    assert s.deductions.get(source=DeductionSource.IRREGULARITY).count == 2


def test_sup5_substantiated_complaints_and_late_replies_cmp4(world):
    complaint(world)  # substantiated, on time: −5
    complaint(world, substantiated=False, on_time=False)  # late: −1
    complaint(world, substantiated=False)  # neither
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    s = score_of(world.dept)
    assert points(s, DeductionSource.COMPLAINT) == 5
    late = s.deductions.get(source=DeductionSource.LATE_REPLY)
    assert late.points == 1
    assert late.count == 1
    # issue 9: the explanation names the target, not the rule's ID
    assert "按时答复率66.7%" in late.explanation
    assert "CMP-4" not in late.explanation


def test_rat4_satisfaction_below_target_deducts_only_with_enough_ratings(world):
    # 8 satisfied + 2 unsatisfied = 80 %: 15 points short of 95 %, capped at −5
    for _i in range(8):
        rating(world, 4)
    for _i in range(2):
        rating(world, 2)
    # 5 ratings in the other department, all bad: too few to make a rate
    for _i in range(5):
        rating(world, 1, dept=world.other_dept)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    assert points(score_of(world.dept), DeductionSource.SATISFACTION) == 5
    assert score_of(world.other_dept).score == 100


def test_rat3_bad_review_counts_only_once_its_rectification_is_overdue(world):

    bad = rating(world, 1)
    rect = rectification_open(
        department=world.dept, title="差评整改", problem="服务态度差", source=bad, limit=5, actor=SYSTEM
    )
    # before the rectification's due time: no deduction
    efficiency_compute(tenant=world.city, month=OCT, now=rect.clock.due_at - timedelta(hours=1))
    assert points(score_of(world.dept), DeductionSource.BAD_REVIEW) == 0
    # past it, not verified: −2
    efficiency_compute(tenant=world.city, month=OCT, now=rect.clock.due_at + timedelta(hours=1))
    assert points(score_of(world.dept), DeductionSource.BAD_REVIEW) == 2


def test_sup5_default_is_configurable_per_jurisdiction(world):
    EfficiencyPolicy.objects.create(tenant=world.city, red_points=Decimal("20"))
    alert(world, Level.RED)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    assert score_of(world.dept).score == 80


def test_sup5_score_never_below_zero():
    facts = UnitFacts(red=list(range(15)))
    scored = score_unit(facts, EfficiencyPolicy())
    assert scored.deducted == 150
    assert scored.score == 0


# --- SUP-3 three-level warning --------------------------------------------------------------------


def test_sup3_single_composite_and_public_warning(world):
    # 市场监管局: one yellow → 95, single-item warning
    alert(world, Level.YELLOW)
    # 住建局: two reds → 80, composite warning (below 90, not below 80)
    alert(world, Level.RED, dept=world.other_dept)
    alert(world, Level.RED, dept=world.other_dept)
    # county department: three reds → 70, public warning (below 80)
    for _i in range(3):
        alert(world, Level.RED, dept=world.county_dept)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    assert score_of(world.dept).warning == WarningLevel.SINGLE
    assert score_of(world.other_dept).warning == WarningLevel.COMPOSITE
    assert score_of(world.county_dept).warning == WarningLevel.PUBLIC
    assert score_of(world.legal_dept).warning == WarningLevel.NONE


def test_sup3_composite_warning_two_months_running_goes_public(world):
    for month_day in (datetime(2026, 9, 15, 10, tzinfo=SH), IN_OCT):
        alert(world, Level.RED, at=month_day)
        alert(world, Level.RED, at=month_day)
    efficiency_compute(tenant=world.city, month=date(2026, 9, 1), now=AFTER_OCT)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    assert score_of(world.dept, date(2026, 9, 1)).warning == WarningLevel.COMPOSITE
    oct_ = score_of(world.dept)
    assert oct_.score == 80
    assert oct_.warning == WarningLevel.PUBLIC
    assert oct_.warning_reason == "连续两个月综合预警"


def test_sup3_public_warning_page_lists_units_without_personal_data(world, client):
    for _i in range(3):
        alert(world, Level.RED, dept=world.other_dept)
    complaint(world, dept=world.other_dept)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    r = client.get("/supervision/warnings/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "住建局" in body
    assert "市场监管局" not in body.split('id="policy"')[0]
    assert "赵先生" not in body  # the complainant never appears
    policy = body.split('id="policy"')[1]
    assert "默认" in policy
    assert "−10" in policy
    api = client.get("/api/supervision/efficiency/warnings").json()
    assert [w["department"] for w in api] == ["住建局"]


# --- periodic refresh, freeze, recompute -------------------------------------------------------


def test_refresh_freezes_the_closed_month_and_leaves_it_alone(world):
    alert(world, Level.YELLOW)
    efficiency_refresh(now=AFTER_OCT)
    s = score_of(world.dept)
    assert s.frozen
    assert s.score == 95
    assert EfficiencyScore.objects.filter(month=date(2026, 11, 1), department=world.dept).exists()
    # a late-found red alert of October does not change the frozen month on the next run
    alert(world, Level.RED)
    efficiency_refresh(now=AFTER_OCT + timedelta(hours=1))
    assert score_of(world.dept).score == 95
    # the recompute command does, and the month stays frozen
    out = io.StringIO()
    call_command("efficiency_compute", "2026-10", stdout=out)
    s = score_of(world.dept)
    assert s.score == 85
    assert s.frozen
    assert "339100 2026-10" in out.getvalue()
    assert Event.objects.filter(action="efficiency.computed").count() >= 3


def test_refresh_grades_the_quarter_once_it_closes(world):
    for m in (7, 8, 9):
        at = datetime(2026, m, 10, 10, tzinfo=SH)
        for _i in range(4):
            alert(world, Level.RED, at=at)  # 60 every month: 不合格
        efficiency_compute(tenant=world.city, month=date(2026, m, 1), now=AFTER_OCT, freeze=True)
    efficiency_refresh(now=datetime(2026, 10, 1, 2, tzinfo=SH))
    g = QuarterGrade.objects.get(department=world.dept, year=2026, quarter=3)
    assert g.grade == Grade.FAIL
    assert g.score == 60


# --- SUP-5 quarterly grades ---------------------------------------------------------------------


def _months(world, dept, scores):
    for m, reds in zip((7, 8, 9), scores, strict=True):
        at = datetime(2026, m, 10, 10, tzinfo=SH)
        for _i in range(reds):
            alert(world, Level.RED, dept=dept, at=at)
        efficiency_compute(tenant=world.city, month=date(2026, m, 1), now=AFTER_OCT)


def test_sup5_quarterly_grades_and_fail_opens_recommendation_and_rectification(world):
    _months(world, world.dept, [0, 0, 1])  # 100, 100, 90 → 96.7 优秀
    _months(world, world.other_dept, [1, 2, 1])  # 90, 80, 90 → 86.7 良好
    _months(world, world.county_dept, [3, 3, 2])  # 70, 70, 80 → 73.3 合格
    _months(world, world.legal_dept, [4, 3, 3])  # 60, 70, 70 → 66.7 不合格
    efficiency_grade_quarter(tenant=world.city, year=2026, quarter=3, actor=world.user("supervisor"))
    grades = dict(QuarterGrade.objects.values_list("department__name", "grade"))
    assert grades[world.dept.name] == Grade.EXCELLENT
    assert grades[world.other_dept.name] == Grade.GOOD
    assert grades[world.county_dept.name] == Grade.PASS
    assert grades[world.legal_dept.name] == Grade.FAIL
    fail = QuarterGrade.objects.get(department=world.legal_dept)
    assert fail.recommendation_number.startswith("XNJY-339100-")
    assert "不合格" in fail.recommendation_text
    rect = Rectification.objects.get(source_type=ContentType.objects.get_for_model(QuarterGrade))
    assert rect.department == world.legal_dept
    assert fail.rectification == rect
    # grading again is safe: no second rectification, same recommendation number
    efficiency_grade_quarter(tenant=world.city, year=2026, quarter=3)
    assert Rectification.objects.count() == 1
    assert QuarterGrade.objects.get(department=world.legal_dept).recommendation_number == fail.recommendation_number
    assert not QuarterGrade.objects.filter(department=world.dept).exclude(recommendation_number="").exists()


# --- pages: drill-down and scoping --------------------------------------------------------------


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_index_drills_down_from_score_to_deductions_to_alerts(world):
    red = alert(world, Level.RED)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    s = score_of(world.dept)
    c = _client(world.user("supervisor"))
    index = c.get("/supervision/efficiency/?month=2026-10").content.decode()
    assert f"/supervision/efficiency/score/{s.pk}/" in index
    page = c.get(f"/supervision/efficiency/score/{s.pk}/").content.decode()
    d = Deduction.objects.get(score=s)
    assert "红牌1张，每张扣10分" in page
    assert f"/supervision/efficiency/deduction/{d.pk}/" in page
    records = c.get(f"/supervision/efficiency/deduction/{d.pk}/").content.decode()
    assert f"/supervision/alerts/{red.pk}/" in records
    assert red.clock.label in records


def test_scoping_county_supervisor_department_staff_and_applicant(world):
    alert(world, Level.RED)
    for _i in range(3):
        alert(world, Level.RED, dept=world.county_dept)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    city_score, county_score = score_of(world.dept), score_of(world.county_dept)
    # the county's supervisor sees the county's units only (not even the city's public-warned rows)
    c = _client(world.user("county_supervisor"))
    body = c.get("/supervision/efficiency/?month=2026-10").content.decode()
    assert world.county_dept.name in body
    assert f"score/{city_score.pk}/" not in body
    assert c.get(f"/supervision/efficiency/score/{city_score.pk}/").status_code == 404
    api = c.get("/api/supervision/efficiency?month=2026-10").json()
    assert [r["department"] for r in api] == [world.county_dept.name]
    assert c.get(f"/api/supervision/efficiency/{city_score.pk}").status_code == 404
    # another county's supervisor sees nothing of it
    other = _client(world.user("other_county_supervisor"))
    assert other.get(f"/supervision/efficiency/score/{county_score.pk}/").status_code == 404
    # a unit's staff see their own unit only
    clerk = _client(world.user("clerk"))
    assert clerk.get(f"/supervision/efficiency/score/{city_score.pk}/").status_code == 200
    assert clerk.get(f"/supervision/efficiency/score/{county_score.pk}/").status_code == 404
    assert [r["department"] for r in clerk.get("/api/supervision/efficiency?month=2026-10").json()] == [world.dept.name]
    # an applicant is refused everywhere, and the leader's page is for leaders and the office only
    applicant = _client(world.user("applicant"))
    assert applicant.get("/supervision/efficiency/").status_code == 403
    assert applicant.get("/api/supervision/efficiency").status_code == 403
    assert clerk.get("/supervision/leader/").status_code == 403
    assert applicant.get("/supervision/leader/").status_code == 403


def test_leader_page_shows_index_warning_list_bottom_units_complaints_and_ratings(world):
    for _i in range(3):
        alert(world, Level.RED, dept=world.other_dept)
    complaint(world, dept=world.other_dept)
    rating(world, 5)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    body = _client(world.user("leader")).get("/supervision/leader/?month=2026-10").content.decode()
    public = body.split('id="public-list"')[1].split('id="bottom"')[0]
    assert "住建局" in public
    assert "65.0" in public
    bottom = body.split('id="bottom"')[1]
    assert "住建局" in bottom
    assert "投诉 1 件，属实 1 件" in body
    assert "评价 1 条，差评 0 条" in body


# --- stored text in the reader's language ---------------------------------------------------------


@contextmanager
def en_catalog(entries: dict[str, str]):
    """English as the translations will be once the integrator adds them: the entries are patched into
    the live "en" catalog (and removed after), so a pass proves the text goes through gettext."""

    with mock.patch.dict(trans_real.translation("en")._catalog._catalogs[0], entries):
        yield


def test_sup5_deductions_and_sup3_reasons_are_stored_as_keys_and_params(world):
    # given three red cards (score 70, below the public warning line) and three reminders
    for _i in range(3):
        alert(world, Level.RED)
        alert(world, Level.REMIND)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    s = score_of(world.dept)
    red = s.deductions.get(source=DeductionSource.ALERT_RED)
    # then the JSON holds the message key and its parameters, not the sentence
    assert red.message["key"] == DeductionSource.ALERT_RED
    assert red.message["params"]["n"] == 3
    assert Decimal(red.message["params"]["p"]) == 10
    assert s.warning == WarningLevel.PUBLIC
    assert s.warning_message["key"] == "warning.below"
    assert Decimal(s.warning_message["params"]["n"]) == 80
    # and the Chinese rendering (the default language) is the wording it always was
    assert red.explanation_text == "红牌3张，每张扣10分" == red.explanation
    assert s.warning_reason_text == "月度得分低于80分" == s.warning_reason
    remind = s.deductions.get(source=DeductionSource.ALERT_REMIND)
    assert remind.explanation_text == "预警提醒3次，每连续3次扣3分"
    # issue 9: no rule ID in what users read
    assert not any(re.search(r"[A-Z]{3}-\d", d.explanation_text) for d in s.deductions.all())


def test_stored_messages_render_through_gettext_in_the_readers_language(world):
    for _i in range(3):
        alert(world, Level.RED)
    alert(world, Level.YELLOW, dept=world.other_dept)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    s, single = score_of(world.dept), score_of(world.other_dept)
    red = s.deductions.get(source=DeductionSource.ALERT_RED)
    en = {
        "红牌%(n)s张，每张扣%(p)s分": "%(n)s red cards, %(p)s points each",
        "月度得分低于%(n)s分": "Monthly score below %(n)s",
        "黄牌": "Yellow card",
    }
    with en_catalog(en):
        with translation.override("en"):
            assert red.explanation_text == "3 red cards, 10 points each"
            assert s.warning_reason_text == "Monthly score below 80"
            assert single.warning == WarningLevel.SINGLE
            assert single.warning_reason_text == "Yellow card"
        with translation.override("zh-hans"):
            assert single.warning_reason_text == "黄牌"
        # the score page with the language cookie, and the API with Accept-Language: en
        leader = world.user("leader")
        page = Client()
        page.force_login(leader)
        page.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        html = page.get(f"/supervision/efficiency/score/{s.pk}/").content.decode()
        assert "3 red cards, 10 points each" in html
        assert "Monthly score below 80" in html
        assert "红牌3张" not in html
        api = Client()
        api.force_login(leader)
        body = api.get(f"/api/supervision/efficiency/{s.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
        assert body["warning_reason"] == "Monthly score below 80"
        assert body["warning_message"]["key"] == "warning.below"
        assert body["deductions"][0]["explanation"] == "3 red cards, 10 points each"
        assert body["deductions"][0]["message"]["key"] == DeductionSource.ALERT_RED
        public = Client().get("/api/supervision/efficiency/warnings", HTTP_ACCEPT_LANGUAGE="en").json()
        assert [w["reason"] for w in public] == ["Monthly score below 80"]
        # and in Chinese the same row reads as before
        zh = api.get(f"/api/supervision/efficiency/{s.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
        assert zh["deductions"][0]["explanation"] == "红牌3张，每张扣10分"


def test_rows_stored_as_text_before_the_keys_still_read(world):
    alert(world, Level.RED)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    s = score_of(world.dept)
    # given rows as the first version wrote them: Chinese text, no message
    Deduction.objects.filter(score=s).update(message={}, explanation="红牌1张，每张扣10分（旧）")
    EfficiencyScore.objects.filter(pk=s.pk).update(warning_message={}, warning_reason="旧的预警原因")
    s.refresh_from_db()
    d = s.deductions.get()
    with translation.override("en"):
        assert d.explanation_text == "红牌1张，每张扣10分（旧）"
        assert s.warning_reason_text == "旧的预警原因"
    # and a key this version does not know falls back to the stored text as well
    d.message = {"key": "no.such.key", "params": {}}
    assert d.explanation_text == "红牌1张，每张扣10分（旧）"
    c = Client()
    c.force_login(world.user("leader"))
    assert "红牌1张，每张扣10分（旧）" in c.get(f"/supervision/efficiency/score/{s.pk}/").content.decode()
