"""First-contact responsibility (首问负责, CAS-8): register an enquiry, handled on the spot or referred
to the competent office with a printed referral slip."""

from __future__ import annotations

__all__ = [
    "enquiry_register",
]


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiaoneng.cases.actions.notices import notice_issue
from xiaoneng.cases.choices import EnquiryOutcome, NoticeKind
from xiaoneng.cases.models import Enquiry
from xiaoneng.core.services import tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.choices import DEPARTMENT_ROLES
from xiaoneng.orgs.models import User


@transaction.atomic
def enquiry_register(
    *,
    actor: User,
    visitor_name: str,
    question: str,
    outcome: str,
    visitor_phone: str = "",
    answer: str = "",
    referred_office: str = "",
    referred_address: str = "",
    referred_contact: str = "",
) -> Enquiry:
    """CAS-8 首问负责: the first staff member registers the enquiry and either handles it or names the
    competent office with its address and contact (a referral slip is printed)."""
    if (
        not getattr(actor, "is_authenticated", False)
        or actor.role not in DEPARTMENT_ROLES
        or actor.department_id is None
    ):
        raise PermissionDenied(_("只有部门工作人员可以登记首问。"))
    data = {
        "visitor_name": (visitor_name or "").strip(),
        "question": (question or "").strip(),
        "answer": (answer or "").strip(),
        "referred_office": (referred_office or "").strip(),
        "referred_address": (referred_address or "").strip(),
        "referred_contact": (referred_contact or "").strip(),
    }
    errors: dict[str, list[str]] = {}
    if not data["visitor_name"]:
        errors["visitor_name"] = [_("请填写来访人。")]
    if not data["question"]:
        errors["question"] = [_("请填写咨询事项。")]
    if outcome not in EnquiryOutcome.values:
        errors["outcome"] = [_("请选择处理结果。")]
    elif outcome == EnquiryOutcome.HANDLED and not data["answer"]:
        errors["answer"] = [_("当场答复的，请填写答复内容。")]
    elif outcome == EnquiryOutcome.REFERRED:
        for f, msg in (
            ("referred_office", _("请填写有权办理部门的名称。")),  # CAS-8
            ("referred_address", _("请填写有权办理部门的地址。")),  # CAS-8
            ("referred_contact", _("请填写有权办理部门的联系方式。")),  # CAS-8
        ):
            if not data[f]:
                errors[f] = [msg]
    if visitor_phone and not (visitor_phone.isdigit() and 7 <= len(visitor_phone) <= 12):
        errors["visitor_phone"] = [_("联系电话格式不正确。")]
    if errors:
        raise ValidationError(errors)
    department = actor.department
    if department is None:
        raise RuntimeError("invariant: department is not None")
    tenant = department.region.tenant or department.region
    enquiry = Enquiry.objects.create(
        tenant_id=department.tenant_id,
        number=tracking_number_next(tenant=tenant, prefix="SW"),
        department=department,
        registered_by=actor,
        visitor_phone=visitor_phone or "",
        outcome=outcome,
        **data,
    )
    if outcome == EnquiryOutcome.REFERRED:
        notice_issue(
            kind=NoticeKind.REFERRAL,
            department=department,
            addressee=data["visitor_name"],
            lines=[
                _("您咨询的事项：%(q)s") % {"q": data["question"]},
                _("该事项不属于本部门职责，请前往有权办理的部门办理："),
                _("部门：%(o)s") % {"o": data["referred_office"]},
                _("地址：%(a)s") % {"a": data["referred_address"]},
                _("联系方式：%(c)s") % {"c": data["referred_contact"]},
                _("首问责任人：%(who)s（%(dept)s）") % {"who": actor, "dept": department.name},
            ],
            actor=actor,
            enquiry=enquiry,
        )
    event_append(
        subject=enquiry,
        action="enquiry.registered",
        actor=actor,
        after={"outcome": outcome, "referred_office": data["referred_office"]},
        tenant_id=enquiry.tenant_id,
    )
    return enquiry
