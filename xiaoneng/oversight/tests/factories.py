"""factory-boy factories for oversight, built through the actions: a rectification through
`rectification_open` (its own Clock), a supervised task through `task_assign` (CAS-10: each share with
its Clock, 15 working days when no limit is stated)."""

from __future__ import annotations

from typing import Any

import factory

from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import DepartmentFactory, UserFactory
from xiaoneng.oversight.choices import TaskSource
from xiaoneng.oversight.models import Rectification, SupervisedTask
from xiaoneng.oversight.services import rectification_open, task_assign


class RectificationFactory(factory.Factory):
    """An open rectification of a department, opened by its region's efficiency office."""

    class Meta:
        model = Rectification

    department = factory.SubFactory(DepartmentFactory)
    title = "窗口超时整改"
    problem = "受理超时"
    actor = factory.SubFactory(UserFactory, role=Role.SUPERVISOR, region=factory.SelfAttribute("..department.region"))

    @classmethod
    def _create(cls, model_class: type[Rectification], *args: Any, **kwargs: Any) -> Rectification:
        return rectification_open(**kwargs)

    @classmethod
    def _build(cls, model_class: type[Rectification], *args: Any, **kwargs: Any) -> Rectification:
        raise TypeError("a Rectification is only made by rectification_open: use RectificationFactory()")


class SupervisedTaskFactory(factory.Factory):
    """A task assigned by the efficiency office to one department (`department=`) or to several
    (`departments=[…]`), each share on its own Clock."""

    class Meta:
        model = SupervisedTask

    class Params:
        department = factory.SubFactory(DepartmentFactory)

    actor = factory.SubFactory(
        UserFactory,
        role=Role.SUPERVISOR,
        region=factory.LazyAttribute(lambda o: o.factory_parent.departments[0].region),
    )
    title = "落实窗口延时服务"
    source = TaskSource.LEADER
    requirement = "市长批示：窗口单位实行午间和周末延时服务。"
    departments = factory.LazyAttribute(lambda o: [o.department])

    @classmethod
    def _create(cls, model_class: type[SupervisedTask], *args: Any, **kwargs: Any) -> SupervisedTask:
        return task_assign(**kwargs)

    @classmethod
    def _build(cls, model_class: type[SupervisedTask], *args: Any, **kwargs: Any) -> SupervisedTask:
        raise TypeError("a SupervisedTask is only made by task_assign: use SupervisedTaskFactory()")
