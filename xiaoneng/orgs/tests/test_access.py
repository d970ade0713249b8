"""The wrong role is refused: the workbench is for staff, the API needs a sign-in."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_workbench_refuses_applicants(client, world):
    client.force_login(world.user("applicant"))
    assert client.get("/workbench/").status_code == 403


def test_workbench_redirects_anonymous_to_login(client, world):
    r = client.get("/workbench/")
    assert r.status_code == 302
    assert r.url == "/accounts/login/?next=/workbench/"


@pytest.mark.parametrize("key", ["clerk", "reviewer", "dept_head", "legal", "supervisor", "leader", "admin"])
def test_workbench_opens_for_staff(client, world, key):
    client.force_login(world.user(key))
    assert client.get("/workbench/").status_code == 200


def test_api_me_is_401_for_anonymous(client, db):
    assert client.get("/api/orgs/me").status_code == 401


def test_api_me_describes_the_signed_in_user(client, world):
    client.force_login(world.user("clerk"))
    data = client.get("/api/orgs/me").json()
    assert (data["username"], data["role"], data["department"]) == ("clerk", "clerk", "市场监管局")


def test_public_region_and_department_lists_need_no_sign_in(client, world):
    assert {r["code"] for r in client.get("/api/orgs/regions").json()} >= {"339100", "339102"}
    names = {d["name"] for d in client.get("/api/orgs/departments", {"region": "339102"}).json()}
    assert names == {"清河区市场监管局"}
    assert client.get("/api/orgs/departments", {"region": "999999"}).json() == []


def test_refusal_page_is_the_platforms_own_in_chinese(client, world):
    # given a clerk (not a department head) opening A/B management
    client.force_login(world.user("clerk"))
    # when
    r = client.get("/orgs/posts/")
    body = r.content.decode()
    # then a 403 in the site's layout with the service's reason
    assert r.status_code == 403
    assert "<h1>没有权限</h1>" in body
    assert "只有部门负责人或系统管理员可以管理A、B角。" in body
    assert 'class="skip-link"' in body


def test_not_found_page_is_the_platforms_own_and_leaks_nothing(client, world):
    client.force_login(world.user("dept_head"))
    r = client.post("/orgs/posts/999999/absent/", {"reason": "休假"})
    body = r.content.decode()
    assert r.status_code == 404
    assert "<h1>页面不存在</h1>" in body
    assert "matches the given query" not in body
