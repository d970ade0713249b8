"""factory-boy factories for normative documents, built through `document_submit` (a draft submitted
for the legal office's review, with its event)."""

from __future__ import annotations

from typing import Any

import factory

from xiaoneng.normative.models import NormativeDocument
from xiaoneng.normative.services import document_submit
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import DepartmentFactory, UserFactory


class NormativeDocumentFactory(factory.Factory):
    """A draft submitted by a clerk of its department."""

    class Meta:
        model = NormativeDocument

    department = factory.SubFactory(DepartmentFactory)
    actor = factory.SubFactory(UserFactory, role=Role.CLERK, department=factory.SelfAttribute("..department"))
    title = factory.Sequence(lambda n: f"青溪市食品小作坊登记管理办法（第{n}稿）")
    summary = "规范食品小作坊登记条件、程序和监督检查。"

    @classmethod
    def _create(cls, model_class: type[NormativeDocument], *args: Any, **kwargs: Any) -> NormativeDocument:
        return document_submit(**kwargs)

    @classmethod
    def _build(cls, model_class: type[NormativeDocument], *args: Any, **kwargs: Any) -> NormativeDocument:
        raise TypeError("a NormativeDocument is only made by document_submit: use NormativeDocumentFactory()")
