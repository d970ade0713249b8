"""factory-boy factories for enterprise service, built through `pairing_create` (ENT-1: the
efficiency office pairs an official with an enterprise)."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from xiaoneng.enterprise.models import Pairing
from xiaoneng.enterprise.services import pairing_create
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import DepartmentFactory, UserFactory
from xiaoneng.orgs.validators import credit_code_check_char


def _credit(n: int) -> str:
    first17 = f"9133910000{n:07d}"
    return first17 + credit_code_check_char(first17)


class PairingFactory(factory.Factory):
    """A department head paired with an enterprise by the region's efficiency office."""

    class Meta:
        model = Pairing

    department = factory.SubFactory(DepartmentFactory)
    actor = factory.SubFactory(UserFactory, role=Role.SUPERVISOR, region=factory.SelfAttribute("..department.region"))
    official = factory.SubFactory(UserFactory, role=Role.DEPT_HEAD, department=factory.SelfAttribute("..department"))
    enterprise_name = factory.Sequence(lambda n: f"青溪精密机械{n}有限公司")
    credit_code = factory.Sequence(_credit)
    started_on = factory.LazyFunction(timezone.localdate)

    @classmethod
    def _create(cls, model_class: type[Pairing], *args: Any, **kwargs: Any) -> Pairing:
        return pairing_create(**kwargs)

    @classmethod
    def _build(cls, model_class: type[Pairing], *args: Any, **kwargs: Any) -> Pairing:
        raise TypeError("a Pairing is only made by pairing_create: use PairingFactory()")
