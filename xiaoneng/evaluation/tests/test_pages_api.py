"""Pages and API: scoped reads, wrong roles refused, bad input answered with 4xx, reports download."""

from __future__ import annotations

import json
from datetime import date

import pytest

from xiaoneng.evaluation.choices import VoteChoice
from xiaoneng.evaluation.models import PanelScore
from xiaoneng.evaluation.services import (
    commitment_create,
    commitment_publish,
    commitment_voting_open,
    scheme_compute,
    scheme_publish,
)
from xiaoneng.ratings.actions.rating import hall_service_record, rating_submit


def _ratings(clerk, levels):
    for lv in levels:
        svc = hall_service_record(actor=clerk, service_name="咨询", window="A1")
        rating_submit(level=lv, source="terminal", service=svc, reason="" if lv > 2 else "等候太久")


@pytest.fixture
def computed(world, ev):
    _ratings(world.user("clerk"), [5] * 38 + [1] * 2)
    _ratings(world.user("other_clerk"), [4] * 20 + [2] * 20)
    scheme_publish(actor=world.user("supervisor"), scheme=ev.scheme)
    scheme_compute(actor=world.user("supervisor"), scheme=ev.scheme)
    return ev


def test_scheme_pages_scope(client, world, computed):
    url = f"/evaluation/schemes/{computed.scheme.pk}/"
    # the office and the leader see the scheme and every result
    client.force_login(world.user("leader"))
    page = client.get(url)
    assert page.status_code == 200
    assert "市场监管局" in page.content.decode()
    assert "住建局" in page.content.decode()
    # a department head of an evaluated unit sees only their own unit's result while the scheme runs
    client.force_login(world.user("dept_head"))
    body = client.get(url).content.decode()
    assert 'id="results"' in body
    assert "住建局" not in body.split('id="results"')[1].split("</table>")[0]
    # another county's supervisor and an applicant: 404; anonymous: to the login
    for key in ("other_county_supervisor", "applicant"):
        client.force_login(world.user(key))
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(world.user("leader"))
    assert client.get(f"/evaluation/schemes/{2**70}/").status_code == 404


def test_wrong_role_cannot_post_actions(client, world, computed):
    url = f"/evaluation/schemes/{computed.scheme.pk}/"
    client.force_login(world.user("leader"))
    assert client.post(url, {"action": "compute"}).status_code == 403
    client.force_login(world.user("dept_head"))
    assert client.post(url, {"action": "bottom"}).status_code == 403
    assert client.post("/evaluation/warnings/", {"action": "compute", "month": "2026-01"}).status_code == 403
    client.force_login(world.user("applicant"))
    assert client.get("/evaluation/schemes/").status_code == 403
    assert client.get("/evaluation/warnings/").status_code == 403


def test_panel_scoring_page_refuses_own_department_and_bad_scores(client, world, ev):
    scheme_publish(actor=world.user("supervisor"), scheme=ev.scheme)
    client.force_login(world.user("panelist"))
    url = f"/evaluation/schemes/{ev.scheme.pk}/"
    for bad in ("NaN", "-3", "1e9", "x" * 300, ""):
        r = client.post(
            url,
            {"action": "panel", "indicator": ev.panel_ind.pk, "department": world.dept.pk, "score": bad},
        )
        # answered on the page with the message (bad input: 400), nothing written
        assert r.status_code == 400
        assert 'id="panel-form"' in r.content.decode()
    assert not PanelScore.objects.exists()
    r = client.post(
        url, {"action": "panel", "indicator": ev.panel_ind.pk, "department": world.dept.pk, "score": "88"}, follow=True
    )
    assert "评分已提交" in r.content.decode()
    assert PanelScore.objects.count() == 1
    r = client.post(url, {"action": "panel", "indicator": "abc", "department": "x"})
    assert r.status_code == 404


