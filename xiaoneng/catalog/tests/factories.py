"""Helpers that build catalog content and items for tests."""

from __future__ import annotations

from typing import Any

import factory

from xiaoneng.catalog.models import Item, ItemVersion
from xiaoneng.catalog.services import item_create, version_declare, version_publish, version_review
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, User
from xiaoneng.orgs.tests.factories import DepartmentFactory, UserFactory

_counter = {"n": 0}


def codes_for(department: Department, n: int | None = None) -> tuple[str, str]:
    if n is None:
        _counter["n"] += 1
        n = _counter["n"]
    base = f"{n:012d}"
    return base, f"{department.credit_code}{base}001"


def content(region_code: str = "339100", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "食品经营许可",
        "item_type": "01",
        "region": region_code,
        "gov_level": "city",
        "statutory_limit": 20,
        "statutory_unit": "wd",
        "committed_limit": 10,
        "committed_unit": "wd",
        "acceptance_conditions": "具有与经营的食品品种、数量相适应的经营场所。",
        "case_kind": "committed",
        "visits": 0,
        "place": "青溪市行政服务中心二楼 12 号窗口",
        "hours": "工作日 9:00–17:00",
        "enquiry_channel": "0571-12345678",
        "complaint_channel": "12345 政务服务热线",
        "online_depth": "4",
        "result_type": "license",
        "result_name": "食品经营许可证",
        "legal_bases": [
            {"law": "《中华人民共和国食品安全法》", "article": "第三十五条", "text": "国家对食品生产经营实行许可制度。"}
        ],
        "materials": [
            {"name": "食品经营许可申请书", "kind": "form", "form": "original", "required": True, "copies": 1}
        ],
        "fees": [],
        "special_procedures": [],
        "stages": [
            {
                "name": "受理",
                "join_policy": "all",
                "steps": [
                    {"name": "窗口受理", "role": "clerk", "limit_days": 1, "supervision_point": "是否一次性告知"}
                ],
            },
            {
                "name": "审查决定",
                "join_policy": "all",
                "steps": [{"name": "审核", "role": "reviewer", "limit_days": 5, "applicant_rights": "陈述、申辩"}],
            },
        ],
    }
    data.update(overrides)
    return data


def make_item(department: Department, actor: User, **overrides: Any) -> Item:
    base, code = codes_for(department)
    region = overrides.pop("region_code", department.region.code)
    themes = overrides.pop("themes", ["开办企业"])
    return item_create(
        actor=actor,
        department=department,
        base_code=base,
        implementing_code=code,
        content=content(region, **overrides),
        themes=themes,
    )


def head(item: Item) -> ItemVersion:
    """The item's newest version: every item made here has one (Item.head is nullable for mypy)."""
    assert item.head is not None
    return item.head


def published(item: Item) -> ItemVersion:
    """The item's version in force, for tests that published it."""
    assert item.published is not None
    return item.published


def publish(item: Item, *, declarer: User, legal: User) -> Item:
    item.refresh_from_db()
    version = item.head
    assert version is not None
    version_declare(actor=declarer, version=version)
    version_review(actor=legal, version=version, approve=True, comment="同意")
    version_publish(actor=legal, version=version)
    item.refresh_from_db()
    return item


class PublishedItemFactory(factory.Factory):
    """An item declared by its department's head, reviewed by the legal office and published
    (CAT-2: only a reviewed version is published), through the catalog actions."""

    class Meta:
        model = Item

    department = factory.SubFactory(DepartmentFactory)
    declarer = factory.SubFactory(UserFactory, role=Role.DEPT_HEAD, department=factory.SelfAttribute("..department"))
    legal = factory.SubFactory(
        UserFactory,
        role=Role.LEGAL,
        department=factory.SubFactory(
            DepartmentFactory, region=factory.SelfAttribute("...department.region"), is_legal_office=True
        ),
    )

    @classmethod
    def _create(cls, model_class: type[Item], *args: Any, **kwargs: Any) -> Item:
        department, declarer, legal = kwargs.pop("department"), kwargs.pop("declarer"), kwargs.pop("legal")
        return publish(make_item(department, declarer, **kwargs), declarer=declarer, legal=legal)

    @classmethod
    def _build(cls, model_class: type[Item], *args: Any, **kwargs: Any) -> Item:
        raise TypeError("an Item is only made by the catalog actions: use PublishedItemFactory()")
