"""factory-boy factories for performance evaluation, built through `scheme_create` (a region's
yearly scheme, drafted by its efficiency office)."""

from __future__ import annotations

from typing import Any

import factory

from xiaoneng.evaluation.models import Scheme
from xiaoneng.evaluation.services import scheme_create
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import RegionFactory, UserFactory


class SchemeFactory(factory.Factory):
    """A draft scheme of a region for a year."""

    class Meta:
        model = Scheme

    region = factory.SubFactory(RegionFactory)
    actor = factory.SubFactory(UserFactory, role=Role.SUPERVISOR, region=factory.SelfAttribute("..region"))
    year = 2026
    name = factory.Sequence(lambda n: f"2026年度市级机关绩效考评（{n}）")

    @classmethod
    def _create(cls, model_class: type[Scheme], *args: Any, **kwargs: Any) -> Scheme:
        return scheme_create(**kwargs)

    @classmethod
    def _build(cls, model_class: type[Scheme], *args: Any, **kwargs: Any) -> Scheme:
        raise TypeError("a Scheme is only made by scheme_create: use SchemeFactory()")
