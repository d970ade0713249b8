"""factory-boy factories for disclosure requests, built through `request_submit`, so the number, the
query code's hash and the reply Clock exist as in production."""

from __future__ import annotations

from typing import Any

import factory

from xiaoneng.disclosure.choices import ApplicantKind
from xiaoneng.disclosure.models import DisclosureRequest
from xiaoneng.disclosure.services import request_submit
from xiaoneng.orgs.tests.factories import DepartmentFactory


class DisclosureRequestFactory(factory.Factory):
    """A request submitted online to a department by a natural person (not signed in)."""

    class Meta:
        model = DisclosureRequest

    department = factory.SubFactory(DepartmentFactory)
    applicant_kind = ApplicantKind.NATURAL
    applicant_name = "钱女士"
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    description = "2025年本市食品经营许可的发放数量和名单"

    @classmethod
    def _create(cls, model_class: type[DisclosureRequest], *args: Any, **kwargs: Any) -> DisclosureRequest:
        return request_submit(**kwargs).request

    @classmethod
    def _build(cls, model_class: type[DisclosureRequest], *args: Any, **kwargs: Any) -> DisclosureRequest:
        raise TypeError("a DisclosureRequest is only made by request_submit: use DisclosureRequestFactory()")
