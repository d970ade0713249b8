# mypy: disable-error-code="union-attr,arg-type,misc,attr-defined,operator"
"""supervision.permissions: every lookup by id goes through an `access_<entity>_by_id` helper that
answers 404 outside the user's scope (conventions §3), and the pages and the API use them."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.http import Http404
from django.test import Client

from xiaoneng.supervision.alerts.external import external_obligation_register, external_system_create
from xiaoneng.supervision.bulletins.services import bulletin_create
from xiaoneng.supervision.choices import BulletinKind, Level
from xiaoneng.supervision.efficiency.services import efficiency_compute
from xiaoneng.supervision.models import Deduction, EfficiencyScore
from xiaoneng.supervision.permissions import (
    access_alert_by_id,
    access_bulletin_by_id,
    access_deduction_by_id,
    access_obligation_by_external_id,
    access_score_by_id,
)
from xiaoneng.supervision.tests.test_efficiency import AFTER_OCT, OCT, SH, alert
from xiaoneng.workdays.choices import ClockUnit

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_access_alert_and_score_by_id_404_outside_the_scope(world):
    # given a red card of a city unit and its monthly score
    red = alert(world, Level.RED)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    score = EfficiencyScore.objects.get(department=world.dept, month=OCT)
    # then the city's office reads both, a county's office and another unit's clerk get 404
    office = world.user("supervisor")
    assert access_alert_by_id(office, red.pk) == red
    assert access_score_by_id(office, score.pk) == score
    for outsider in (world.user("county_supervisor"), world.user("other_clerk")):
        with pytest.raises(Http404):
            access_alert_by_id(outsider, red.pk)
        with pytest.raises(Http404):
            access_score_by_id(outsider, score.pk)


def test_access_deduction_by_id_follows_its_scores_scope(world):
    # given a deduction of a city unit's score
    alert(world, Level.RED)
    efficiency_compute(tenant=world.city, month=OCT, now=AFTER_OCT)
    d = Deduction.objects.get(score__department=world.dept)
    # then the unit's clerk reads it, another unit's clerk and a county office get 404 — on the page too
    assert access_deduction_by_id(world.user("clerk"), d.pk) == d
    for outsider in ("other_clerk", "county_supervisor"):
        with pytest.raises(Http404):
            access_deduction_by_id(world.user(outsider), d.pk)
        assert _client(world.user(outsider)).get(f"/supervision/efficiency/deduction/{d.pk}/").status_code == 404
    with pytest.raises(Http404):
        access_deduction_by_id(world.user("clerk"), d.pk + 1000)
    assert _client(world.user("applicant")).get(f"/supervision/efficiency/deduction/{d.pk}/").status_code == 403


def test_access_bulletin_by_id_needs_a_bulletin_reader(world):

    b = bulletin_create(actor=world.user("supervisor"), region=world.city, kind=BulletinKind.MONTHLY, period=OCT)
    assert access_bulletin_by_id(world.user("leader"), b.pk) == b
    for outsider in ("clerk", "county_supervisor", "applicant"):
        with pytest.raises(Http404):
            access_bulletin_by_id(world.user(outsider), b.pk)


def test_an_external_system_reads_only_its_own_obligations(world):
    # given two systems, the first registering an obligation
    admin = world.user("admin")
    mine, _k1 = external_system_create(actor=admin, tenant=world.city, code="ggzy", name="公共资源交易")
    other, key2 = external_system_create(actor=admin, tenant=world.city, code="gkzf", name="国库支付")
    ob, _created = external_obligation_register(
        system=mine,
        external_id="GG-1",
        title="招标公告发布",
        department_credit_code=world.dept.credit_code,
        limit=3,
        unit=ClockUnit.WORKING_DAYS,
        started_at=datetime(2026, 10, 12, 9, 0, tzinfo=SH),
    )
    # then the first finds it, the second gets 404 — through the API too
    assert access_obligation_by_external_id(mine, "GG-1") == ob
    with pytest.raises(Http404):
        access_obligation_by_external_id(other, "GG-1")
    assert Client().get("/api/supervision/external/obligations/GG-1", HTTP_X_API_KEY=key2).status_code == 404
