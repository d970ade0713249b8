"""Rate limits on public tracking look-ups and Open311 POST (issue 9, xiaoneng.core.throttle): past the
rate a client gets 429 with Retry-After and a translated message, in each surface's own format
(the page, the API's {"detail"}, Open311's error list); other clients are not affected; counts live
in the shared cache (a database table works across processes)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from xiaoneng.complaints.apikeys import api_key_create
from xiaoneng.complaints.models import Complaint, Open311Service
from xiaoneng.core.throttle import Rate, hit, parse_rate

pytestmark = pytest.mark.django_db

RATES = {"track": "3/m", "open311_post": "2/h"}


def test_parse_rate():
    assert parse_rate("20/10m") == Rate(20, 600)
    assert parse_rate("60/h") == Rate(60, 3600)
    assert parse_rate("5/s") == Rate(5, 1)
    assert parse_rate("") is None
    with pytest.raises(ValueError, match="invalid throttle rate"):
        parse_rate("lots")


def _assert_429(r):
    assert r.status_code == 429, r.content
    assert 1 <= int(r["Retry-After"]) <= 60
    return r.content.decode()


@override_settings(XIAONENG_THROTTLE_RATES=RATES)
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/track/", {"tracking_number": "BJ-339100-20260101-00001", "code": "ABCDEF"}),
        ("/complaints/track/", {"number": "TS-339100-20260101-00001", "code": "ABCDEF"}),
    ],
)
def test_tracking_pages_are_limited_per_address(client, world, path, params):
    # given the empty form, which does not count
    for _ in range(5):
        assert client.get(path).status_code == 200
    # when one address makes more look-ups than the rate allows
    for _ in range(3):
        assert client.get(path, params).status_code == 200
    # then the next is refused with a clear message and when to retry
    body = _assert_429(client.get(path, params))
    assert "尝试次数过多" in body
    assert "分钟后再试" in body
    # and another address is not affected
    assert client.get(path, params, REMOTE_ADDR="192.0.2.7").status_code == 200


@override_settings(XIAONENG_THROTTLE_RATES=RATES)
def test_behind_the_proxy_each_client_counts_separately(client, world):
    params = {"number": "TS-339100-20260101-00001", "code": "ABCDEF"}
    for _ in range(3):
        client.get("/complaints/track/", params, HTTP_X_FORWARDED_FOR="198.51.100.1")
    _assert_429(client.get("/complaints/track/", params, HTTP_X_FORWARDED_FOR="198.51.100.1"))
    # a forged left-most entry does not buy a new count: the proxy-appended right-most one is used
    _assert_429(client.get("/complaints/track/", params, HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.1"))
    assert client.get("/complaints/track/", params, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


@override_settings(XIAONENG_THROTTLE_RATES=RATES)
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/cases/track", {"tracking_number": "BJ-339100-20260101-00001", "code": "ABCDEF"}),
        ("/api/complaints/track", {"number": "TS-339100-20260101-00001", "code": "ABCDEF"}),
    ],
)
def test_tracking_api_is_limited(client, world, path, params):
    for _ in range(3):
        assert client.get(path, params).status_code in (400, 404)
    r = client.get(path, params)
    _assert_429(r)
    assert "尝试次数过多" in r.json()["detail"]


@override_settings(XIAONENG_THROTTLE_RATES=RATES)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_post_is_limited_in_the_standards_error_format(client, world, fmt):
    Open311Service.objects.create(tenant=world.city, service_code="road-damage", service_name="道路破损")
    _key, key = api_key_create(actor=world.user("admin"), tenant=world.city, name="App")
    data = {"api_key": key, "service_code": "road-damage", "address_string": "人民路88号"}
    for _ in range(2):
        assert client.post(f"/open311/v2/requests.{fmt}", data).status_code == 201
    before = Complaint.objects.count()
    r = client.post(f"/open311/v2/requests.{fmt}", data)
    assert r.status_code == 429
    assert int(r["Retry-After"]) >= 1
    if fmt == "json":
        [err] = r.json()
        assert err["code"] == 429
        assert "尝试次数过多" in err["description"]
    else:
        x = ET.fromstring(r.content)
        assert x.findtext("error/code") == "429"
    assert Complaint.objects.count() == before
    # reading is not limited by the POST rate
    assert client.get(f"/open311/v2/requests.{fmt}").status_code == 200


def test_database_cache_shares_counts_between_processes(world):
    # given the production default, the database cache table
    db_cache = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "xn_test_cache"}}
    with override_settings(CACHES=db_cache, XIAONENG_THROTTLE_RATES={"track": "2/h"}):
        call_command("createcachetable", verbosity=0)
        assert hit("track", "203.0.113.5") is None
        # when another process (its own cache object over the same table) counts the same client
        other = DatabaseCache("xn_test_cache", {})
        keys = [k for k in _table_keys() if "throttle:track" in k]
        assert len(keys) == 1
        assert other.get(keys[0].split(":", 2)[2]) == 1
        assert hit("track", "203.0.113.5") is None
        # then the third attempt, whichever process serves it, is over the rate
        assert hit("track", "203.0.113.5") is not None


def _table_keys() -> list[str]:

    with connection.cursor() as cur:
        cur.execute("SELECT cache_key FROM xn_test_cache")
        return [row[0] for row in cur.fetchall()]