def test_reports_download(client, world, computed):
    client.force_login(world.user("leader"))
    pdf = client.get(f"/evaluation/schemes/{computed.scheme.pk}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    unit = client.get(f"/evaluation/schemes/{computed.scheme.pk}/report.pdf?department={world.dept.pk}")
    assert unit.status_code == 200
    assert client.get(f"/evaluation/schemes/{computed.scheme.pk}/report.pdf?department=999999").status_code == 404
    xlsx = client.get(f"/evaluation/schemes/{computed.scheme.pk}/report.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")
    client.force_login(world.user("other_county_supervisor"))
    assert client.get(f"/evaluation/schemes/{computed.scheme.pk}/report.xlsx").status_code == 404


def test_api_results_scope_and_refusals(client, world, computed):
    base = f"/api/evaluation/schemes/{computed.scheme.pk}"
    client.force_login(world.user("supervisor"))
    rows = client.get(f"{base}/results").json()
    assert {r["department"] for r in rows} >= {"市场监管局", "住建局"}
    best = next(r for r in rows if r["department"] == "市场监管局")
    assert best["rank"] == 1
    assert best["details"][0]["n"] == 40
    assert client.post(f"{base}/compute").status_code == 200
    client.force_login(world.user("leader"))
    assert client.post(f"{base}/compute").status_code == 403
    client.force_login(world.user("other_county_supervisor"))
    assert client.get(f"{base}/results").status_code == 404
    client.force_login(world.user("applicant"))
    assert client.get("/api/evaluation/providers").status_code == 403
    assert client.get("/api/evaluation/warnings").status_code == 403
    client.logout()
    assert client.get(f"{base}/results").status_code == 401
    client.force_login(world.user("supervisor"))
    assert client.get(f"/api/evaluation/schemes/{2**70}").status_code in (400, 404, 422)


def test_api_results_show_tied_bands_as_the_page_does(client, world, ev):
    """B8: 80 % vs 70 % satisfied of 10 ratings each — the intervals overlap, so the API says tied,
    names the other unit of the band and words the rank as the page does; the county unit has no data."""
    _ratings(world.user("clerk"), [5] * 8 + [1] * 2)
    _ratings(world.user("other_clerk"), [5] * 7 + [1] * 3)
    scheme_publish(actor=world.user("supervisor"), scheme=ev.scheme)
    scheme_compute(actor=world.user("supervisor"), scheme=ev.scheme)
    client.force_login(world.user("supervisor"))
    listed = client.get(f"/api/evaluation/schemes/{ev.scheme.pk}/results").json()
    # the unit without data (not ranked) comes after the ranked ones, not before rank 1
    assert [r["department_id"] for r in listed] == [world.dept.pk, world.other_dept.pk, world.county_dept.pk]
    rows = {r["department_id"]: r for r in listed}
    a, b, none = rows[world.dept.pk], rows[world.other_dept.pk], rows[world.county_dept.pk]
    assert float(a["score"]) > float(b["score"])
    assert (a["rank"], a["rank_to"], a["tied"], a["tied_with"]) == (1, 2, True, [world.other_dept.pk])
    assert (b["rank"], b["rank_to"], b["tied"], b["tied_with"]) == (1, 2, True, [world.dept.pk])
    assert a["band"] == b["band"]
    assert a["rank_text"] == b["rank_text"] == "第1–2名（并列）"
    assert (none["rank"], none["tied"], none["tied_with"], none["rank_text"]) == (0, False, [], "数据不足，不排名")
    # the scheme page shows the same wording for both rows
    page = client.get(f"/evaluation/schemes/{ev.scheme.pk}/").content.decode()
    assert page.count("第1–2名（并列）") >= 2


def test_api_results_separate_bands_are_not_tied(client, world, computed):
    client.force_login(world.user("supervisor"))
    rows = {r["department_id"]: r for r in client.get(f"/api/evaluation/schemes/{computed.scheme.pk}/results").json()}
    best, worse = rows[world.dept.pk], rows[world.other_dept.pk]
    assert (best["rank"], best["tied"], best["tied_with"], best["rank_text"]) == (1, False, [], "第1名")
    assert (worse["rank"], worse["tied"], worse["tied_with"], worse["rank_text"]) == (2, False, [], "第2名")
    assert worse["bottom"] is True


def test_api_panel_score_bad_input_and_conflict(client, world, ev):
    scheme_publish(actor=world.user("supervisor"), scheme=ev.scheme)
    url = f"/api/evaluation/schemes/{ev.scheme.pk}/panel-scores"
    client.force_login(world.user("panelist"))
    post = lambda d: client.post(url, json.dumps(d), content_type="application/json")  # noqa: E731
    for bad in ("NaN", "-1", "101", "abc"):
        r = post({"indicator_id": ev.panel_ind.pk, "department_id": world.dept.pk, "score": bad})
        assert r.status_code == 400, r.content
    r = post({"indicator_id": ev.panel_ind.pk, "department_id": world.legal_dept.pk, "score": "80"})
    assert r.status_code == 400  # the legal department is not evaluated in this scheme
    assert post({"indicator_id": ev.panel_ind.pk, "department_id": world.dept.pk, "score": "80"}).status_code == 201
    client.force_login(world.user("clerk"))
    assert post({"indicator_id": ev.panel_ind.pk, "department_id": world.other_dept.pk, "score": "80"}).status_code in (
        403,
        404,
    )


def test_public_pages_and_vote_api(client, world):
    head, office = world.user("dept_head"), world.user("supervisor")
    c = commitment_create(
        actor=head, year=2026, title="企业开办一日办结", target="1个工作日", target_value=1, target_unit="工作日"
    )
    draft = commitment_create(actor=head, year=2026, title="草稿承诺", target="x", target_value=1, target_unit="件")
    commitment_publish(actor=head, commitment=c)
    assert client.get("/evaluation/public/commitments/").status_code == 200
    assert "企业开办一日办结" in client.get("/evaluation/public/commitments/?year=abc").content.decode()
    assert client.get(f"/evaluation/public/commitments/{draft.pk}/").status_code == 404
    assert client.get("/api/evaluation/public/commitments?year=9999").status_code == 400
    assert len(client.get("/api/evaluation/public/commitments").json()) == 1
    assert client.get("/evaluation/public/results/").status_code == 200
    assert client.get("/evaluation/public/warnings/").status_code == 200
    commitment_voting_open(actor=office, commitment=c)
    client.force_login(world.user("applicant"))
    r = client.post(
        f"/api/evaluation/commitments/{c.pk}/vote",
        json.dumps({"choice": VoteChoice.FULFILLED}),
        content_type="application/json",
    )
    assert r.status_code == 403  # phone not verified
    client.force_login(world.user("clerk"))
    assert client.get(f"/evaluation/commitments/{draft.pk}/").status_code == 200
    client.force_login(world.user("other_clerk"))
    assert client.get(f"/evaluation/commitments/{draft.pk}/").status_code == 404


def test_warning_page_records_and_computes(client, world):
    client.force_login(world.user("supervisor"))
    today = date.today().isoformat()
    r = client.post(
        "/evaluation/warnings/",
        {
            "action": "monitoring",
            "point": "园区监测点",
            "department": world.dept.pk,
            "day": today,
            "text": "拖延",
            "severity": "3",
        },
        follow=True,
    )
    assert "已登记" in r.content.decode()
    r = client.post(
        "/evaluation/warnings/",
        {
            "action": "monitoring",
            "point": "p",
            "department": world.dept.pk,
            "day": "0001-01-01",
            "text": "t",
            "severity": "3",
        },
    )
    # refused on the page (400) with the message, nothing recorded
    assert r.status_code == 400
    assert "已登记" not in r.content.decode()
    r = client.post("/evaluation/warnings/", {"action": "compute", "month": today[:7]}, follow=True)
    assert "预警指数已计算" in r.content.decode()
    assert client.get("/evaluation/warnings/?month=bogus&level=x&page=abc").status_code == 200
