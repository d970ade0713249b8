"""A NUL byte in a page's query or form is a 400 with the project's page, never a 500 (PostgreSQL
refuses NUL in text, so a search for it raised a DataError in the view)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/cases/apply/?q=a%00b", "/catalog/?q=%00", "/complaints/track/?number=%00", "/cases/apply/?page=1%00"]
)
def test_a_nul_byte_in_a_query_is_a_400_page(client, world, url):
    r = client.get(url)
    assert r.status_code == 400
    assert "请求无效" in r.content.decode()


def test_a_nul_byte_in_a_form_field_is_a_400(client, world):
    client.force_login(world.user("supervisor"))
    r = client.post("/accounts/login/", {"username": "a\x00", "password": "x"})
    assert r.status_code == 400


def test_the_api_and_open311_keep_their_own_formats(client, world):
    r = client.get("/open311/v2/requests.json", {"status": "a\x00"})
    assert r.status_code == 400
    assert r.json()[0]["code"] == 400
