"""Bad input the schema refuses is answered in the user's language (zh-hans by default, English on
request), never with pydantic's or ninja's English text: a body that is not JSON is a 400, a value of
the wrong type a 422 naming the field."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_body_that_is_not_json_gets_a_translated_400(client, world):
    client.force_login(world.user("supervisor"))
    r = client.post("/api/oversight/tasks", data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.json()["detail"] == "请求内容无法解析，请发送有效的 JSON。"


def test_a_wrong_type_names_the_field_with_a_translated_message(client, world):
    client.force_login(world.user("supervisor"))
    r = client.get("/api/oversight/accountability", {"limit": "NaN"})
    assert r.status_code == 422
    errors = r.json()["detail"]
    assert errors[0]["loc"][-1] == "limit"
    assert errors[0]["msg"] == "请输入整数。"
    assert errors[0]["type"] == "int_parsing"


def test_english_on_request(client, world):
    client.force_login(world.user("supervisor"))
    r = client.get("/api/oversight/accountability", {"limit": "NaN"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "Please enter a whole number."
