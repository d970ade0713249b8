"""CAS-9 A/B roles: when the A holder of a post is absent, the B holder receives the work. The
service, the management page /orgs/posts/ and the API /api/orgs/posts, with their refusals."""

from __future__ import annotations

from typing import cast

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaoneng.core.models import Event, Notification
from xiaoneng.orgs.choices import RegionLevel, Role
from xiaoneng.orgs.models import Post
from xiaoneng.orgs.services import post_mark_absent, post_mark_present
from xiaoneng.orgs.tests.factories import PostFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(world):
    """A review post of the city market department: A = reviewer, B = another reviewer."""
    b = UserFactory(username="reviewer_b", display_name="周审核B", role=Role.REVIEWER, department=world.dept)
    return PostFactory(
        department=world.dept, name="业务审核岗", role=Role.REVIEWER, holder_a=world.user("reviewer"), holder_b=b
    )


@pytest.fixture
def other_post(world):
    """A post of another city department."""
    return PostFactory(
        department=world.other_dept,
        name="窗口受理岗",
        role=Role.CLERK,
        holder_a=world.user("other_clerk"),
        holder_b=UserFactory(username="other_b", role=Role.CLERK, department=world.other_dept),
    )


# --- the service -----------------------------------------------------------------------------------


def test_cas9_assignee_is_a_then_b_while_a_is_absent_then_a_again(world, post, django_capture_on_commit_callbacks):
    head = world.user("dept_head")
    # given
    assert post.assignee == world.user("reviewer")
    # when the department head marks A absent
    with django_capture_on_commit_callbacks(execute=True):
        post = post_mark_absent(post=post, actor=head, reason="年休假")
    # then the B holder receives the work, and is told
    assert post.assignee == post.holder_b
    assert Post.objects.get(pk=post.pk).a_absent_reason == "年休假"
    assert Notification.objects.get(recipient=post.holder_b).title.startswith("您已接替")
    # when A is back
    post = post_mark_present(post=post, actor=head)
    # then
    assert post.assignee == world.user("reviewer")
    assert (post.a_absent, post.a_absent_reason) == (False, "")


def test_cas9_each_change_appends_an_event(world, post):
    head = world.user("dept_head")
    post_mark_absent(post=post, actor=head, reason="出差")
    post_mark_present(post=post, actor=head)
    events = list(Event.objects.for_subject(post))
    assert [(e.action, e.actor_id, e.seq) for e in events] == [
        ("post.a_absent", head.pk, 1),
        ("post.a_present", head.pk, 2),
    ]
    assert events[0].reason == "出差"
    assert events[0].after == {"assignee": post.holder_b_id}
    assert events[0].tenant_id == post.tenant_id


def test_cas9_an_inactive_a_holder_hands_over_to_b(world, post):
    a = world.user("reviewer")
    a.is_active = False
    a.save(update_fields=["is_active"])
    post.refresh_from_db()
    assert post.assignee == post.holder_b


@pytest.mark.parametrize("key", ["admin"])
def test_cas9_admin_of_the_tenant_may_mark_absence(world, post, key):
    post_mark_absent(post=post, actor=world.user(key), reason="培训")
    assert Post.objects.get(pk=post.pk).a_absent


@pytest.mark.parametrize(
    "key",
    ["clerk", "reviewer", "other_clerk", "county_clerk", "legal", "supervisor", "leader", "applicant"],
)
def test_cas9_only_the_department_head_or_an_admin_may_mark_absence(world, post, key):
    # when / then
    with pytest.raises(PermissionDenied):
        post_mark_absent(post=post, actor=world.user(key), reason="休假")
    with pytest.raises(PermissionDenied):
        post_mark_present(post=post, actor=world.user(key))
    assert not Post.objects.get(pk=post.pk).a_absent
    assert not Event.objects.for_subject(post).exists()


def test_cas9_head_of_another_department_is_refused(world, other_post):
    with pytest.raises(PermissionDenied):
        post_mark_absent(post=other_post, actor=world.user("dept_head"), reason="休假")


def test_cas9_admin_of_another_tenant_is_refused(world, post):

    foreign_admin = UserFactory(
        username="foreign_admin", role=Role.ADMIN, region=RegionFactory(code="339200", level=RegionLevel.CITY)
    )
    with pytest.raises(PermissionDenied):
        post_mark_absent(post=post, actor=foreign_admin, reason="休假")


