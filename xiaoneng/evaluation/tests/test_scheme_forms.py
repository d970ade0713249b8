"""Every form of the scheme pages (and of the warning-index page), refused, answers on the page with
the translated message and the typed input kept (selects keep their choice), and writes nothing
(issue 12)."""

from __future__ import annotations

import pytest

from xiaoneng.evaluation.choices import PanelGroup
from xiaoneng.evaluation.models import (
    Award,
    EvaluatedUnit,
    Indicator,
    Interview,
    PanelScore,
    Scheme,
    SelfAssessment,
    SurveyTarget,
    WarningIndex,
    WarningTalk,
)
from xiaoneng.evaluation.services import panel_member_add, scheme_bottom_act, scheme_compute, scheme_publish
from xiaoneng.ratings.actions.rating import hall_service_record, rating_submit
from xiaoneng.ratings.actions.surveys import survey_create, survey_question_add


def _ratings(clerk, levels):
    for lv in levels:
        svc = hall_service_record(actor=clerk, service_name="咨询", window="A1")
        rating_submit(level=lv, source="terminal", service=svc, reason="" if lv > 2 else "等候太久")


def _url(ev):
    return f"/evaluation/schemes/{ev.scheme.pk}/"


def test_refused_scheme_keeps_year_and_name(client, world):
    client.force_login(world.user("supervisor"))
    page = client.post("/evaluation/schemes/", {"year": "9999", "name": "2027年度市级机关绩效考评"})
    body = page.content.decode()
    assert page.status_code == 400
    assert "年度须在" in body
    assert 'value="9999"' in body
    assert 'value="2027年度市级机关绩效考评"' in body
    assert not Scheme.objects.exists()


def test_refused_indicator_keeps_every_field(client, world, ev):
    client.force_login(world.user("supervisor"))
    data = {
        "action": "indicator",
        "name": "依法行政",
        "kind": "data",
        "weight": "abc",
        "category": "enforcement",
        "data_key": "disclosure.on_time",
        "description": "按时答复率每低1个百分点扣0.5分",
    }
    page = client.post(_url(ev), data)
    body = page.content.decode()
    assert page.status_code == 400
    assert "权重须是数字" in body
    form = body.split('id="indicator-form"')[1].split("</form>")[0]
    assert 'value="依法行政"' in form
    assert 'value="abc"' in form
    assert '<option value="data" selected>' in form
    assert '<option value="enforcement" selected>' in form
    assert '<option value="disclosure.on_time" selected>' in form
    assert 'value="按时答复率每低1个百分点扣0.5分"' in form
    assert Indicator.objects.filter(scheme=ev.scheme).count() == 4


def test_refused_unit_keeps_department_and_category(client, world, ev):
    client.force_login(world.user("supervisor"))
    # 市场监管局 is on the list already
    page = client.post(_url(ev), {"action": "unit", "department": world.dept.pk, "category": "township"})
    body = page.content.decode()
    assert page.status_code == 400
    assert "该单位已在考评名单中" in body
    form = body.split('id="unit-form"')[1].split("</form>")[0]
    assert f'<option value="{world.dept.pk}" selected>' in form
    assert '<option value="township" selected>' in form
    assert EvaluatedUnit.objects.filter(scheme=ev.scheme).count() == 3


def test_refused_self_assessment_keeps_score_and_statement(client, world, ev):
    scheme_publish(actor=world.user("supervisor"), scheme=ev.scheme)
    client.force_login(world.user("dept_head"))
    data = {"action": "self", "indicator": ev.self_ind.pk, "score": "101", "statement": "全年办件按时办结率99.6%"}
    page = client.post(_url(ev), data)
    body = page.content.decode()
    assert page.status_code == 400
    assert "分数须在0至100之间" in body
    form = body.split('id="self-form"')[1].split("</form>")[0]
    assert 'value="101"' in form
    assert 'value="全年办件按时办结率99.6%"' in form
    assert f'<option value="{ev.self_ind.pk}" selected>' in form
    assert "请重新选择佐证材料文件" in form
    assert not SelfAssessment.objects.exists()


def test_refused_panel_score_keeps_the_input_and_a_conflict_says_why(client, world, ev):
    scheme_publish(actor=world.user("supervisor"), scheme=ev.scheme)
    client.force_login(world.user("panelist"))
    data = {
        "action": "panel",
        "department": world.other_dept.pk,
        "indicator": ev.panel_ind.pk,
        "score": "NaN",
        "comment": "窗口服务规范",
    }
    page = client.post(_url(ev), data)
    body = page.content.decode()
    assert page.status_code == 400
    assert "分数须是数字" in body
    form = body.split('id="panel-form"')[1].split("</form>")[0]
    assert f'<option value="{world.other_dept.pk}" selected>' in form
    assert 'value="NaN"' in form
    assert 'value="窗口服务规范"' in form
    # a member of 住建局 scoring 住建局 is refused (回避) on the page, with the input kept
    panel_member_add(
        actor=world.user("supervisor"), scheme=ev.scheme, user=world.user("other_clerk"), group=PanelGroup.OFFICE
    )
    client.force_login(world.user("other_clerk"))
    page = client.post(_url(ev), {**data, "score": "90"})
    body = page.content.decode()
    assert page.status_code == 403
    assert "回避本单位" in body
    form = body.split('id="panel-form"')[1].split("</form>")[0]
    assert 'value="90"' in form
    assert not PanelScore.objects.exists()


@pytest.fixture
def bottom(world, ev):
    office = world.user("supervisor")
    _ratings(world.user("clerk"), [5] * 38 + [1] * 2)
    _ratings(world.user("other_clerk"), [4] * 20 + [2] * 20)
    scheme_publish(actor=office, scheme=ev.scheme)
    scheme_compute(actor=office, scheme=ev.scheme)
    scheme_bottom_act(actor=office, scheme=ev.scheme)
    return ev


