"""Hostile date and number parameters across the REST API (issue 9): a clear translated 400, never a
500 (xiaoneng.core.params is the one place that checks them)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from xiaoneng.core.params import MAX_YEAR, MIN_YEAR, date_range

pytestmark = pytest.mark.django_db

BAD_PERIODS = [
    {"start": "0001-01-01"},
    {"end": "9999-12-31"},
    {"start": "0001-01-01", "end": "9999-12-31"},
    {"start": "2026-03-01", "end": "2026-01-01"},  # start after end
]


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _detail(r) -> str:
    assert r.status_code == 400, (r.status_code, r.content[:300])
    return json.dumps(r.json()["detail"], ensure_ascii=False)


@pytest.mark.parametrize("params", BAD_PERIODS)
def test_complaint_statistics_period_is_checked(world, params):
    r = _as(world.user("supervisor")).get("/api/complaints/statistics", params)
    assert "年份须在" in _detail(r) or "开始日期不能晚于结束日期" in _detail(r)


@pytest.mark.parametrize("params", BAD_PERIODS)
def test_rating_metrics_period_is_checked(client, world, params):
    r = client.get("/api/ratings/metrics", params)
    assert "年份须在" in _detail(r) or "开始日期不能晚于结束日期" in _detail(r)


@pytest.mark.parametrize("params", [*BAD_PERIODS, {"start": "2020-01-01", "end": "2026-01-01"}])
def test_ledger_period_is_checked_and_bounded(world, params):
    query = {"start": "2026-01-01", "end": "2026-01-31", **params}
    r = _as(world.user("clerk")).get("/api/cases/ledger.xlsx", query)
    _detail(r)


def test_good_periods_still_answer(client, world):
    assert client.get("/api/ratings/metrics", {"start": "2026-01-01", "end": "2026-01-31"}).status_code == 200
    assert _as(world.user("supervisor")).get("/api/complaints/statistics").status_code == 200


@pytest.mark.parametrize("query", [{"offset": -5}, {"offset": 10**12}, {"department": 2**70}, {"department": -1}])
def test_catalog_paging_and_ids_are_checked(client, world, query):
    _detail(client.get("/api/catalog/items", query))


@pytest.mark.parametrize(
    "path",
    ["/api/complaints/complaints/{n}", "/api/cases/{n}", "/api/ratings/ratings/{n}", "/api/supervision/alerts/{n}"],
)
def test_ids_beyond_the_database_range_are_not_a_500(world, path):
    r = _as(world.user("supervisor")).get(path.format(n=2**70))
    assert r.status_code in (400, 404), r.content[:300]


@pytest.mark.parametrize("period", ["0001-01-01", "9999-12-31"])
def test_bulletin_period_is_checked(world, period):
    body = {"region_id": world.city.pk, "kind": "monthly", "period": period}
    r = _as(world.user("supervisor")).post("/api/supervision/bulletins", body, content_type="application/json")
    assert "年份须在" in _detail(r)


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2026-13", "abc"])
def test_efficiency_month_is_harmless(client, world, month):
    assert _as(world.user("supervisor")).get("/api/supervision/efficiency", {"month": month}).status_code < 500
    assert client.get("/api/supervision/efficiency/warnings", {"month": month}).status_code < 500


def test_date_range_rules():

    assert date_range(date(2026, 1, 1), date(2026, 1, 31)) == (date(2026, 1, 1), date(2026, 1, 31))
    for start, end in [(date(MIN_YEAR - 1, 12, 31), None), (None, date(MAX_YEAR + 1, 1, 1))]:
        with pytest.raises(ValidationError):
            date_range(start, end)
    with pytest.raises(ValidationError):
        date_range(date(2026, 1, 1), date(2026, 3, 1), max_days=31)
