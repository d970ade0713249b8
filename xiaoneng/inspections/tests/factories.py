"""factory-boy factories for enterprise inspections, built through the actions: the two officials'
enforcement certificates through `certificate_issue` (by the region's legal office), then the filing
through `filing_submit` (INS-1: filed before the inspection, waiting for the head's approval on its
Clock, with its JC- number)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from xiaoneng.catalog.tests.factories import PublishedItemFactory
from xiaoneng.inspections.actions.certificates import certificate_issue
from xiaoneng.inspections.actions.filings import filing_submit
from xiaoneng.inspections.models import InspectionFiling
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import DepartmentFactory, UserFactory
from xiaoneng.orgs.validators import credit_code_check_char


def _credit(n: int) -> str:
    first17 = f"9133910001{n:07d}"
    return first17 + credit_code_check_char(first17)


class InspectionFilingFactory(factory.Factory):
    """A pending filing by a clerk of `department`, with a reviewer as the second official (both
    certified today for a year), for a published inspection item (行政检查) of the department."""

    class Meta:
        model = InspectionFiling

    class Params:
        legal = factory.SubFactory(
            UserFactory,
            role=Role.LEGAL,
            department=factory.SubFactory(
                DepartmentFactory, region=factory.SelfAttribute("...department.region"), is_legal_office=True
            ),
        )
        second = factory.SubFactory(UserFactory, role=Role.REVIEWER, department=factory.SelfAttribute("..department"))

    department = factory.SubFactory(DepartmentFactory)
    actor = factory.SubFactory(UserFactory, role=Role.CLERK, department=factory.SelfAttribute("..department"))
    item = factory.SubFactory(
        PublishedItemFactory,
        department=factory.SelfAttribute("..department"),
        legal=factory.SelfAttribute("..legal"),
        name="对食品经营者的监督检查",
        item_type="06",
    )
    enterprise_name = factory.Sequence(lambda n: f"青溪市好味餐饮{n}有限公司")
    credit_code = factory.Sequence(_credit)
    planned_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=3))
    purpose = "年度食品安全双随机抽查"
    officials = factory.LazyAttribute(lambda o: [o.actor, o.second])
    certify = factory.SelfAttribute("legal")

    @classmethod
    def _create(cls, model_class: type[InspectionFiling], *args: Any, **kwargs: Any) -> InspectionFiling:
        legal = kwargs.pop("certify")
        today = timezone.localdate()
        for official in kwargs["officials"]:
            if not official.enforcement_certificates.exists():
                certificate_issue(
                    actor=legal,
                    holder=official,
                    department=kwargs["department"],
                    number=f"33910000{official.pk:05d}",
                    scope_text="市场监管",
                    valid_from=today - timedelta(days=1),
                    valid_to=today + timedelta(days=365),
                )
        return filing_submit(**kwargs)

    @classmethod
    def _build(cls, model_class: type[InspectionFiling], *args: Any, **kwargs: Any) -> InspectionFiling:
        raise TypeError("an InspectionFiling is only made by filing_submit: use InspectionFilingFactory()")
