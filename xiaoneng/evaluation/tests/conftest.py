from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from xiaoneng.evaluation.choices import IndicatorKind, PanelGroup, UnitCategory
from xiaoneng.evaluation.services import (
    indicator_add,
    panel_member_add,
    scheme_create,
    unit_add,
)
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import DepartmentFactory, UserFactory


@dataclass
class Setup:
    scheme: Any
    data: Any
    self_ind: Any
    panel_ind: Any
    survey_ind: Any
    member: Any
    units: list[Any]


@pytest.fixture
def ev(world) -> Setup:
    office = world.user("supervisor")
    scheme = scheme_create(actor=office, region=world.city, year=2026, name="2026年度市级机关绩效考评")
    data = indicator_add(
        actor=office,
        scheme=scheme,
        name="好差评满意率",
        kind=IndicatorKind.DATA,
        weight=40,
        data_key="ratings.satisfaction",
    )
    self_ind = indicator_add(actor=office, scheme=scheme, name="自评", kind=IndicatorKind.SELF, weight=10)
    panel_ind = indicator_add(actor=office, scheme=scheme, name="评议组评分", kind=IndicatorKind.PANEL, weight=30)
    survey_ind = indicator_add(actor=office, scheme=scheme, name="社会测评", kind=IndicatorKind.SURVEY, weight=20)
    units = [
        unit_add(actor=office, scheme=scheme, department=world.dept, category=UnitCategory.WINDOW),
        unit_add(actor=office, scheme=scheme, department=world.other_dept, category=UnitCategory.WINDOW),
        unit_add(actor=office, scheme=scheme, department=world.county_dept, category=UnitCategory.WINDOW),
    ]
    panel_user = UserFactory(username="panelist", role=Role.REVIEWER, department=world.legal_dept)
    world.users["panelist"] = panel_user
    member = panel_member_add(actor=office, scheme=scheme, user=panel_user, group=PanelGroup.DEPUTY)
    return Setup(scheme, data, self_ind, panel_ind, survey_ind, member, units)


@pytest.fixture
def extra_depts(world):
    return [DepartmentFactory(region=world.city, name=f"测试局{i}") for i in range(3)]
