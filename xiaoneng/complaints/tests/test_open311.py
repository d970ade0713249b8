# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value"
# (tests follow nullable clocks and XML nodes that the fixtures always set)
"""Open311 GeoReport v2 round trip against the published field names
(https://wiki.open311.org/GeoReport_v2)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from xiaoneng.complaints.actions.acceptance import complaint_refuse
from xiaoneng.complaints.actions.intake import complaint_submit
from xiaoneng.complaints.apikeys import api_key_create
from xiaoneng.complaints.models import ApiKey, Complaint, Open311Service

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


@pytest.fixture
def o311(world):
    Open311Service.objects.create(
        tenant=world.city,
        service_code="road-damage",
        service_name="道路破损",
        group="市政",
        kind="request",
        department=world.other_dept,
    )
    _key, clear = api_key_create(actor=world.user("admin"), tenant=world.city, name="城市服务App")
    return clear


def _post(client, key, **extra):
    data = {
        "api_key": key,
        "jurisdiction_id": "339100",
        "service_code": "road-damage",
        "lat": "30.274085",
        "long": "120.155070",
        "description": "人民路与解放路交叉口有一处坑洼，雨天积水，存在安全隐患。",
    }
    data.update(extra)
    return client.post("/open311/v2/requests.json", data)


def test_services_list_json_and_xml_use_the_published_field_names(client, o311):
    r = client.get("/open311/v2/services.json?jurisdiction_id=339100")
    assert r.status_code == 200
    [svc] = r.json()
    assert set(svc) == SERVICE_FIELDS
    assert svc["service_code"] == "road-damage"
    assert svc["metadata"] is False
    x = ET.fromstring(client.get("/open311/v2/services.xml?jurisdiction_id=339100").content)
    assert x.tag == "services"
    assert x.find("service/service_code").text == "road-damage"
    assert x.find("service/metadata").text == "false"


def test_service_definition(client, o311):
    r = client.get("/open311/v2/services/road-damage.json?jurisdiction_id=339100")
    assert r.json() == {"service_code": "road-damage", "attributes": []}
    x = ET.fromstring(client.get("/open311/v2/services/road-damage.xml?jurisdiction_id=339100").content)
    assert x.tag == "service_definition"
    assert x.find("service_code").text == "road-damage"


def test_round_trip_post_with_key_then_get_by_id_in_json_and_xml(client, o311, world):
    # when a client posts a request
    r = _post(client, o311, first_name="先生", last_name="赵", phone="13900000021", email="zhao@example.cn")
    # then it gets the id back in the standard shape
    assert r.status_code == 201
    [row] = r.json()
    assert set(row) == {"service_request_id", "service_notice", "account_id"}
    rid = row["service_request_id"]
    c = Complaint.objects.get(number=rid)
    assert c.channel == "open311"
    assert c.department == world.other_dept
    assert c.accept_clock is not None
    # and can read it back, with no personal data
    [got] = client.get(f"/open311/v2/requests/{rid}.json?jurisdiction_id=339100").json()
    assert set(got) == REQUEST_FIELDS
    assert got["status"] == "open"
    assert got["lat"] == pytest.approx(30.274085)
    assert got["service_code"] == "road-damage"
    assert "13900000021" not in str(got)
    assert "赵" not in str(got)
    x = ET.fromstring(client.get(f"/open311/v2/requests/{rid}.xml?jurisdiction_id=339100").content)
    assert x.tag == "service_requests"
    assert x.find("request/service_request_id").text == rid
    # and the list filters find it
    assert [
        g["service_request_id"] for g in client.get(f"/open311/v2/requests.json?service_request_id={rid}").json()
    ] == [rid]
    assert len(client.get("/open311/v2/requests.json?status=open&service_code=road-damage").json()) == 1
    assert client.get("/open311/v2/requests.json?status=closed").json() == []
    assert (
        client.get("/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z").json()
        == []
    )


@pytest.mark.parametrize(
    ("extra", "status", "fragment"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_code": "nope"}, 404, "服务编码不存在"),
        ({"service_code": ""}, 400, "service_code"),
        ({"lat": "", "long": ""}, 400, "请提供位置"),
        ({"lat": "abc"}, 400, "lat"),
        ({"media_url": "not a url"}, 400, "链接"),
        ({"jurisdiction_id": "999999"}, 404, "jurisdiction_id"),
    ],
)
def test_errors_are_in_the_standard_format_and_nothing_is_written(client, o311, extra, status, fragment):
    before = Complaint.objects.count()
    r = _post(client, o311, **extra)
    assert r.status_code == status
    [err] = r.json()
    assert set(err) == {"code", "description"}
    assert err["code"] == status
    assert fragment in err["description"]
    assert Complaint.objects.count() == before


def test_xml_errors_and_unknown_request(client, o311):
    r = client.get("/open311/v2/requests/TS-NOPE.xml?jurisdiction_id=339100")
    assert r.status_code == 404
    x = ET.fromstring(r.content)
    assert x.tag == "errors"
    assert x.find("error/code").text == "404"
    assert x.find("error/description").text
    assert client.get("/open311/v2/services.csv").status_code == 400


def test_api_keys_are_stored_hashed(world, o311):
    k = ApiKey.objects.get()
    assert o311 not in (k.key_hash, k.prefix + k.key_hash)
    assert len(k.key_hash) == 64


def test_description_is_optional_and_api_key_may_come_in_the_query_string(client, o311):
    # GeoReport v2: only api_key, service_code and a location are required
    r = client.post(
        f"/open311/v2/requests.xml?api_key={o311}&jurisdiction_id=339100",
        {"service_code": "road-damage", "address_string": "人民路88号"},
    )
    assert r.status_code == 201, r.content
    rid = ET.fromstring(r.content).find("request/service_request_id").text
    c = Complaint.objects.get(number=rid)
    assert "人民路88号" in c.content
    assert "道路破损" in c.title


def test_discovery_names_the_specification_and_formats(client, o311):
    d = client.get("/open311/v2/discovery.json").json()
    [endpoint] = d["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    x = ET.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert x.tag == "discovery"
    assert x.find("endpoints/endpoint/formats/format").text == "text/xml"


def test_other_channels_refusal_notes_stay_private(client, o311, world):

    c = complaint_submit(
        kind="report", title="举报", content="举报某窗口人员收受好处，知情人钱某。", name="钱某", phone="13700000009"
    ).complaint
    complaint_refuse(complaint=c, actor=world.user("supervisor"), reason="discipline", note="已告知钱某向纪委反映")
    [row] = client.get(f"/open311/v2/requests/{c.number}.json").json()
    assert "钱某" not in str(row)
    assert row["description"] == ""
    assert row["status"] == "closed"