def test_cas9_a_reason_is_required_and_a_b_holder_must_exist(world, post):
    head = world.user("dept_head")
    with pytest.raises(ValidationError) as exc:
        post_mark_absent(post=post, actor=head, reason="  ")
    assert exc.value.message_dict == {"reason": ["请填写A角缺岗的原因。"]}
    with pytest.raises(ValidationError):
        post_mark_absent(post=post, actor=head, reason="长" * 101)
    lonely = cast(Post, PostFactory(department=world.dept, name="无B角岗", holder_a=world.user("clerk")))
    with pytest.raises(ValidationError) as exc:
        post_mark_absent(post=lonely, actor=head, reason="休假")
    assert "没有在职的B角" in exc.value.messages[0]
    assert not Event.objects.for_subject(lonely).exists()


def test_cas9_marking_twice_is_refused(world, post):
    head = world.user("dept_head")
    with pytest.raises(ValidationError):
        post_mark_present(post=post, actor=head)
    post_mark_absent(post=post, actor=head, reason="休假")
    with pytest.raises(ValidationError):
        post_mark_absent(post=post, actor=head, reason="休假")
    assert Event.objects.for_subject(post).count() == 1


# --- the page ------------------------------------------------------------------------------------


def test_posts_page_lists_the_heads_department_only(client, world, post, other_post):
    client.force_login(world.user("dept_head"))
    # when
    r = client.get("/orgs/posts/")
    body = r.content.decode()
    # then
    assert r.status_code == 200
    assert "业务审核岗" in body
    assert "周审核B" in body
    assert "窗口受理岗" not in body
    assert "设为A角缺岗" in body


def test_posts_page_shows_the_whole_tenant_to_an_admin(client, world, post, other_post):
    client.force_login(world.user("admin"))
    body = client.get("/orgs/posts/").content.decode()
    assert "业务审核岗" in body
    assert "窗口受理岗" in body


def test_posts_page_is_in_the_workbench_menu_of_heads_and_admins_only(client, world):
    client.force_login(world.user("dept_head"))
    assert 'href="/orgs/posts/"' in client.get("/workbench/").content.decode()
    client.force_login(world.user("clerk"))
    assert 'href="/orgs/posts/"' not in client.get("/workbench/").content.decode()


@pytest.mark.parametrize("key", ["clerk", "reviewer", "supervisor", "leader", "legal", "applicant"])
def test_posts_page_refuses_other_roles(client, world, post, key):
    client.force_login(world.user(key))
    assert client.get("/orgs/posts/").status_code == 403
    assert client.post(f"/orgs/posts/{post.pk}/absent/", {"reason": "休假"}).status_code == 403
    assert client.post(f"/orgs/posts/{post.pk}/present/").status_code == 403
    assert not Post.objects.get(pk=post.pk).a_absent


def test_posts_page_redirects_anonymous_to_login(client, world, post):
    r = client.get("/orgs/posts/")
    assert r.status_code == 302
    assert r.url.startswith("/accounts/login/")
    r = client.post(f"/orgs/posts/{post.pk}/absent/", {"reason": "休假"})
    assert r.status_code == 302
    assert not Post.objects.get(pk=post.pk).a_absent


def test_mark_absent_and_present_from_the_page(client, world, post):
    client.force_login(world.user("dept_head"))
    # when
    r = client.post(f"/orgs/posts/{post.pk}/absent/", {"reason": "年休假"}, follow=True)
    # then
    assert "已设置A角缺岗，工作转由B角周审核B办理。" in r.content.decode()
    assert Post.objects.get(pk=post.pk).assignee == post.holder_b
    # when
    r = client.post(f"/orgs/posts/{post.pk}/present/", follow=True)
    assert "A角已恢复到岗。" in r.content.decode()
    assert Post.objects.get(pk=post.pk).assignee == world.user("reviewer")


def test_mark_absent_with_htmx_returns_the_updated_row(client, world, post):
    client.force_login(world.user("dept_head"))
    r = client.post(f"/orgs/posts/{post.pk}/absent/", {"reason": "年休假"}, headers={"HX-Request": "true"})
    body = r.content.decode()
    assert r.status_code == 200
    assert body.strip().startswith(f'<tr id="post-{post.pk}">')
    assert "A角缺岗" in body
    assert "年休假" in body
    assert "A角回岗" in body
    assert "<html" not in body


