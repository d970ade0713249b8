# mypy: disable-error-code="union-attr,arg-type,misc,attr-defined,index,operator"
"""Bulletins (通报): draft → issued with a number and a frozen snapshot; PDF and Excel downloads;
who may read and who may issue; region scope on pages and API."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from xiaoneng.core.models import Event
from xiaoneng.supervision.bulletins.documents import bulletin_excel, bulletin_pdf
from xiaoneng.supervision.bulletins.figures import figures_of
from xiaoneng.supervision.bulletins.services import bulletin_create, bulletin_issue
from xiaoneng.supervision.choices import BulletinKind, BulletinStatus, DeductionSource, Level
from xiaoneng.supervision.efficiency.services import efficiency_compute
from xiaoneng.supervision.models import Bulletin, EfficiencyScore
from xiaoneng.supervision.tests.conftest import make_clock
from xiaoneng.supervision.tests.test_efficiency import AFTER_OCT, OCT, alert, en_catalog


@pytest.fixture
def october(world):
    alert(world, Level.RED, dept=world.other_dept)
    alert(world, Level.YELLOW)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT, freeze=True)
    return world


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_issue_numbers_the_bulletin_and_freezes_its_figures(october):
    world = october
    office = world.user("supervisor")
    b = bulletin_create(actor=office, region=world.city, kind=BulletinKind.MONTHLY, period=date(2026, 10, 15))
    assert b.period == OCT
    assert b.title == "青溪市2026年10月效能通报"
    assert b.number is None
    # when issued
    b = bulletin_issue(bulletin=b, actor=office, remarks="请各单位对照扣分明细整改。")
    assert b.status == BulletinStatus.ISSUED
    assert b.number.startswith("XNTB-339100-")
    units = {u["department"]: u["score"] for u in b.snapshot["units"]}
    assert units["住建局"] == 90.0
    assert units["市场监管局"] == 95.0
    assert b.snapshot["final"] is True
    assert Event.objects.for_subject(b).filter(action="bulletin.issued").exists()
    # a later recompute of October (two more reds found) changes the index, not the issued bulletin
    alert(world, Level.RED, dept=world.other_dept)
    alert(world, Level.RED, dept=world.other_dept)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT, force=True)
    b.refresh_from_db()
    assert {u["department"]: u["score"] for u in figures_of(b)["units"]}["住建局"] == 90.0
    api = _client(office).get(f"/api/supervision/bulletins/{b.pk}").json()
    assert {u["department"]: u["score"] for u in api["figures"]["units"]}["住建局"] == 90.0
    # while a draft for the same figures shows the live ones
    draft = bulletin_create(actor=office, region=world.city, kind=BulletinKind.QUARTERLY, period=OCT)
    assert {u["department"]: u["score"] for u in figures_of(draft)["units"]}["住建局"] == 70.0
    # and an issued bulletin is not issued twice
    with pytest.raises(ValidationError):
        bulletin_issue(bulletin=b, actor=office)


def test_bad_input_writes_nothing(october):
    world = october
    office = world.user("supervisor")
    bulletin_create(actor=office, region=world.city, kind=BulletinKind.MONTHLY, period=OCT)
    with pytest.raises(ValidationError):
        bulletin_create(actor=office, region=world.city, kind=BulletinKind.MONTHLY, period=OCT)
    with pytest.raises(ValidationError):
        bulletin_create(actor=office, region=world.city, kind="weekly", period=OCT)
    with pytest.raises(ValidationError):
        bulletin_create(actor=office, region=world.city, kind=BulletinKind.MONTHLY, period=date(2099, 1, 1))

    assert Bulletin.objects.count() == 1


def test_pdf_opens_with_tables_and_chart_text(october):
    world = october
    office = world.user("supervisor")
    b = bulletin_issue(
        bulletin=bulletin_create(actor=office, region=world.city, kind=BulletinKind.MONTHLY, period=OCT), actor=office
    )
    pdf = bulletin_pdf(b)
    assert pdf.startswith(b"%PDF")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    text = out.decode()
    assert "青溪市2026年10月效能通报" in text
    assert b.number in text
    assert "住建局" in text
    assert "90.0" in text
    assert "各单位效能指数得分" in text  # the chart's title (reportlab.graphics)
    assert "公开预警名单" in text


def test_excel_reads_back_with_a_native_chart(october):
    world = october
    office = world.user("supervisor")
    b = bulletin_create(actor=office, region=world.city, kind=BulletinKind.QUARTERLY, period=OCT)
    b = bulletin_issue(bulletin=b, actor=office)
    wb = load_workbook(io.BytesIO(bulletin_excel(b)))
    ws = wb["效能指数"]
    assert ws["A1"].value == "青溪市2026年第4季度效能通报"
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[1]]
    by_dept = {r[1]: r for r in rows}
    # the quarter's mean of October (90, frozen) and November, December as computed at issue (100)
    assert by_dept["住建局"][3] == 96.7
    assert by_dept["住建局"][0] == len(rows)
    assert by_dept["住建局"][6] == 90.0  # the 2026-10 column
    assert by_dept["住建局"][9] == "优秀"
    assert len(ws._charts) == 1
    assert "扣分明细" in wb.sheetnames
    assert "投诉与评价" in wb.sheetnames
    # the chart is a real bar chart in the saved file

    names = zipfile.ZipFile(io.BytesIO(bulletin_excel(b))).namelist()
    assert any(n.startswith("xl/charts/chart") for n in names)


def test_who_reads_and_who_issues_pages_and_api(october):
    world = october
    office = world.user("supervisor")
    b = bulletin_create(actor=office, region=world.city, kind=BulletinKind.MONTHLY, period=OCT)
    leader = _client(world.user("leader"))
    # the leader reads, downloads, but does not issue (the efficiency office's action)
    assert leader.get(f"/supervision/bulletins/{b.pk}/").status_code == 200
    assert leader.get(f"/supervision/bulletins/{b.pk}/download.pdf").status_code == 200
    assert leader.post(f"/supervision/bulletins/{b.pk}/").status_code == 403
    assert (
        leader.post(f"/api/supervision/bulletins/{b.pk}/issue", {}, content_type="application/json").status_code == 403
    )
    with pytest.raises(PermissionDenied):
        bulletin_issue(bulletin=b, actor=world.user("leader"))
    # department staff and applicants see no bulletins at all
    for key in ("clerk", "dept_head", "applicant"):
        c = _client(world.user(key))
        assert c.get("/supervision/bulletins/").status_code == 403
        assert c.get(f"/supervision/bulletins/{b.pk}/download.xlsx").status_code == 403
        assert c.get("/api/supervision/bulletins").status_code == 403
    # a county's office does not see the city's bulletin nor issue for the city
    county = _client(world.user("county_supervisor"))
    assert county.get(f"/supervision/bulletins/{b.pk}/").status_code == 404
    assert county.get(f"/api/supervision/bulletins/{b.pk}").status_code == 404
    with pytest.raises(PermissionDenied):
        bulletin_create(actor=world.user("county_supervisor"), region=world.city, kind="monthly", period=OCT)
    # the office issues through the page, and the API lists it
    c = _client(office)
    r = c.post(f"/supervision/bulletins/{b.pk}/", {"remarks": "予以通报。"})
    assert r.status_code == 302
    listed = c.get("/api/supervision/bulletins").json()
    assert listed[0]["status"] == "issued"
    assert listed[0]["number"].startswith("XNTB-")
    assert c.get(f"/api/supervision/bulletins/{b.pk}/download?fmt=xlsx").status_code == 200
    assert c.get(f"/supervision/bulletins/{b.pk}/download.doc").status_code == 404


def test_county_office_drafts_for_its_county_via_api(october):
    world = october
    c = _client(world.user("county_supervisor"))
    r = c.post(
        "/api/supervision/bulletins",
        {"region_id": world.county.pk, "kind": "monthly", "period": "2026-10-01"},
        content_type="application/json",
    )
    assert r.status_code == 201
    body = r.json()
    assert body["region"] == "清河区"
    assert [u["department"] for u in body["figures"]["units"]] == ["清河区市场监管局"]
    r = c.post(f"/api/supervision/bulletins/{body['id']}/issue", {}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["number"].startswith("XNTB-339102-")


def test_bulletin_alert_figures_agree_with_the_index_for_an_obligation_with_several_levels(world):
    # given one overdue obligation of 市场监管局 that went 提醒 → 黄牌 → 红牌 in October, plus one
    # reminder on another obligation: 4 alert records, but 2 obligations
    clock = make_clock(world)
    for level in (Level.REMIND, Level.YELLOW, Level.RED):
        alert(world, level, clock=clock)
    alert(world, Level.REMIND)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT, freeze=True)
    score = EfficiencyScore.objects.get(department=world.dept, month=OCT)
    assert score.figures["alerts"] == {"remind": 1, "yellow": 0, "red": 1}
    office = world.user("supervisor")
    b = bulletin_issue(
        bulletin=bulletin_create(actor=office, region=world.city, kind=BulletinKind.MONTHLY, period=OCT), actor=office
    )
    f = figures_of(b)
    unit = next(u for u in f["units"] if u["department"] == world.dept.name)
    # then the bulletin counts what the index deducted for (SUP-5): one red card, not a yellow one too
    assert unit["alerts"] == score.figures["alerts"]
    assert unit["alerts"]["red"] == score.deductions.get(source=DeductionSource.ALERT_RED).count
    assert unit["deductions"] == {DeductionSource.ALERT_RED: 10.0}
    assert f["alerts"] == {"remind": 1, "yellow": 0, "red": 1}
    assert f["alerts_basis"] == "obligation"
    # in the page, the PDF and the Excel workbook alike
    html = _client(office).get(f"/supervision/bulletins/{b.pk}/").content.decode()
    assert "1 / 0 / 1" in html
    assert "按计分口径" in html
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=bulletin_pdf(b), capture_output=True, check=True
    ).stdout.decode()
    assert "提醒1项、黄牌0项、红牌1项" in text
    ws2 = load_workbook(io.BytesIO(bulletin_excel(b)))["扣分明细"]
    head = [c.value for c in ws2[1]]
    row = next(r for r in ws2.iter_rows(min_row=2, values_only=True) if r[0] == world.dept.name)
    assert [row[head.index(h)] for h in ("提醒（事项）", "黄牌（事项）", "红牌（事项）")] == [1, 0, 1]


def test_bulletin_labels_render_in_the_readers_language_from_the_stored_codes(october):
    world = october
    office = world.user("supervisor")
    b = bulletin_create(actor=office, region=world.city, kind=BulletinKind.QUARTERLY, period=OCT)
    b = bulletin_issue(bulletin=b, actor=office)  # issued (and snapshotted) in Chinese
    assert {u["warning_label"] for u in b.snapshot["units"]} <= {"无预警", "单项预警", "综合预警", "公开预警"}
    en = {
        "单项预警": "Single-item warning",
        "优秀": "Excellent",
        "良好": "Good",
        "%(y)s年第%(q)s季度": "Q%(q)s %(y)s",
        "%(region)s%(period)s效能通报": "Efficiency bulletin of %(region)s, %(period)s",
        "黄牌": "Yellow card",
    }
    with en_catalog(en), translation.override("en"):
        f = figures_of(b)
        assert b.title_text == "Efficiency bulletin of 青溪市, Q4 2026"
        assert f["period_label"] == "Q4 2026"
        by = {u["department"]: u for u in f["units"]}
        assert by[world.dept.name]["warning_label"] == "Single-item warning"
        assert {u["grade"] for u in f["units"]} <= {"Excellent", "Good"}
        assert ["alert_yellow", "Yellow card"] in f["sources"]
        xlsx = load_workbook(io.BytesIO(bulletin_excel(b)))
        assert xlsx.worksheets[0]["A1"].value == "Efficiency bulletin of 青溪市, Q4 2026"
    # the page and the API in English (language cookie / Accept-Language)
    with en_catalog(en):
        c = _client(office)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        html = c.get(f"/supervision/bulletins/{b.pk}/").content.decode()
        assert "Efficiency bulletin of 青溪市, Q4 2026" in html
        assert "Single-item warning" in html
        api = _client(office).get(f"/api/supervision/bulletins/{b.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
        assert api["title"] == "Efficiency bulletin of 青溪市, Q4 2026"
        assert "Single-item warning" in {u["warning_label"] for u in api["figures"]["units"]}
    # the stored snapshot itself is untouched, and Chinese readers see Chinese
    b.refresh_from_db()
    with translation.override("zh-hans"):
        assert b.title == "青溪市2026年第4季度效能通报"
        assert b.title_text == b.title


def test_a_bulletin_issued_before_the_per_unit_alert_figures_still_reads(october):
    world = october
    office = world.user("supervisor")
    b = bulletin_issue(
        bulletin=bulletin_create(actor=office, region=world.city, kind=BulletinKind.MONTHLY, period=OCT), actor=office
    )
    # given the snapshot as the first version froze it: alert records, no per-unit alerts, no basis
    snap = dict(b.snapshot)
    snap.pop("alerts_basis")
    snap["alerts"] = {"remind": 0, "yellow": 3, "red": 2}
    snap["units"] = [{k: v for k, v in u.items() if k != "alerts"} for u in snap["units"]]
    Bulletin.objects.filter(pk=b.pk).update(snapshot=snap)
    b.refresh_from_db()
    html = _client(office).get(f"/supervision/bulletins/{b.pk}/").content.decode()
    assert "0 / 3 / 2" in re.sub(r"<[^>]+>", "", html)
    assert "按计分口径" not in html
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=bulletin_pdf(b), capture_output=True, check=True
    ).stdout.decode()
    assert "黄牌3张、红牌2张" in text
    assert load_workbook(io.BytesIO(bulletin_excel(b)))["投诉与评价"]["A16"].value == "红牌"
