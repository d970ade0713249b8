"""factory-boy factories for deputies' suggestions and members' proposals, built through
`proposal_register` (PRP-1..3: assigned the same day, the lead's reply Clock and each co-handler's
opinion Clock started)."""

from __future__ import annotations

from typing import Any

import factory

from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import DepartmentFactory, UserFactory
from xiaoneng.proposals.actions.proposals import proposal_register
from xiaoneng.proposals.models import Proposal


class ProposalFactory(factory.Factory):
    """A suggestion registered by the efficiency office and assigned to `lead_department`."""

    class Meta:
        model = Proposal

    lead_department = factory.SubFactory(DepartmentFactory)
    actor = factory.SubFactory(
        UserFactory, role=Role.SUPERVISOR, region=factory.SelfAttribute("..lead_department.region")
    )
    kind = "suggestion"
    number = factory.Sequence(lambda n: f"第{n:04d}号")
    session = "青溪市十七届人大五次会议"
    title = "关于加强农贸市场食品安全监管的建议"
    proposer = "王代表"
    content = "建议增加农贸市场快检频次，公开检测结果。"
    urgent = False
    cohandlers = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class: type[Proposal], *args: Any, **kwargs: Any) -> Proposal:
        return proposal_register(**kwargs)

    @classmethod
    def _build(cls, model_class: type[Proposal], *args: Any, **kwargs: Any) -> Proposal:
        raise TypeError("a Proposal is only made by proposal_register: use ProposalFactory()")