def test_mark_absent_without_reason_shows_the_error_and_writes_nothing(client, world, post):
    client.force_login(world.user("dept_head"))
    r = client.post(f"/orgs/posts/{post.pk}/absent/", {"reason": ""}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "这个字段是必填项。" in r.content.decode()
    r = client.post(f"/orgs/posts/{post.pk}/absent/", {"reason": ""}, follow=True)
    assert "这个字段是必填项。" in r.content.decode()
    assert not Post.objects.get(pk=post.pk).a_absent
    assert not Event.objects.for_subject(post).exists()


def test_a_head_cannot_reach_another_departments_post(client, world, other_post):
    client.force_login(world.user("dept_head"))
    assert client.post(f"/orgs/posts/{other_post.pk}/absent/", {"reason": "休假"}).status_code == 404
    assert not Post.objects.get(pk=other_post.pk).a_absent


def test_posts_page_query_count_does_not_grow_with_posts(client, world, django_assert_max_num_queries):
    for i in range(30):
        PostFactory(
            department=world.dept,
            name=f"岗位{i}",
            holder_a=UserFactory(role=Role.CLERK, department=world.dept),
            holder_b=UserFactory(role=Role.CLERK, department=world.dept),
        )
    client.force_login(world.user("dept_head"))
    with django_assert_max_num_queries(10):
        assert client.get("/orgs/posts/").status_code == 200


# --- the API -------------------------------------------------------------------------------------


def test_api_lists_the_posts_a_head_manages(client, world, post, other_post):
    client.force_login(world.user("dept_head"))
    data = client.get("/api/orgs/posts").json()
    assert [p["name"] for p in data] == ["业务审核岗"]
    assert data[0]["assignee"] == {"id": world.user("reviewer").pk, "name": str(world.user("reviewer"))}
    client.force_login(world.user("admin"))
    assert {p["name"] for p in client.get("/api/orgs/posts").json()} == {"业务审核岗", "窗口受理岗"}


def test_api_mark_absent_and_present(client, world, post):
    client.force_login(world.user("dept_head"))
    # when
    r = client.post(f"/api/orgs/posts/{post.pk}/absent", {"reason": "出差"}, content_type="application/json")
    # then
    assert r.status_code == 200
    assert r.json()["a_absent"] is True
    assert r.json()["assignee"]["id"] == post.holder_b_id
    r = client.post(f"/api/orgs/posts/{post.pk}/present", content_type="application/json")
    assert r.status_code == 200
    assert r.json()["assignee"]["id"] == world.user("reviewer").pk


def test_api_bad_input_is_a_400_with_a_chinese_message(client, world, post):
    client.force_login(world.user("dept_head"))
    r = client.post(f"/api/orgs/posts/{post.pk}/absent", {"reason": ""}, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["detail"] == {"reason": ["请填写A角缺岗的原因。"]}
    r = client.post(f"/api/orgs/posts/{post.pk}/present", content_type="application/json")
    assert r.status_code == 400
    assert r.json()["detail"] == {"__all__": ["该岗位A角已在岗。"]}


@pytest.mark.parametrize("key", ["clerk", "reviewer", "supervisor", "leader", "legal", "applicant"])
def test_api_refuses_other_roles(client, world, post, key):
    client.force_login(world.user(key))
    assert client.get("/api/orgs/posts").status_code == 403
    r = client.post(f"/api/orgs/posts/{post.pk}/absent", {"reason": "休假"}, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["detail"] == "只有部门负责人或系统管理员可以管理A、B角。"
    assert client.post(f"/api/orgs/posts/{post.pk}/present", content_type="application/json").status_code == 403
    assert not Post.objects.get(pk=post.pk).a_absent


def test_api_refuses_anonymous_and_hides_other_departments(client, world, post, other_post):
    assert client.get("/api/orgs/posts").status_code == 401
    assert (
        client.post(f"/api/orgs/posts/{post.pk}/absent", {"reason": "x"}, content_type="application/json").status_code
        == 401
    )
    client.force_login(world.user("dept_head"))
    r = client.post(f"/api/orgs/posts/{other_post.pk}/absent", {"reason": "x"}, content_type="application/json")
    assert r.status_code == 404
    assert not Post.objects.get(pk=other_post.pk).a_absent
