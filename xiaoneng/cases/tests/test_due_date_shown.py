"""Issue 9: one Clock, one date, everywhere — for a case: the public tracking page, the staff case
page and the APIs show the decision clock's due date read through
workdays.due.clock_due_date, and the same day everywhere."""

from __future__ import annotations

import re

import pytest

from xiaoneng.cases.actions.intake import case_accept
from xiaoneng.cases.tests.conftest import submit
from xiaoneng.workdays.due import clock_due_date
from xiaoneng.workdays.explain import date_with_weekday

pytestmark = pytest.mark.django_db


def test_issue9_case_due_date_is_the_same_on_public_page_staff_page_and_apis(client, world, cw):
    # given an accepted case with its decision clock running
    case, code = submit(world, cw.simple)
    case = case_accept(case=case, actor=world.user("clerk"))
    due = clock_due_date(case.decision_clock)
    assert due is not None
    shown = date_with_weekday(due)  # "2026-12-21（周一）"
    # the public tracking page and API
    public = client.get("/track/", {"tracking_number": case.tracking_number, "code": code}).content.decode()
    assert shown in public
    assert re.findall(r'<time datetime="([\d-]+)"', public) == [str(due)]
    api = client.get("/api/cases/track", {"tracking_number": case.tracking_number, "code": code}).json()
    assert api["due_date"] == api["deadline"]["due_date"] == str(due)
    # the staff case page and the staff API
    client.force_login(world.user("clerk"))
    staff = client.get(f"/workbench/cases/{case.pk}/").content.decode()
    assert shown in staff
    assert f'<time datetime="{due}">' in staff
    detail = client.get(f"/api/cases/{case.pk}").json()
    decision = [c for c in detail["clocks"] if c["id"] == case.decision_clock_id]
    assert [c["due_date"] for c in decision] == [str(due)]
