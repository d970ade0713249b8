# mypy: disable-error-code="union-attr,arg-type,misc,operator,return-value,index"
"""Issue 9: the complaint lists are paginated with a total (bad page numbers never fail), and no
rule ID (CMP-*, ACC-*) reaches a user's page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.tests.conftest import dispatched, submit
from xiaoneng.workdays.models import Clock

pytestmark = pytest.mark.django_db

ROW = re.compile(r'href="/workbench/(?:complaints|orders)/\d+/"')


def test_office_list_is_paginated_with_a_total_and_keeps_its_filter(client, world):
    for _i in range(53):
        submit(world)
    client.force_login(world.user("supervisor"))
    first = client.get(reverse("complaints:office"), {"status": "registered"}).content.decode()
    assert "共 53 条" in first
    assert len(ROW.findall(first)) == 50
    assert "status=registered&amp;page=2" in first or "page=2&amp;status=registered" in first
    second = client.get(reverse("complaints:office"), {"status": "registered", "page": 2}).content.decode()
    assert len(ROW.findall(second)) == 3


def test_department_list_is_paginated(client, world):
    for _i in range(51):
        dispatched(world)
    client.force_login(world.user("dept_head"))
    first = client.get(reverse("complaints:department")).content.decode()
    assert "共 51 条" in first
    assert len(ROW.findall(first)) == 50
    assert len(ROW.findall(client.get(reverse("complaints:department"), {"page": 2}).content.decode())) == 1


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1e9", "x" * 300, "NaN", ""])
def test_bad_page_numbers_never_fail(client, world, page):
    dispatched(world)
    assert client.get(reverse("complaints:public_stats"), {"page": page}).status_code == 200
    client.force_login(world.user("supervisor"))
    assert client.get(reverse("complaints:office"), {"page": page}).status_code == 200
    client.force_login(world.user("dept_head"))
    assert client.get(reverse("complaints:department"), {"page": page}).status_code == 200


def test_complaint_pages_and_clocks_show_no_rule_ids(client, world):
    c = submit(world)
    assert not re.search(r"\bCMP-\d", Clock.objects.get(pk=c.accept_clock_id).legal_basis)
    pages = [client.get(reverse(n)) for n in ("complaints:complain", "complaints:public_stats")]
    client.force_login(world.user("supervisor"))
    pages += [
        client.get(reverse("complaints:office_detail", args=[c.pk])),
        client.get(reverse("complaints:stats")),
        client.get(reverse("complaints:office")),
    ]
    for p in pages:
        assert not re.search(r"\b(CMP|RAT|ACC|SUP)-\d", p.content.decode()), p.request["PATH_INFO"]
    assert Complaint.objects.count() == 1
