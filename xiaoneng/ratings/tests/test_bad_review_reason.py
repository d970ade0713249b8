# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value,index"
"""Issue 9 for ratings: a bad review states its reason (RAT-1; 国办发〔2019〕51号 差评须说明问题) on the
page, the terminal and the API; the staff list links each rating to its case and catalog item and is
paginated with the other rating lists; no rule ID reaches a user."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from xiaoneng.ratings.actions.rating import hall_service_record, rating_submit
from xiaoneng.ratings.choices import Level, Source
from xiaoneng.ratings.links import rating_token
from xiaoneng.ratings.models import InHallService, Rating, Survey

pytestmark = pytest.mark.django_db

REASON_MSG = "请说明遇到的问题"


# --- the rule in the service ------------------------------------------------------------------------


@pytest.mark.parametrize("level", [Level.UNSATISFIED, Level.VERY_UNSATISFIED])
@pytest.mark.parametrize("reason", ["", "   ", None, 42])
def test_rat1_a_bad_review_without_a_reason_is_refused(world, case, level, reason):
    with pytest.raises(ValidationError) as e:
        rating_submit(level=level, source=Source.WEB, case=case, reason=reason)
    assert REASON_MSG in e.value.message_dict["reason"][0]
    assert "RAT-" not in str(e.value)
    assert Rating.objects.count() == 0


def test_rat1_every_rating_problem_comes_at_once(world, case):
    with pytest.raises(ValidationError) as e:
        rating_submit(level=Level.VERY_UNSATISFIED, source="forged", case=case, comment="长" * 1001)
    assert set(e.value.message_dict) == {"reason", "source", "comment"}


def test_rat1_a_bad_review_with_a_reason_is_kept_and_sent_for_verification(world, case):
    r = rating_submit(level=Level.UNSATISFIED, source=Source.WEB, case=case, reason=" 等候两小时 ")
    assert r.reason == "等候两小时"
    assert r.handling == "pending"


def test_a_good_rating_needs_no_reason_and_keeps_none(world, case):
    r = rating_submit(level=Level.SATISFIED, source=Source.WEB, case=case, reason="误填")
    assert r.reason == ""


def test_a_reason_longer_than_1000_is_refused(world, case):
    with pytest.raises(ValidationError) as e:
        rating_submit(level=Level.UNSATISFIED, source=Source.WEB, case=case, reason="长" * 1001)
    assert "1000" in e.value.message_dict["reason"][0]


# --- the public page and the terminal ---------------------------------------------------------------


def test_rate_page_refuses_a_bad_grade_without_reason_then_accepts_it_with_one(client, world, case):
    url = reverse("ratings:rate", args=[rating_token(case=case)])
    page = client.get(url).content.decode()
    # the reason field is on the page (shown by the script when a bad grade is chosen)
    assert 'id="bad-reason"' in page
    assert 'name="reason"' in page
    # when the rater picks 非常不满意 without a reason
    r = client.post(url, {"level": "1", "comment": "希望改进"})
    html = r.content.decode()
    # then it is refused with a clear message, and what was chosen and typed stays
    assert r.status_code == 200
    assert REASON_MSG in html
    assert 'id="err-reason"' in html
    assert re.search(r'value="1" required checked', html)
    assert "希望改进" in html
    assert Rating.objects.count() == 0
    # when a reason is given
    r = client.post(url, {"level": "1", "comment": "希望改进", "reason": "窗口等候两小时无人接待"})
    # then it is recorded, and the POST redirects to the thanks page (no resubmission on refresh)
    assert r.status_code == 302
    assert r["Location"].endswith("?thanks=1")
    assert "感谢" in client.get(r["Location"]).content.decode()
    rating = Rating.objects.get()
    assert rating.reason == "窗口等候两小时无人接待"
    assert rating.comment == "希望改进"


def test_terminal_refuses_a_bad_grade_without_reason(client, world):
    client.force_login(world.user("clerk"))
    svc = hall_service_record(actor=world.user("clerk"), service_name="证照领取", window="A1")
    url = reverse("ratings:terminal_rate", args=[svc.pk])
    r = client.post(url, {"level": "2"})
    assert r.status_code == 200
    assert REASON_MSG in r.content.decode()
    assert not Rating.objects.exists()
    assert client.post(url, {"level": "2", "reason": "态度生硬"}).status_code == 302
    assert Rating.objects.get().reason == "态度生硬"


# --- the API ----------------------------------------------------------------------------------------


def test_api_refuses_a_bad_rating_without_reason(client, world, case):
    body = {"token": rating_token(case=case), "level": 2, "comment": "一般"}
    r = client.post("/api/ratings/rate", body, content_type="application/json")
    assert r.status_code == 400
    assert REASON_MSG in r.json()["detail"]["reason"][0]
    assert Rating.objects.count() == 0
    body["reason"] = "要求重复提交材料"
    r = client.post("/api/ratings/rate", body, content_type="application/json")
    assert r.status_code == 201
    client.force_login(world.user("supervisor"))
    assert client.get(f"/api/ratings/ratings/{r.json()['id']}").json()["reason"] == "要求重复提交材料"


def test_terminal_api_refuses_a_bad_rating_without_reason(client, world):
    client.force_login(world.user("clerk"))
    svc = hall_service_record(actor=world.user("clerk"), service_name="证照领取")
    path = f"/api/ratings/hall-services/{svc.pk}/rate"
    assert client.post(path, {"level": 1}, content_type="application/json").status_code == 400
    assert client.post(path, {"level": 1, "reason": "无人"}, content_type="application/json").status_code == 201


# --- the staff list: case and catalog item ----------------------------------------------------------


def test_office_list_links_each_rating_to_its_case_and_catalog_item(client, world, case):
    rating_submit(level=Level.UNSATISFIED, source=Source.WEB, case=case, reason="等候太久")
    client.force_login(world.user("supervisor"))
    html = client.get(reverse("ratings:list")).content.decode()
    assert reverse("cases:staff_case", args=[case.pk]) in html
    assert case.tracking_number in html
    assert reverse("catalog:item", args=[case.version.item.implementing_code]) in html
    assert case.version.name in html
    assert "等候太久" in html


def test_department_list_links_the_item_but_not_the_case_the_rater_is_protected(client, world, case):
    # RAT-1: a case names its applicant, who is (usually) the rater
    rating_submit(level=Level.UNSATISFIED, source=Source.WEB, case=case, reason="等候太久")
    client.force_login(world.user("dept_head"))
    html = client.get(reverse("ratings:list")).content.decode()
    assert reverse("catalog:item", args=[case.version.item.implementing_code]) in html
    assert reverse("cases:staff_case", args=[case.pk]) not in html
    assert case.tracking_number not in html
    detail = client.get(reverse("ratings:detail", args=[Rating.objects.get().pk])).content.decode()
    assert case.tracking_number not in detail


# --- pagination -------------------------------------------------------------------------------------


def _many_bad_ratings(world, n):
    now = timezone.now()
    for i in range(n):
        svc = InHallService.objects.create(
            tenant=world.dept.tenant, department=world.dept, service_name=f"服务{i}", served_at=now
        )
        Rating.objects.create(
            tenant=world.dept.tenant,
            service=svc,
            department=world.dept,
            level=Level.UNSATISFIED,
            reason="慢",
            source=Source.TERMINAL,
            rated_at=now - timedelta(minutes=i),
            handling="pending",
        )


@pytest.mark.parametrize("which", ["bad", "all"])
def test_rating_lists_are_paginated_with_a_total(client, world, which):
    _many_bad_ratings(world, 55)
    client.force_login(world.user("supervisor"))
    url = reverse("ratings:list") + f"?which={which}"
    first = client.get(url).content.decode()
    rows = re.compile(r'href="/workbench/ratings/\d+/"')
    assert "共 55 条" in first
    assert len(rows.findall(first)) == 50
    second = client.get(url + "&page=2").content.decode()
    assert len(rows.findall(second)) == 5
    assert "which=" + which in second


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1e9", "x" * 300, "NaN"])
def test_bad_page_numbers_never_fail(client, world, page):
    _many_bad_ratings(world, 3)
    client.force_login(world.user("supervisor"))
    for name in ["ratings:list", "ratings:surveys", "ratings:public_stats"]:
        assert client.get(reverse(name), {"page": page}).status_code == 200, name
    client.force_login(world.user("applicant"))
    assert client.get(reverse("ratings:mine"), {"page": page}).status_code == 200


def test_surveys_list_is_paginated(client, world):
    for i in range(52):
        Survey.objects.create(
            tenant=world.city, region=world.city, title=f"问卷{i}", created_by=world.user("supervisor")
        )
    client.force_login(world.user("supervisor"))
    html = client.get(reverse("ratings:surveys")).content.decode()
    assert "共 52 条" in html
    assert html.count("/results/") == 50


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2024-13", "abc", "x" * 300, "-1-1"])
def test_public_stats_hostile_month_is_not_a_500(client, world, month):
    assert client.get(reverse("ratings:public_stats"), {"month": month}).status_code == 200


# --- no rule IDs for users --------------------------------------------------------------------------


def test_rating_pages_show_no_rule_ids(client, world, case):
    r = rating_submit(level=Level.UNSATISFIED, source=Source.WEB, case=case, reason="等候太久")
    pages = [client.get(reverse("ratings:public_stats")), client.get(reverse("ratings:rate", args=["forged"]))]
    client.force_login(world.user("supervisor"))
    pages += [client.get(reverse("ratings:list")), client.get(reverse("ratings:detail", args=[r.pk]))]
    for p in pages:
        assert not re.search(r"\b(RAT|CMP|SUP|ACC)-\d", p.content.decode())
