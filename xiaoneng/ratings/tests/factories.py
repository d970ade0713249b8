"""factory-boy factories for ratings. RAT-1: only a completed case is rated, so the case is carried
to the end of its life through the case actions (an on-the-spot item: submitted online, accepted and
decided at the window, delivered in person), then rated through `rating_submit`."""

from __future__ import annotations

from typing import Any

import factory

from xiaoneng.cases.actions.decision import case_deliver
from xiaoneng.cases.actions.intake import case_accept, case_submit
from xiaoneng.cases.models import Case
from xiaoneng.cases.tests.factories import FORM, application_pdf
from xiaoneng.catalog.tests.factories import PublishedItemFactory
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import UserFactory
from xiaoneng.ratings.actions.rating import rating_submit
from xiaoneng.ratings.choices import Level, Source
from xiaoneng.ratings.models import Rating

ON_THE_SPOT = {
    "name": "个体工商户名称登记",
    "case_kind": "on_the_spot",
    "statutory_limit": None,
    "committed_limit": None,
    "stages": [
        {"name": "窗口办理", "join_policy": "all", "steps": [{"name": "当场办理", "role": "clerk", "limit_days": 1}]}
    ],
}


class DeliveredCaseFactory(factory.Factory):
    """A case delivered (已送达) to its applicant by a window clerk of the item's department."""

    class Meta:
        model = Case

    item = factory.SubFactory(PublishedItemFactory, **ON_THE_SPOT)
    actor = factory.SubFactory(UserFactory, role=Role.APPLICANT)
    clerk = factory.SubFactory(UserFactory, role=Role.CLERK, department=factory.SelfAttribute("..item.department"))
    form_data = factory.LazyFunction(lambda: dict(FORM))
    files = factory.LazyFunction(lambda: [(None, application_pdf())])

    @classmethod
    def _create(cls, model_class: type[Case], *args: Any, **kwargs: Any) -> Case:
        clerk = kwargs.pop("clerk")
        case, _code = case_submit(**kwargs)
        case = case_accept(case=case, actor=clerk)
        case_deliver(case=case, actor=clerk, method="in_person", recipient=case.applicant_name)
        return Case.objects.get(pk=case.pk)

    @classmethod
    def _build(cls, model_class: type[Case], *args: Any, **kwargs: Any) -> Case:
        raise TypeError("a delivered Case is only made by the case actions: use DeliveredCaseFactory()")


class RatingFactory(factory.Factory):
    """The applicant's rating of a delivered case (满意, on the web)."""

    class Meta:
        model = Rating

    case = factory.SubFactory(DeliveredCaseFactory)
    actor = factory.SelfAttribute("case.applicant")
    level = Level.SATISFIED
    source = Source.WEB

    @classmethod
    def _create(cls, model_class: type[Rating], *args: Any, **kwargs: Any) -> Rating:
        return rating_submit(**kwargs)

    @classmethod
    def _build(cls, model_class: type[Rating], *args: Any, **kwargs: Any) -> Rating:
        raise TypeError("a Rating is only made by rating_submit: use RatingFactory()")
