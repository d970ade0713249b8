# mypy: disable-error-code="union-attr,operator"
"""Issue 9: no list stops silently. 在线申请 lists every applicable item a page at a time with the
total and a search over name, implementing code and department; the staff queue, the applicant's
cases, the enquiries, the negative-decision reports and the inbox are paginated the same way (the
shared pager, xiaoneng.core.pagination); a bad page number never fails."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from xiaoneng.cases import views
from xiaoneng.cases.actions.enquiries import enquiry_register
from xiaoneng.cases.actions.negative import case_negative_report_submit
from xiaoneng.cases.tests.conftest import accepted, published_copies, submit
from xiaoneng.catalog.models import Item
from xiaoneng.catalog.tests.factories import make_item, publish
from xiaoneng.core.pagination import paginate
from xiaoneng.core.services import notify
from xiaoneng.portal import views as portal_views

pytestmark = pytest.mark.django_db

BAD_PAGES = ["abc", "0", "-1", "99999", "1.5", "9" * 300, "", "NaN"]


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _rows(html: str, table_id: str) -> int:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return body.count("<tr") - 1  # less the header row


@pytest.fixture
def many_items(world) -> list[Item]:
    first = make_item(world.dept, world.user("dept_head"), name="食品经营许可")
    first = publish(first, declarer=world.user("dept_head"), legal=world.user("legal"))
    return [first, *published_copies(first, 54)]


def test_apply_index_pages_through_every_item_with_the_total(world, many_items):
    c = Client()
    # when the applicant opens 在线申请: 55 items, 50 a page
    first = c.get("/cases/apply/").content.decode()
    assert "共 55 条" in first
    assert _rows(first, "apply-items") == 50
    # then the items past the first page are on page 2 (not cut off)
    second = c.get("/cases/apply/", {"page": 2}).content.decode()
    assert _rows(second, "apply-items") == 5
    shown = set(re.findall(r"/cases/apply/([^/\"?]+)/", first + second))
    assert shown == {i.implementing_code for i in many_items}


def test_apply_index_searches_name_code_and_department(world, many_items):
    c = Client()
    target = many_items[42]
    by_name = c.get("/cases/apply/", {"q": "第041号"}).content.decode()
    assert _rows(by_name, "apply-items") == 1
    assert f"/cases/apply/{target.implementing_code}/" in by_name
    by_code = c.get("/cases/apply/", {"q": target.implementing_code[-8:]}).content.decode()
    assert f"/cases/apply/{target.implementing_code}/" in by_code
    assert "共 1 条" in by_code
    by_dept = c.get("/cases/apply/", {"q": world.dept.name}).content.decode()
    assert "共 55 条" in by_dept
    # the page links keep the search
    assert "q=" in by_dept.split('rel="next"')[0].rsplit("href=", 1)[1]
    # hostile input: a 300-character query is cut, not a failure
    assert c.get("/cases/apply/", {"q": "许" * 300}).status_code == 200


@pytest.mark.parametrize("bad", BAD_PAGES)
def test_a_bad_page_number_never_fails(world, cw, bad):
    staff = client_for(world.user("dept_head"))
    for url, c in (
        ("/cases/apply/", Client()),
        ("/workbench/cases/", staff),
        ("/workbench/cases/enquiries/", staff),
        ("/workbench/cases/negative-reports/", staff),
        ("/inbox/", staff),
        ("/cases/mine/", client_for(world.user("applicant"))),
    ):
        assert c.get(url, {"page": bad}).status_code == 200, (url, bad)


@pytest.fixture
def two_a_page(monkeypatch):
    """The pager at 2 rows a page, so a handful of rows spans several pages."""

    monkeypatch.setattr(views, "paginate", partial(paginate, per_page=2))
    monkeypatch.setattr(portal_views, "paginate", partial(paginate, per_page=2))


def test_the_staff_queue_is_paginated_most_urgent_first(world, cw, two_a_page):
    cases = [submit(world, cw.simple)[0] for _i in range(5)]
    c = client_for(world.user("clerk"))
    first = c.get("/workbench/cases/").content.decode()
    assert "共 5 项待办" in first
    assert _rows(first, "queue") == 2
    last = c.get("/workbench/cases/", {"page": 3}).content.decode()
    assert _rows(last, "queue") == 1
    seen = set()
    for p in (1, 2, 3):
        seen |= set(re.findall(r'data-case="(\d+)"', c.get("/workbench/cases/", {"page": p}).content.decode()))
    assert seen == {str(x.pk) for x in cases}
    # filters stay on the page links
    filtered = c.get("/workbench/cases/", {"status": "submitted"}).content.decode()
    assert "status=submitted" in filtered.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_the_applicant_cases_enquiries_reports_and_inbox_are_paginated(
    world, cw, two_a_page, django_capture_on_commit_callbacks
):
    for _i in range(3):
        accepted(world, cw.simple)
    applicant = client_for(world.user("applicant"))
    assert "共 3 条" in applicant.get("/cases/mine/").content.decode()
    pages = [applicant.get("/cases/mine/", {"page": p}).content.decode() for p in (1, 2)]
    assert [len(re.findall(r'href="/cases/(\d+)/"', html)) for html in pages] == [2, 1]
    # enquiries (were cut at 100)
    clerk = world.user("clerk")
    for i in range(3):
        enquiry_register(actor=clerk, visitor_name=f"来访{i}", question="咨询", outcome="handled", answer="已答复")
    assert "共 3 条" in client_for(clerk).get("/workbench/cases/enquiries/").content.decode()
    # negative-decision reports (were unbounded)
    for _i in range(3):
        case, _code = submit(world, cw.simple)
        case_negative_report_submit(case=case, actor=clerk, kind="non_acceptance", reasons="不属于本机关职权")
    reports = client_for(world.user("dept_head")).get("/workbench/cases/negative-reports/").content.decode()
    assert "共 3 条" in reports
    assert _rows(reports, "reports") == 2
    # the inbox (was cut at 200)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            notify(recipients=[clerk], title=f"消息{i}", channels=("inbox",))
    total = clerk.notifications.count()
    inbox = client_for(clerk).get("/inbox/", {"page": 2}).content.decode()
    assert f"共 {total} 条" in inbox
    assert 'aria-current="page">2<' in inbox


def test_the_ledger_is_paginated_and_keeps_its_period(world, cw, two_a_page):

    for _i in range(3):
        submit(world, cw.simple)
    today = timezone.localdate().isoformat()
    c = client_for(world.user("dept_head"))
    first = c.get("/workbench/cases/ledger/", {"start": today, "end": today}).content.decode()
    # then every case is counted, shown a page at a time (it was cut at 200), the period kept on the links
    assert "共 3 件" in first
    assert _rows(first, "ledger") == 2
    assert f"start={today}" in first.split('rel="next"')[0].rsplit("href=", 1)[1]
    second = c.get("/workbench/cases/ledger/", {"start": today, "end": today, "page": "2"}).content.decode()
    assert _rows(second, "ledger") == 1
    assert c.get("/workbench/cases/ledger/", {"start": today, "end": today, "page": "x" * 300}).status_code == 200
