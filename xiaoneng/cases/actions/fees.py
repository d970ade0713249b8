"""Fees (CAT-7): only a fee the item's pinned version lists, at the lower bound of its standard, with
the payment recorded; and only while the jurisdiction's fee catalog covers it (CAT-FEE-3)."""

from __future__ import annotations

__all__ = [
    "fee_charge_record",
]

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.actions.transition import case_event, case_lock, case_save
from xiaoneng.cases.choices import Status
from xiaoneng.cases.models import Case, FeeCharge
from xiaoneng.cases.permissions import can_intake
from xiaoneng.catalog.models import Fee
from xiaoneng.catalog.selectors import fee_outside_catalog_reason
from xiaoneng.orgs.models import User


@transaction.atomic
def fee_charge_record(*, case: Case, actor: User, fee: Fee | int, amount: Any, receipt_number: str) -> FeeCharge:
    """CAT-7: only a fee listed for the item's pinned version, at the lower bound of its standard,
    with the payment recorded."""
    locked = case_lock(case)
    if not can_intake(actor, locked):
        raise PermissionDenied(_("只有本部门窗口工作人员可以登记收费。"))
    fee_id = fee.pk if isinstance(fee, Fee) else fee
    fee_obj = Fee.objects.filter(pk=fee_id, version_id=locked.version_id).first()
    if fee_obj is None:
        raise ValidationError({"fee": [_("该收费项目不在本事项公布的收费目录中，不得收取。")]})  # CAT-7
    # CAT-FEE-3: a fee the jurisdiction's fee catalog no longer covers (an entry withdrawn or
    # expired since the item was published) may not be charged, though the frozen version lists it.
    outside = fee_outside_catalog_reason(fee_obj)
    if outside:
        raise ValidationError({"fee": [outside]})
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": [_("金额格式不正确。")]}) from None
    if value != fee_obj.lower:
        raise ValidationError(
            {"amount": [_("收费应按标准下限 %(lower)s 元收取。") % {"lower": fee_obj.lower}]}  # CAT-7
        )
    receipt_number = (receipt_number or "").strip()
    if not receipt_number:
        raise ValidationError({"receipt_number": [_("请填写票据号。")]})
    if locked.status in (Status.WITHDRAWN, Status.REFUSED_AT_INTAKE, Status.CLOSED):
        raise ValidationError(_("该办件已终止，不能收费。"), code="state")
    if FeeCharge.objects.filter(case=locked, fee=fee_obj).exists():
        raise ValidationError(_("该收费项目已收取，不能重复收费。"), code="twice")
    charge = FeeCharge.objects.create(
        case=locked,
        fee=fee_obj,
        amount=value,
        receipt_number=receipt_number[:60],
        paid_at=timezone.now(),
        recorded_by=actor,
    )
    case_save(locked, "status")
    case_event(
        locked, "case.fee_charged", actor, after={"fee": fee_obj.name, "amount": str(value), "receipt": receipt_number}
    )
    return charge
