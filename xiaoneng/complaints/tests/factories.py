"""factory-boy factories for efficiency complaints, built through `complaint_submit` (CMP-1: the
reply clock starts at receipt), so the tracking number and the clocks exist as in production."""

from __future__ import annotations

from typing import Any

import factory

from xiaoneng.complaints.actions.intake import complaint_submit
from xiaoneng.complaints.choices import Kind
from xiaoneng.complaints.models import Complaint
from xiaoneng.orgs.tests.factories import DepartmentFactory


class ComplaintFactory(factory.Factory):
    """A complaint received about a department (status 待受理)."""

    class Meta:
        model = Complaint

    kind = Kind.EFFICIENCY
    title = "窗口两次要求提交同一份材料"
    content = "我在窗口办理营业执照，工作人员两次要求我提交同一份租赁合同。"
    name = "赵先生"
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    department = factory.SubFactory(DepartmentFactory)
    hide_from_department = True

    @classmethod
    def _create(cls, model_class: type[Complaint], *args: Any, **kwargs: Any) -> Complaint:
        return complaint_submit(**kwargs).complaint

    @classmethod
    def _build(cls, model_class: type[Complaint], *args: Any, **kwargs: Any) -> Complaint:
        raise TypeError("a Complaint is only made by complaint_submit: use ComplaintFactory()")
