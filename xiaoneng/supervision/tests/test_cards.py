"""提醒 / 黄牌 / 红牌 are defined once (selectors.card_counts, SUP-1 / SUP-5): each obligation once a
month at the highest level it reached. The dashboard cards and donut, the leader's page, the
bulletin (page, data, PDF, Excel), the API and the index's deductions all show the same numbers
(issue 9: they showed 1/11, 12/11, 12/13 and 1/11)."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from xiaoneng.orgs.choices import RegionLevel
from xiaoneng.orgs.tests.factories import DepartmentFactory, RegionFactory
from xiaoneng.supervision.alerts.selectors import card_counts
from xiaoneng.supervision.bulletins.documents import bulletin_excel, bulletin_pdf
from xiaoneng.supervision.bulletins.figures import figures_of
from xiaoneng.supervision.bulletins.services import bulletin_create
from xiaoneng.supervision.choices import BulletinKind, DeductionSource, Level
from xiaoneng.supervision.efficiency.services import efficiency_compute
from xiaoneng.supervision.models import Alert, EfficiencyScore
from xiaoneng.supervision.tests.conftest import make_clock
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_stop

pytestmark = pytest.mark.django_db


def _alert(world, clock: Clock, level: int, *, at=None, tenant=None, region=None, dept="same") -> Alert:
    at = at or timezone.now()
    department = clock.department if dept == "same" else dept
    Clock.objects.filter(pk=clock.pk, alert_level__lt=level).update(alert_level=level)
    return Alert.objects.create(
        tenant=tenant or world.city,
        clock=clock,
        level=level,
        department=department,
        region=region or (department.region if department else world.city),
        raised_at=at,
        threshold_at=at,
    )


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


@pytest.fixture
def mixed(world):
    """This month, in 青溪市: one obligation escalated 提醒 → 黄牌 → 红牌 (one red card), one that went
    yellow and was then finished (still one yellow card: it was given), another unit's yellow card;
    not counted: last month's red, an alert without a unit, another jurisdiction's red card."""
    now = timezone.now()
    start = now - timedelta(days=40)
    escalated = make_clock(world, start=start)
    for level in (Level.REMIND, Level.YELLOW, Level.RED):
        _alert(world, escalated, level)
    closed = make_clock(world, start=start, limit=60)
    _alert(world, closed, Level.YELLOW)
    clock_stop(clock=closed, at=now)
    _alert(world, make_clock(world, start=start, dept=world.other_dept), Level.YELLOW)
    last_month = timezone.localtime(now).replace(day=1) - timedelta(days=2)
    _alert(world, make_clock(world, start=start - timedelta(days=20)), Level.RED, at=last_month)
    _alert(world, make_clock(world, start=start), Level.RED, dept=None)
    elsewhere = RegionFactory(code="330100", name="别的市", level=RegionLevel.CITY)
    far_dept = DepartmentFactory(region=elsewhere, name="别的市市场监管局")
    far = make_clock(world, start=start, dept=far_dept)
    Clock.objects.filter(pk=far.pk).update(tenant=elsewhere)
    _alert(world, far, Level.RED, tenant=elsewhere, region=elsewhere)
    return world


def test_one_definition_of_yellow_and_red_cards_everywhere(mixed):
    world = mixed
    office = world.user("supervisor")
    month = timezone.localdate().replace(day=1)
    expected = {"remind": 0, "yellow": 2, "red": 1}
    # the selector
    counts = card_counts(office, months=[month])
    assert {k: counts[k] for k in expected} == expected
    assert counts["by_department"] == {
        world.dept.pk: {"remind": 0, "yellow": 1, "red": 1},
        world.other_dept.pk: {"remind": 0, "yellow": 1, "red": 0},
    }
    c = Client()
    c.force_login(office)
    # the dashboard cards and the donut's data
    html = c.get("/supervision/").content.decode()
    assert re.search(r'id="n-yellow"><a [^>]*>2</a>', html)
    assert re.search(r'id="n-red"><a [^>]*>1</a>', html)
    api = c.get("/api/supervision/dashboard").json()
    assert {k: api["cards"][k] for k in expected} == expected
    assert {d["name"]: (d["yellow"], d["red"]) for d in api["departments"]} == {"市场监管局": (1, 1), "住建局": (1, 0)}
    # the leader's page
    efficiency_compute(tenant=world.city, month=month)
    html = c.get(f"/supervision/leader/?month={month:%Y-%m}").content.decode()
    assert re.search(r'id="n-yellow"[^>]*>2</a>', html)
    assert re.search(r'id="n-red"[^>]*>1</a>', html)
    # the index's deductions were taken for the same cards
    scores = EfficiencyScore.objects.filter(month=month, tenant=world.city)
    assert sum(s.figures["alerts"]["yellow"] for s in scores) == 2
    assert sum(s.figures["alerts"]["red"] for s in scores) == 1
    red = scores.get(department=world.dept).deductions.get(source=DeductionSource.ALERT_RED)
    assert red.count == 1
    # the bulletin: its data, its page, the PDF and the Excel workbook
    b = bulletin_create(actor=office, region=world.city, kind=BulletinKind.MONTHLY, period=month)
    f = figures_of(b)
    assert f["alerts"] == expected
    assert {u["department"]: u["alerts"] for u in f["units"]}["市场监管局"] == {"remind": 0, "yellow": 1, "red": 1}
    page = c.get(f"/supervision/bulletins/{b.pk}/").content.decode()
    assert '<span id="n-yellow">2</span>' in page
    assert '<span id="n-red">1</span>' in page
    assert c.get(f"/api/supervision/bulletins/{b.pk}").json()["figures"]["alerts"] == expected
    pdf = subprocess.run(["pdftotext", "-", "-"], input=bulletin_pdf(b), capture_output=True, check=True).stdout
    assert "黄牌2项、红牌1项" in pdf.decode().replace("\n", "")
    sheet = load_workbook(io.BytesIO(bulletin_excel(b)))["投诉与评价"]
    cells = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value for r in range(1, 40)}
    assert cells["黄牌（事项）"] == 2
    assert cells["红牌（事项）"] == 1
    # the figures link to a list of exactly those cards
    page = _text(c.get(f"/supervision/alerts/?card=yellow&month={month:%Y-%m}").content.decode())
    assert "共 2 条" in page
    assert len(c.get(f"/api/supervision/alerts?card=red&month={month:%Y-%m}").json()) == 1


def test_cards_are_scoped_to_the_reader(mixed):
    month = timezone.localdate().replace(day=1)
    # the county's office sees none of the city departments' cards
    counts = card_counts(mixed.user("county_supervisor"), months=[month])
    assert (counts["yellow"], counts["red"]) == (0, 0)


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2026-13", "abc", "NaN-1", "2026-00", "9" * 300])
def test_hostile_months_never_fail(world, month):
    # the card figures take a month from the query string: a bad one gives the default, never a 500
    c = Client(raise_request_exception=False)
    c.force_login(world.user("supervisor"))
    for url in (
        f"/supervision/leader/?month={month}",
        f"/supervision/efficiency/?month={month}",
        f"/supervision/alerts/?card=red&month={month}",
        f"/api/supervision/alerts?card=red&month={month}",
        f"/supervision/warnings/?month={month}",
    ):
        assert c.get(url).status_code == 200, url
