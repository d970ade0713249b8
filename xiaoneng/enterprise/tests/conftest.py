"""Fixtures of the enterprise-service tests: an enterprise account, a pairing of the market
regulator's head with that enterprise, a published licensing item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import pytest
from django.utils import timezone

from xiaoneng.catalog.models import Item
from xiaoneng.catalog.tests.factories import make_item, publish
from xiaoneng.enterprise.models import Pairing
from xiaoneng.enterprise.services import pairing_create
from xiaoneng.orgs.choices import ApplicantKind, Role
from xiaoneng.orgs.models import User
from xiaoneng.orgs.tests.factories import UserFactory
from xiaoneng.orgs.validators import credit_code_check_char


def credit(first17: str = "91339100MA2EEEEE0") -> str:
    """A valid unified social credit code from its first 17 characters (ENT-1)."""
    return first17 + credit_code_check_char(first17)


CODE = credit()
OTHER_CODE = credit("91339100MA2FFFFF1")


@dataclass
class EntWorld:
    company: User  # the enterprise's account (ENT-6)
    other_company: User
    pairing: Pairing
    item: Item


@pytest.fixture
def ew(world) -> EntWorld:
    company = UserFactory(
        username="company",
        role=Role.APPLICANT,
        applicant_kind=ApplicantKind.COMPANY,
        company_name="青溪精密机械有限公司",
        company_credit_code=CODE,
    )
    other = UserFactory(
        username="other_company",
        role=Role.APPLICANT,
        applicant_kind=ApplicantKind.COMPANY,
        company_name="云山纺织有限公司",
        company_credit_code=OTHER_CODE,
    )
    pairing = pairing_create(
        actor=world.user("supervisor"),
        department=world.dept,
        official=world.user("dept_head"),
        enterprise_name="青溪精密机械有限公司",
        credit_code=CODE,
        started_on=timezone.localdate() - timedelta(days=30),
    )
    item = make_item(world.dept, world.user("dept_head"), name="食品经营许可", item_type="01")
    item = publish(item, declarer=world.user("dept_head"), legal=world.user("legal"))
    return EntWorld(cast(User, company), cast(User, other), pairing, item)


def refused(fn: Any, *args: Any, **kwargs: Any) -> Exception:
    try:
        fn(*args, **kwargs)
    except Exception as e:  # the tests assert the type
        return e
    raise AssertionError("not refused")
