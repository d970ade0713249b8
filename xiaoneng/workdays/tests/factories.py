"""factory-boy factories for timed obligations. A Clock is built through `clock_start` (CLK-2: the
period counts from the next day), never by saving a row, so every instant it caches is consistent."""

from __future__ import annotations

from typing import Any

import factory

from xiaoneng.orgs.tests.factories import DepartmentFactory
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_start


class ClockFactory(factory.Factory):
    """A running Clock owned by its department: `ClockFactory(limit=5, started_at=…)`."""

    class Meta:
        model = Clock

    department = factory.SubFactory(DepartmentFactory)
    owner = factory.SelfAttribute("department")
    kind = "test.obligation"
    label = factory.LazyAttribute(lambda o: f"测试时限{o.limit}")
    limit = 5
    unit = "wd"

    @classmethod
    def _create(cls, model_class: type[Clock], *args: Any, **kwargs: Any) -> Clock:
        return clock_start(**kwargs)

    @classmethod
    def _build(cls, model_class: type[Clock], *args: Any, **kwargs: Any) -> Clock:
        raise TypeError("a Clock is only made by clock_start: use ClockFactory() / .create()")
