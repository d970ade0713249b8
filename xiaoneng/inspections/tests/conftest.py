"""Fixtures for the inspections tests: a published inspection item (行政检查) and a published penalty
item (行政处罚) of the city market regulator, and certificates for two of its officials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from xiaoneng.catalog.models import Item
from xiaoneng.catalog.tests.factories import make_item, publish
from xiaoneng.inspections.actions.certificates import certificate_issue
from xiaoneng.inspections.actions.first_violations import first_violation_entry_add
from xiaoneng.inspections.models import EnforcementCertificate
from xiaoneng.orgs.validators import credit_code_check_char

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def credit(first17: str = "91339100MA2XXXXX0") -> str:
    """A valid unified social credit code from its first 17 characters (INS-5)."""
    return first17 + credit_code_check_char(first17)


ENTERPRISE = credit()
OTHER_ENTERPRISE = credit("91339100MA2YYYYY1")


@dataclass
class InspectionWorld:
    inspection_item: Item
    penalty_item: Item
    licensing_item: Item
    certs: dict[str, EnforcementCertificate]
    today: date


def _publish(world: Any, **content: Any) -> Item:
    item = make_item(world.dept, world.user("dept_head"), **content)
    return publish(item, declarer=world.user("dept_head"), legal=world.user("legal"))


@pytest.fixture
def iw(world) -> InspectionWorld:
    today = timezone.localdate()
    inspection_item = _publish(world, name="对食品经营者的监督检查", item_type="06")
    penalty_item = _publish(world, name="对销售不符合食品安全标准食品的行政处罚", item_type="02")
    licensing_item = _publish(world, name="食品经营许可", item_type="01")
    certs = {}
    for key in ("clerk", "reviewer", "dept_head"):
        certs[key] = certificate_issue(
            actor=world.user("legal"),
            holder=world.user(key),
            department=world.dept,
            number=f"33910000{key[:3].upper()}",
            scope_text="市场监管",
            valid_from=today - timedelta(days=365),
            valid_to=today + timedelta(days=365),
        )
    return InspectionWorld(inspection_item, penalty_item, licensing_item, certs, today)


def filing_args(world: Any, iw: InspectionWorld, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "actor": world.user("clerk"),
        "department": world.dept,
        "item": iw.inspection_item,
        "enterprise_name": "青溪市好味餐饮有限公司",
        "credit_code": ENTERPRISE,
        "planned_date": iw.today + timedelta(days=3),
        "purpose": "年度食品安全双随机抽查",
        "officials": [world.user("clerk"), world.user("reviewer")],
    }
    args.update(overrides)
    return args


def entry_for(world: Any, iw: InspectionWorld, **overrides: Any) -> Any:

    args: dict[str, Any] = {
        "actor": world.user("legal"),
        "item": iw.penalty_item,
        "circumstance": "首次未按规定公示食品经营许可证，未造成危害后果",
        "rectify_days": 10,
    }
    args.update(overrides)
    return first_violation_entry_add(**args)


def notice_args(world: Any, entry: Any, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "actor": world.user("clerk"),
        "entry": entry,
        "enterprise_name": "青溪市好味餐饮有限公司",
        "credit_code": ENTERPRISE,
        "facts": "经营场所未悬挂食品经营许可证",
        "officials": [world.user("clerk"), world.user("reviewer")],
    }
    args.update(overrides)
    return args
