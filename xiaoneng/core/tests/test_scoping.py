"""core.scoping decides which rows each role may read (conventions §3), tested on a real scoped
model: workdays.Clock declares ScopeRule(department="department", region="department__region")."""

from __future__ import annotations

from typing import cast

import pytest
from django.contrib.auth.models import AnonymousUser

from xiaoneng.core.scoping import region_subtree_q, restrict, restrict_for_model
from xiaoneng.orgs.choices import RegionLevel, Role
from xiaoneng.orgs.models import Region
from xiaoneng.orgs.tests.factories import DepartmentFactory, RegionFactory, UserFactory
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def clocks(world):
    """One clock in each of: a city department, another city department, a county department, and a
    department of another city (another tenant)."""

    def start(dept, label):
        return clock_start(owner=dept, kind="test", label=label, limit=5, department=dept)

    other_city = RegionFactory(code="339200", name="邻市", level=RegionLevel.CITY)
    foreign_dept = DepartmentFactory(region=other_city, name="邻市市场监管局")
    return {
        "dept": start(world.dept, "市场监管局时限"),
        "other_dept": start(world.other_dept, "住建局时限"),
        "county_dept": start(world.county_dept, "清河区时限"),
        "foreign": start(foreign_dept, "邻市时限"),
    }


def _labels(user) -> set[str]:
    return set(restrict(Clock.objects.all(), user).values_list("label", flat=True))


@pytest.mark.parametrize("key", ["clerk", "reviewer", "dept_head"])
def test_department_roles_see_only_their_departments_rows(world, clocks, key):
    # when / then
    assert _labels(world.user(key)) == {"市场监管局时限"}


def test_other_department_clerk_sees_only_their_own(world, clocks):
    assert _labels(world.user("other_clerk")) == {"住建局时限"}
    assert _labels(world.user("county_clerk")) == {"清河区时限"}


def test_county_supervisor_sees_only_the_county_subtree(world, clocks):
    assert _labels(world.user("county_supervisor")) == {"清河区时限"}


def test_other_county_supervisor_sees_nothing_of_the_county(world, clocks):
    assert _labels(world.user("other_county_supervisor")) == set()


@pytest.mark.parametrize("key", ["supervisor", "leader", "legal"])
def test_city_region_roles_see_the_whole_city_subtree_but_not_another_city(world, clocks, key):
    assert _labels(world.user(key)) == {"市场监管局时限", "住建局时限", "清河区时限"}


def test_admin_sees_its_tenant_only(world, clocks):
    assert _labels(world.user("admin")) == {"市场监管局时限", "住建局时限", "清河区时限"}
    other_city = Region.objects.get(code="339200")
    foreign_admin = UserFactory(username="foreign_admin", role=Role.ADMIN, region=other_city)
    assert _labels(foreign_admin) == {"邻市时限"}


def test_superuser_sees_everything(world, clocks):
    root = UserFactory(username="root", role=Role.ADMIN, region=world.city, is_superuser=True)
    assert _labels(root) == {"市场监管局时限", "住建局时限", "清河区时限", "邻市时限"}


@pytest.mark.parametrize("key", ["applicant", "other_applicant"])
def test_applicants_see_nothing_of_a_model_without_owner_or_public_part(world, clocks, key):
    assert _labels(world.user(key)) == set()


def test_anonymous_and_inactive_users_see_nothing(world, clocks):
    assert _labels(AnonymousUser()) == set()
    assert _labels(None) == set()
    clerk = world.user("clerk")
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    assert _labels(clerk) == set()


def test_restrict_for_model_is_the_same_filter(world, clocks):
    assert set(restrict_for_model(Clock, world.user("county_supervisor")).values_list("label", flat=True)) == {
        "清河区时限"
    }


def test_region_subtree_q_does_not_match_a_sibling_whose_code_shares_a_prefix(world):
    # given the county 339102 and, directly under the city, a street whose code starts with 339102
    sibling = cast(
        Region, RegionFactory(code="339102100", name="开发区街道", level=RegionLevel.TOWNSHIP, parent=world.city)
    )
    assert sibling.path.startswith(world.county.path)  # the trap: a plain prefix match would include it
    # when
    subtree = set(Region.objects.filter(region_subtree_q("path", world.county.path)).values_list("code", flat=True))
    # then the county and its township are in, the sibling is not
    assert subtree == {"339102", "339102001"}
    assert set(world.county.subtree().values_list("code", flat=True)) == {"339102", "339102001"}


def test_a_model_without_scope_rule_cannot_be_restricted(world):
    with pytest.raises(TypeError):
        restrict(Region.objects.all(), world.user("admin"))
