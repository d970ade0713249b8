"""factory-boy factories for supervision, built through `bulletin_create` (a draft efficiency
bulletin of a region for a period; its figures stay live until it is issued)."""

from __future__ import annotations

from datetime import date
from typing import Any

import factory

from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import RegionFactory, UserFactory
from xiaoneng.supervision.bulletins.services import bulletin_create
from xiaoneng.supervision.choices import BulletinKind
from xiaoneng.supervision.models import Bulletin


class BulletinFactory(factory.Factory):
    """A draft monthly bulletin (October 2026) drafted by the region's efficiency office."""

    class Meta:
        model = Bulletin

    region = factory.SubFactory(RegionFactory)
    actor = factory.SubFactory(UserFactory, role=Role.SUPERVISOR, region=factory.SelfAttribute("..region"))
    kind = BulletinKind.MONTHLY
    period = date(2026, 10, 15)

    @classmethod
    def _create(cls, model_class: type[Bulletin], *args: Any, **kwargs: Any) -> Bulletin:
        return bulletin_create(**kwargs)

    @classmethod
    def _build(cls, model_class: type[Bulletin], *args: Any, **kwargs: Any) -> Bulletin:
        raise TypeError("a Bulletin is only made by bulletin_create: use BulletinFactory()")
