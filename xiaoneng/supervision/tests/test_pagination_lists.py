"""Every long list of supervision and oversight is paginated with the shared pager (issue 9: lists
were cut at 200/300 rows or unbounded): 共 N 条, a working second page, and bad page numbers that
never fail."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from xiaoneng.orgs.tests.factories import DepartmentFactory
from xiaoneng.oversight.models import Rectification
from xiaoneng.supervision.choices import BulletinKind, IrregularityRule, Severity, WarningLevel
from xiaoneng.supervision.models import Alert, Bulletin, EfficiencyScore, Irregularity
from xiaoneng.supervision.tests.conftest import make_clock

pytestmark = pytest.mark.django_db
N = 51  # one more than a page


def _alerts(world) -> None:
    now = timezone.now()
    rows = []
    for i in range(13):
        clock = make_clock(world, limit=5 + i)
        rows += [
            Alert(
                tenant=world.city,
                clock=clock,
                level=level,
                department=world.dept,
                region=world.city,
                raised_at=now - timedelta(minutes=i),
                threshold_at=now,
            )
            for level in (1, 2, 3, 4)
        ]
    Alert.objects.bulk_create(rows[:N])


def _irregularities(world) -> None:
    ct = ContentType.objects.get_for_model(world.dept)
    Irregularity.objects.bulk_create(
        Irregularity(
            tenant=world.city,
            rule=IrregularityRule.EXTRA_STEP,
            severity=Severity.SERIOUS,
            subject_type=ct,
            subject_id=str(i),
            subject_label=f"XN-{i:04d}",
            department=world.dept,
            region=world.city,
            detected_at=timezone.now() - timedelta(minutes=i),
            detail="流程图外增设预审环节",
        )
        for i in range(N)
    )


def _rectifications(world) -> None:
    Rectification.objects.bulk_create(
        Rectification(tenant=world.city, department=world.dept, title=f"整改事项{i:03d}", problem="问题")
        for i in range(N)
    )


def _bulletins(world) -> None:
    Bulletin.objects.bulk_create(
        Bulletin(
            tenant=world.city,
            region=world.city,
            kind=BulletinKind.MONTHLY,
            period=date(2020 + i // 12, i % 12 + 1, 1),
            title=f"通报{i}",
        )
        for i in range(N)
    )


def _warnings(world) -> None:
    depts = DepartmentFactory.create_batch(N, region=world.city)
    EfficiencyScore.objects.bulk_create(
        EfficiencyScore(
            tenant=world.city,
            department=d,
            region=world.city,
            month=date(2026, 10, 1),
            base=Decimal(100),
            deducted=Decimal(30),
            score=Decimal(70),
            warning=WarningLevel.PUBLIC,
            computed_at=timezone.now(),
        )
        for d in depts
    )


def _red_alerts(world) -> None:
    now = timezone.now()
    Alert.objects.bulk_create(
        Alert(
            tenant=world.city,
            clock=make_clock(world, limit=5 + i),
            level=3,
            department=world.dept,
            region=world.city,
            raised_at=now - timedelta(minutes=i),
            threshold_at=now,
        )
        for i in range(N)
    )


LISTS = [
    ("/supervision/alerts/", _alerts, "supervisor", "?status=open&"),
    ("/supervision/irregularities/", _irregularities, "supervisor", "?rule=SUP-2.6&"),
    ("/oversight/", _rectifications, "supervisor", "?"),
    ("/supervision/bulletins/", _bulletins, "supervisor", "?"),
    ("/supervision/warnings/", _warnings, None, "?month=2026-10&"),
    ("/supervision/overdue/", _red_alerts, None, "?"),
]


def _rows(html: str) -> int:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return len(re.findall(r"<tr[ >]", body))


@pytest.mark.parametrize(("url", "make", "user", "query"), LISTS, ids=[x[0] for x in LISTS])
def test_long_lists_are_paginated_with_the_total(world, url, make, user, query):
    # given one row more than a page
    make(world)
    c = Client()
    if user:
        c.force_login(world.user(user))
    # when the list is opened
    first = c.get(url + query.rstrip("&?")).content.decode()
    # then it shows the total and the first page, with a link to the second that keeps the filter
    assert f"共 {N} 条" in first
    assert _rows(first) == 50
    assert "page=2" in first
    if query != "?":
        assert re.search(re.escape(query.split("&")[0].lstrip("?")) + r"[^\"]*page=2", first)
    second = c.get(url + query + "page=2")
    assert second.status_code == 200
    assert _rows(second.content.decode()) == 1
    # and bad page numbers give a page, never an error
    for bad in ("abc", "99999", "-1", "0", "9" * 300, "1.5", ""):
        r = c.get(url + query + "page=" + bad)
        assert r.status_code == 200, bad
        assert f"共 {N} 条" in r.content.decode()
