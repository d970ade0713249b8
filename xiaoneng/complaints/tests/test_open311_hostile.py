# mypy: disable-error-code="union-attr,arg-type"
"""Open311 GeoReport v2 against hostile input (issue 9): every bad parameter is a 400 in the standard's
error format (a list of {code, description}, JSON or XML as requested), never a 500, and nothing is
written; methods an endpoint does not serve are a 405 with an Allow header; a bounded, seeded
Hypothesis run over the POST and GET parameters finds no 5xx."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiaoneng.complaints.apikeys import api_key_create
from xiaoneng.complaints.models import Complaint, Open311Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def o311(world):
    Open311Service.objects.create(
        tenant=world.city, service_code="road-damage", service_name="道路破损", kind="request", department=world.dept
    )
    _key, clear = api_key_create(actor=world.user("admin"), tenant=world.city, name="城市服务App")
    return clear


def _post(client, key, fmt="json", **extra):
    data = {
        "api_key": key,
        "jurisdiction_id": "339100",
        "service_code": "road-damage",
        "lat": "30.274085",
        "long": "120.155070",
        "description": "人民路与解放路交叉口有一处坑洼，雨天积水，存在安全隐患。",
    }
    data.update(extra)
    return client.post(f"/open311/v2/requests.{fmt}", data)


def _json_error(r, status):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json")
    [err] = r.json()
    assert set(err) == {"code", "description"}
    assert err["code"] == status
    assert err["description"]
    return err["description"]


def _xml_error(r, status):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("text/xml")
    x = ET.fromstring(r.content)
    assert x.tag == "errors"
    assert x.find("error/code").text == str(status)
    return x.find("error/description").text


@pytest.mark.parametrize(
    ("lat", "long"),
    [
        ("NaN", "120.1"),
        ("30.2", "nan"),
        ("sNaN", "120.1"),
        ("inf", "120.1"),
        ("30.2", "-Infinity"),
        ("90.000001", "120.1"),
        ("30.2", "180.5"),
        ("-91", "120.1"),
        ("abc", "120.1"),
        ("30.2", "1e999999999"),
        ("1e-999999999", "120.1"),
        ("0x1E", "120.1"),
    ],
)
def test_bad_coordinates_are_a_400_in_both_formats_and_nothing_is_written(client, o311, lat, long):
    # given a valid key and service, when a coordinate is not a finite number in range
    before = Complaint.objects.count()
    # then JSON and XML clients both get the standard's error list
    assert "lat" in _json_error(_post(client, o311, lat=lat, long=long), 400) or "long" in _json_error(
        _post(client, o311, lat=lat, long=long), 400
    )
    _xml_error(_post(client, o311, fmt="xml", lat=lat, long=long), 400)
    assert Complaint.objects.count() == before


def test_email_is_validated_and_bounded(client, o311):
    before = Complaint.objects.count()
    long_email = "a" * 293 + "@example.cn"  # 305 characters, accepted before issue 9
    assert "email" in _json_error(_post(client, o311, email=long_email), 400)
    assert "email" in _xml_error(_post(client, o311, fmt="xml", email="not-an-address"), 400)
    assert Complaint.objects.count() == before
    # a good address still works
    assert _post(client, o311, email="zhao@example.cn").status_code == 201


@pytest.mark.parametrize(
    "query",
    [
        "start_date=0001-01-01",
        "end_date=0001-01-01",
        "start_date=9999-12-31",
        "end_date=9999-12-31T23:59:59Z",
        "start_date=0001-01-01T00:00:00Z&end_date=9999-12-31T23:59:59Z",
        "start_date=2026-03-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",  # start after end
        "start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",  # spans more than 90 days
        "start_date=2026-13-45",
        "start_date=NaN",
    ],
)
def test_out_of_range_dates_are_a_400_not_a_500(client, o311, query):
    _json_error(client.get(f"/open311/v2/requests.json?{query}"), 400)
    _xml_error(client.get(f"/open311/v2/requests.xml?{query}"), 400)


def test_dates_in_range_still_answer(client, o311):
    r = client.get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-03-01T00:00:00%2B08:00")
    assert r.status_code == 200
    assert r.json() == []
    assert client.get("/open311/v2/requests.json?start_date=2000-01-01").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("delete", "/open311/v2/requests/TS-1.json", "GET"),
        ("post", "/open311/v2/requests/TS-1.json", "GET"),
        ("put", "/open311/v2/services.json", "GET"),
        ("patch", "/open311/v2/services/road-damage.xml", "GET"),
        ("delete", "/open311/v2/discovery.json", "GET"),
        ("put", "/open311/v2/requests.json", "GET, POST"),
    ],
)
def test_unserved_methods_are_405_with_allow(client, o311, method, path, allow):
    r = getattr(client, method)(path)
    assert r.status_code == 405
    assert r["Allow"] == allow
    # the body is still the standard's error list, in the requested format
    if path.endswith(".json"):
        _json_error(r, 405)
    else:
        _xml_error(r, 405)


# --- bounded fuzzing (seeded: the same examples on every run) -----------------------------------

_text = st.one_of(
    st.sampled_from(["", "NaN", "inf", "-0", "1e400", "0001-01-01", "9999-12-31T23:59:59Z", "a" * 300, "\x00"]),
    st.text(max_size=40),
)


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fmt=st.sampled_from(["json", "xml"]),
    fields=st.fixed_dictionaries(
        {},
        optional={
            k: _text
            for k in (
                "service_code",
                "lat",
                "long",
                "address_string",
                "email",
                "media_url",
                "description",
                "phone",
                "first_name",
                "jurisdiction_id",
            )
        },
    ),
)
def test_fuzz_post_never_5xx(client, o311, fmt, fields):
    r = client.post(f"/open311/v2/requests.{fmt}", {"api_key": o311, **fields})
    assert r.status_code < 500, (fields, r.content[:300])
    if r.status_code >= 400:
        (_json_error if fmt == "json" else _xml_error)(r, r.status_code)


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fmt=st.sampled_from(["json", "xml"]),
    params=st.fixed_dictionaries(
        {},
        optional={
            k: _text
            for k in ("start_date", "end_date", "status", "service_code", "service_request_id", "jurisdiction_id")
        },
    ),
)
def test_fuzz_get_never_5xx(client, o311, fmt, params):
    r = client.get(f"/open311/v2/requests.{fmt}", params)
    assert r.status_code < 500, (params, r.content[:300])


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("param", ["service_request_id", "service_code", "status", "jurisdiction_id"])
def test_a_nul_byte_in_a_parameter_is_a_400_on_every_database(client, o311, fmt, param):
    # hypothesis found it on PostgreSQL, which refuses NUL in text (DataError, was a 500)
    r = client.get(f"/open311/v2/requests.{fmt}", {param: "a\x00b"})
    assert r.status_code == 400