def test_refused_award_keeps_unit_kind_and_citation(client, world, bottom):
    client.force_login(world.user("leader"))
    # 住建局 is in the bottom band: no award
    data = {"action": "award", "department": world.other_dept.pk, "kind": "brand", "citation": "窗口服务口碑好"}
    page = client.post(_url(bottom), data)
    body = page.content.decode()
    assert page.status_code == 400
    assert "末位单位不能评先评优" in body
    form = body.split('id="award-form"')[1].split("</form>")[0]
    assert f'<option value="{world.other_dept.pk}" selected>' in form
    assert '<option value="brand" selected>' in form
    assert 'value="窗口服务口碑好"' in form
    assert not Award.objects.exists()


def test_refused_talk_record_keeps_date_and_note(client, world, bottom):
    talk = WarningTalk.objects.get()
    client.force_login(world.user("supervisor"))
    page = client.post(
        f"/evaluation/talks/{talk.pk}/hold/", {"held_on": "9999-01-01", "note": "约谈局长，提出三点整改要求"}
    )
    body = page.content.decode()
    assert page.status_code == 400
    assert "谈话日期的年份须在" in body
    form = body.split('class="inline talk-form"')[1].split("</form>")[0]
    assert 'value="9999-01-01"' in form
    assert 'value="约谈局长，提出三点整改要求"' in form
    talk.refresh_from_db()
    assert talk.status == "planned"


def test_office_ties_a_survey_question_to_a_unit_on_the_page(client, world, ev):
    # given a questionnaire listing two units, one rating question each
    office = world.user("supervisor")
    survey = survey_create(actor=office, title="2026年度社会测评")
    q_dept = survey_question_add(survey=survey, actor=office, kind="rating", text="对市场监管局的满意度")
    other = survey_create(actor=office, title="窗口服务测评")
    q_elsewhere = survey_question_add(survey=other, actor=office, kind="rating", text="窗口服务满意度")
    client.force_login(office)
    url = _url(ev)
    form = client.get(url).content.decode().split('id="survey-form"')[1].split("</form>")[0]
    assert "对市场监管局的满意度" in form
    # when the office picks a question of another questionnaire: refused on the page, choices kept
    data = {
        "action": "survey",
        "indicator": ev.survey_ind.pk,
        "survey": survey.pk,
        "department": world.dept.pk,
        "question": q_elsewhere.pk,
    }
    page = client.post(url, data)
    body = page.content.decode()
    assert page.status_code == 400
    assert "题目不属于该问卷" in body
    form = body.split('id="survey-form"')[1].split("</form>")[0]
    assert f'<option value="{survey.pk}" selected>' in form
    assert f'<option value="{world.dept.pk}" selected>' in form
    assert f'<option value="{q_elsewhere.pk}" selected>' in form
    assert not SurveyTarget.objects.exists()
    # then with its own question the unit is tied and listed
    page = client.post(url, {**data, "question": q_dept.pk}, follow=True)
    assert "问卷已关联被考评单位" in page.content.decode()
    t = SurveyTarget.objects.get()
    assert (t.indicator_id, t.survey_id, t.department_id, t.question_id) == (
        ev.survey_ind.pk,
        survey.pk,
        world.dept.pk,
        q_dept.pk,
    )
    table = page.content.decode().split('id="survey-targets"')[1].split("</table>")[0]
    assert "市场监管局" in table
    assert "对市场监管局的满意度" in table
    # a leader reads the scheme but may not tie surveys; a data indicator is not a survey indicator
    client.force_login(world.user("leader"))
    assert client.post(url, {**data, "department": world.other_dept.pk, "question": ""}).status_code == 403
    client.force_login(office)
    page = client.post(url, {**data, "indicator": ev.data.pk, "question": ""})
    assert page.status_code == 400
    assert "请选择社会测评指标" in page.content.decode()
    assert SurveyTarget.objects.count() == 1


def test_refused_warning_page_forms_keep_what_was_typed(client, world):
    client.force_login(world.user("supervisor"))
    url = "/evaluation/warnings/"
    # a monitoring-point report dated in year 1
    page = client.post(
        url,
        {
            "action": "monitoring",
            "point": "工业园区监测点",
            "department": world.other_dept.pk,
            "day": "0001-01-01",
            "text": "施工许可拖延两周",
            "severity": "2",
        },
    )
    body = page.content.decode()
    assert page.status_code == 400
    assert "报告日期的年份须在" in body
    form = body.split('id="monitoring-form"')[1].split("</form>")[0]
    assert 'value="工业园区监测点"' in form
    assert 'value="施工许可拖延两周"' in form
    assert 'value="0001-01-01"' in form
    assert f'<option value="{world.other_dept.pk}" selected>' in form
    assert '<option value="2" selected>' in form
    # an interview with an unknown severity
    page = client.post(
        url,
        {"action": "interview", "department": world.dept.pk, "day": "2026-03-02", "text": "窗口推诿", "severity": "9"},
    )
    body = page.content.decode()
    assert page.status_code == 400
    assert "请选择有效的严重程度" in body
    form = body.split('id="interview-form"')[1].split("</form>")[0]
    assert 'value="窗口推诿"' in form
    assert 'value="2026-03-02"' in form
    assert f'<option value="{world.dept.pk}" selected>' in form
    # a month that is not one
    page = client.post(url, {"action": "compute", "month": "2026-13"})
    assert page.status_code == 400
    assert "请选择月份" in page.content.decode()
    assert 'value="2026-13"' in page.content.decode().split('id="compute-form"')[1].split("</form>")[0]
    assert not Interview.objects.exists()
    assert not WarningIndex.objects.exists()
