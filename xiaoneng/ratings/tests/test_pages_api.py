# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value"
# (tests follow nullable clocks and XML nodes that the fixtures always set)
"""Ratings and survey pages and API: public rating by token (web, SMS, QR), the terminal, scoping,
the protected rater, wrong roles refused, results and Excel export."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xiaoneng.ratings.actions.rating import rating_submit
from xiaoneng.ratings.actions.surveys import survey_create, survey_link_create, survey_question_add, survey_set_status
from xiaoneng.ratings.choices import Level, Source
from xiaoneng.ratings.links import rating_token
from xiaoneng.ratings.models import InHallService, Rating

pytestmark = pytest.mark.django_db


def test_rate_page_by_sms_link_records_the_source(client, world, case):
    token = rating_token(case=case)
    url = reverse("ratings:rate", args=[token]) + "?via=sms"
    assert "非常满意" in client.get(url).content.decode()
    r = client.post(url, {"level": "4", "via": "sms", "comment": "很快"}, follow=True)
    assert r.status_code == 200
    assert "感谢" in r.content.decode()
    assert Rating.objects.get(case=case).source == Source.SMS


def test_rate_page_bad_input_and_bad_token(client, world, case):
    token = rating_token(case=case)
    r = client.post(reverse("ratings:rate", args=[token]), {"level": "9"})
    assert "五个评价等级" in r.content.decode()
    assert Rating.objects.count() == 0
    assert client.get(reverse("ratings:rate", args=["forged"])).status_code == 404


def test_qr_code_is_an_svg_for_the_rating_link(client, world, case):
    r = client.get(reverse("ratings:qr", args=[rating_token(case=case)]))
    assert r["Content-Type"] == "image/svg+xml"
    assert b"<svg" in r.content
    client.force_login(world.user("clerk"))
    assert b"<svg" in client.get(reverse("ratings:case_qr", args=[case.pk])).content
    client.force_login(world.user("other_clerk"))
    assert client.get(reverse("ratings:case_qr", args=[case.pk])).status_code == 404


def test_window_terminal_records_a_service_and_its_rating(client, world):
    client.force_login(world.user("clerk"))
    r = client.post(reverse("ratings:terminal"), {"service_name": "个体工商户登记咨询", "window": "A3"})
    svc = InHallService.objects.get()
    assert r.status_code == 302
    client.post(reverse("ratings:terminal_rate", args=[svc.pk]), {"level": "5"})
    rating = Rating.objects.get(service=svc)
    assert rating.source == Source.TERMINAL
    assert rating.rater is None


@pytest.mark.parametrize("role", ["applicant", "supervisor", "legal", "admin"])
def test_terminal_refuses_non_window_roles(client, world, role):
    client.force_login(world.user(role))
    assert client.get(reverse("ratings:terminal")).status_code == 403


def test_department_never_sees_the_rater_in_pages_or_api(client, world, case):
    world.user("applicant").display_name = "赵先生"
    world.user("applicant").save()
    r = rating_submit(
        level=Level.UNSATISFIED, source=Source.WEB, case=case, actor=world.user("applicant"), reason="等候太久"
    )
    client.force_login(world.user("dept_head"))
    texts = [
        client.get(reverse("ratings:list")).content.decode(),
        client.get(reverse("ratings:detail", args=[r.pk])).content.decode(),
        str(client.get(f"/api/ratings/ratings/{r.pk}").json()),
        str(client.get("/api/ratings/ratings").json()),
    ]
    for t in texts:
        assert "赵先生" not in t
        assert "13900000011" not in t
    client.force_login(world.user("supervisor"))
    assert client.get(f"/api/ratings/ratings/{r.pk}").json()["rater_phone"] == "13900000011"


@pytest.mark.parametrize("role", ["applicant", "legal", "admin"])
def test_rating_workbench_and_api_refuse_wrong_roles(client, world, case, role):
    r = rating_submit(level=Level.UNSATISFIED, source=Source.WEB, case=case, reason="等候太久")
    client.force_login(world.user(role))
    assert client.get(reverse("ratings:list")).status_code == 403
    assert client.get(reverse("ratings:detail", args=[r.pk])).status_code == 403
    assert client.get("/api/ratings/ratings").status_code == 403
    assert (
        client.post(
            f"/api/ratings/ratings/{r.pk}/verify", {"note": "核实情况"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_api_rate_by_token_and_public_metrics(client, world, case):
    r = client.post(
        "/api/ratings/rate",
        {"token": rating_token(case=case), "level": 5, "source": "qr"},
        content_type="application/json",
    )
    assert r.status_code == 201
    again = client.post(
        "/api/ratings/rate",
        {"token": rating_token(case=case), "level": 1, "reason": "等候太久"},
        content_type="application/json",
    )
    assert again.status_code == 400
    assert "只能评价一次" in str(again.json())
    [m] = client.get("/api/ratings/metrics").json()
    assert m["total"] == 1
    assert m["satisfaction_rate"] == 100.0


def test_public_statistics_page(client, world, case):
    rating_submit(level=Level.BASIC, source=Source.WEB, case=case)
    page = client.get(reverse("ratings:public_stats")).content.decode()
    assert world.dept.name in page
    assert "主动评价率" in page


def _survey(world):
    office = world.user("supervisor")
    s = survey_create(actor=office, title="营商环境满意度测评")
    q = survey_question_add(survey=s, actor=office, kind="rating", text="总体满意度")
    c = survey_question_add(survey=s, actor=office, kind="choice", text="是否遇到推诿", options=["是", "否"])
    survey_set_status(survey=s, actor=office, status="open")
    return s, q, c


def test_survey_respond_results_chart_and_excel(client, world):
    s, q, c = _survey(world)
    link = survey_link_create(survey=s, actor=world.user("supervisor"), group="business")
    url = reverse("ratings:survey_respond", args=[link.token])
    assert client.post(url, {f"q{q.pk}": "5", f"q{c.pk}": "否"}).status_code == 200
    again = client.post(url, {f"q{q.pk}": "1", f"q{c.pk}": "是"})
    assert "已提交过" in again.content.decode()
    client.force_login(world.user("supervisor"))
    page = client.get(reverse("ratings:survey_results", args=[s.pk])).content.decode()
    assert "echarts.min.js" in page
    assert 'id="survey-results"' in page
    xlsx = client.get(reverse("ratings:survey_export", args=[s.pk]))
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.values)
    assert rows[0][3:] == ("总体满意度", "是否遇到推诿")
    assert rows[1][1] == "企业"
    assert rows[1][3:] == (5, "否")


@pytest.mark.parametrize("role", ["applicant", "clerk", "dept_head", "admin"])
def test_survey_pages_refuse_wrong_roles(client, world, role):
    s, _q, _c = _survey(world)
    client.force_login(world.user(role))
    for url in [
        reverse("ratings:surveys"),
        reverse("ratings:survey_detail", args=[s.pk]),
        reverse("ratings:survey_results", args=[s.pk]),
        reverse("ratings:survey_export", args=[s.pk]),
    ]:
        assert client.get(url).status_code == 403


def test_applicant_sees_own_completed_cases_to_rate(client, world, case):
    client.force_login(world.user("applicant"))
    assert case.tracking_number in client.get(reverse("ratings:mine")).content.decode()
    client.force_login(world.user("clerk"))
    assert client.get(reverse("ratings:mine")).status_code == 403


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_api_window_terminal_records_and_rates_and_public_api_cannot_claim_the_terminal(client, world):
    # the public rating API may not pretend to be the window terminal
    client.force_login(world.user("clerk"))
    created = _post(client, "/api/ratings/hall-services", {"service_name": "社保卡补办", "window": "B2"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert "/rate/" in body["rating_url"]
    assert body["rating_url"].endswith("?via=qr")
    client.logout()
    forged = _post(client, "/api/ratings/rate", {"token": body["token"], "level": 5, "source": "terminal"})
    assert forged.status_code == 400
    assert Rating.objects.count() == 0
    # the terminal (the clerk's device) records the person's rating, with no rater
    client.force_login(world.user("clerk"))
    r = _post(client, f"/api/ratings/hall-services/{body['id']}/rate", {"level": 4, "comment": "办事快"})
    assert r.status_code == 201
    rating = Rating.objects.get()
    assert rating.source == Source.TERMINAL
    assert rating.rater is None
    # another department's terminal cannot reach the service; the office has no terminal
    client.force_login(world.user("other_clerk"))
    assert _post(client, f"/api/ratings/hall-services/{body['id']}/rate", {"level": 1}).status_code == 404
    client.force_login(world.user("supervisor"))
    assert _post(client, "/api/ratings/hall-services", {"service_name": "x"}).status_code == 403


def test_api_appeal_decided_by_the_office_removes_the_review(client, world, case):
    r = rating_submit(level=Level.VERY_UNSATISFIED, source=Source.WEB, case=case, reason="恶意差评")
    client.force_login(world.user("dept_head"))
    assert (
        _post(
            client, f"/api/ratings/ratings/{r.pk}/appeal", {"reason": "评价人承认误评，系对其他部门不满。"}
        ).status_code
        == 200
    )
    # the department cannot decide its own appeal
    assert (
        _post(client, f"/api/ratings/ratings/{r.pk}/appeal/decide", {"uphold": True, "note": "自己审核"}).status_code
        == 403
    )
    client.force_login(world.user("supervisor"))
    out = _post(client, f"/api/ratings/ratings/{r.pk}/appeal/decide", {"uphold": True, "note": "经核实属误评"})
    assert out.status_code == 200
    assert out.json()["removed"] is True
    assert out.json()["appeal_status"] == "upheld"


def test_api_survey_build_distribute_answer_and_results(client, world):
    client.force_login(world.user("supervisor"))
    s = _post(client, "/api/ratings/surveys", {"title": "企业满意度测评"}).json()
    q1 = _post(client, f"/api/ratings/surveys/{s['id']}/questions", {"kind": "rating", "text": "审批效率"}).json()
    bad = _post(
        client, f"/api/ratings/surveys/{s['id']}/questions", {"kind": "choice", "text": "渠道", "options": ["线上"]}
    )
    assert bad.status_code == 400
    assert "两个选项" in str(bad.json())
    link = _post(client, f"/api/ratings/surveys/{s['id']}/links", {"group": "business", "single_use": True}).json()
    assert link["url"].endswith(f"/s/{link['token']}/")
    assert _post(client, f"/api/ratings/surveys/{s['id']}/status", {"status": "open"}).json()["status"] == "open"
    # an anonymous respondent answers once through the single-use link
    client.logout()
    answer = _post(client, f"/api/ratings/surveys/respond/{link['token']}", {"answers": {f"q{q1['id']}": "4"}})
    assert answer.status_code == 201
    again = _post(client, f"/api/ratings/surveys/respond/{link['token']}", {"answers": {f"q{q1['id']}": "1"}})
    assert again.status_code == 400
    # the results by question and group; a department cannot read them
    client.force_login(world.user("dept_head"))
    assert client.get(f"/api/ratings/surveys/{s['id']}/results").status_code == 403
    client.force_login(world.user("supervisor"))
    res = client.get(f"/api/ratings/surveys/{s['id']}/results").json()
    assert res["responses"] == 1
    assert res["questions"][0]["mean"] == 4.0
    assert res["questions"][0]["group_means"] == [{"group": "business", "mean": 4.0}]


def test_the_applicant_finds_the_rating_page_in_the_portal_menu(client, world, case):
    client.force_login(world.user("applicant"))
    home = client.get("/").content.decode()
    assert reverse("ratings:mine") in home
    client.force_login(world.user("clerk"))
    assert reverse("ratings:mine") not in client.get("/").content.decode()
