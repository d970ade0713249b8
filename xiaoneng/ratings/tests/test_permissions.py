"""ratings.permissions: the scoped look-ups by id (404 outside the scope) and the office checks."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from xiaoneng.ratings.actions.rating import hall_service_record, rating_submit
from xiaoneng.ratings.actions.surveys import survey_create
from xiaoneng.ratings.choices import Level, Source
from xiaoneng.ratings.permissions import (
    access_hall_service_by_id,
    access_rating_by_id,
    access_survey_by_id,
    can_office,
    is_department_user,
    is_office_user,
    is_staff_user,
    survey_office_required,
)

pytestmark = pytest.mark.django_db


def test_access_rating_by_id_inside_and_outside_the_scope(world, case):
    # given a rating of a city department's case
    r = rating_submit(level=Level.UNSATISFIED, source=Source.WEB, case=case, reason="等候太久")
    # then the city's office and the rated department reach it
    assert access_rating_by_id(world.user("supervisor"), r.pk) == r
    assert access_rating_by_id(world.user("clerk"), r.pk) == r
    # another department and another county's office get 404
    for key in ("other_clerk", "other_county_supervisor"):
        with pytest.raises(Http404):
            access_rating_by_id(world.user(key), r.pk)
    # RAT-3: only the office in scope may verify it
    assert can_office(world.user("supervisor"), r)
    assert not can_office(world.user("other_county_supervisor"), r)
    assert not can_office(world.user("clerk"), r)


def test_access_survey_by_id_is_the_office_region(world):
    s = survey_create(actor=world.user("supervisor"), title="2026年度部门作风满意度测评")
    assert access_survey_by_id(world.user("supervisor"), s.pk) == s
    with pytest.raises(Http404):
        access_survey_by_id(world.user("other_county_supervisor"), s.pk)
    survey_office_required(world.user("supervisor"), s)
    for key in ("clerk", "other_county_supervisor", "applicant"):
        with pytest.raises(PermissionDenied):
            survey_office_required(world.user(key), s)


def test_access_hall_service_by_id_is_the_clerks_own_department(world):
    svc = hall_service_record(actor=world.user("clerk"), service_name="营业执照领取", window="A3")
    assert access_hall_service_by_id(world.user("dept_head"), svc.pk) == svc
    for key in ("other_clerk", "county_clerk", "supervisor"):
        with pytest.raises(Http404):
            access_hall_service_by_id(world.user(key), svc.pk)


@pytest.mark.parametrize(
    ("key", "office", "department", "staff"),
    [
        ("supervisor", True, False, True),
        ("leader", True, False, True),
        ("clerk", False, True, True),
        ("applicant", False, False, False),
        ("admin", False, False, False),
    ],
)
def test_role_tests(world, key, office, department, staff):
    user = world.user(key)
    assert (is_office_user(user), is_department_user(user), is_staff_user(user)) == (office, department, staff)
