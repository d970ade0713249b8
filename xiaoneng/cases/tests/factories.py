"""factory-boy factories for cases, built through the intake actions (CAS-1: an online application
by an applicant account for a published item; acceptance by a window clerk starts the clocks)."""

from __future__ import annotations

from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from xiaoneng.cases.actions.intake import case_accept, case_submit
from xiaoneng.cases.models import Case
from xiaoneng.catalog.tests.factories import PublishedItemFactory
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {"applicant_name": "张丽", "phone": "13900000011", "address": "青溪市城东街道 1 号", "description": "开办餐饮店"}


def application_pdf(name: str = "申请书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


class CaseFactory(factory.Factory):
    """A submitted case (status 待受理); `CaseFactory(accepted_by=clerk)` also accepts it."""

    class Meta:
        model = Case

    item = factory.SubFactory(PublishedItemFactory)
    actor = factory.SubFactory(UserFactory, role=Role.APPLICANT)
    form_data = factory.LazyFunction(lambda: dict(FORM))
    files = factory.LazyFunction(lambda: [(None, application_pdf())])
    accepted_by = None

    @classmethod
    def _create(cls, model_class: type[Case], *args: Any, **kwargs: Any) -> Case:
        clerk = kwargs.pop("accepted_by")
        case, _code = case_submit(**kwargs)
        return case_accept(case=case, actor=clerk) if clerk is not None else case

    @classmethod
    def _build(cls, model_class: type[Case], *args: Any, **kwargs: Any) -> Case:
        raise TypeError("a Case is only made by case_submit: use CaseFactory()")
