"""自由裁量基准 and penalty decisions (INS-10), with the 首违不罚 interplay (INS-8)."""

from __future__ import annotations

__all__ = ["MAX_FINE", "baseline_set", "check_amount", "penalty_decide"]

import itertools
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.catalog.choices import ItemType
from xiaoneng.catalog.models import Item
from xiaoneng.core.services import tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.inspections.actions.filings import check_published_item
from xiaoneng.inspections.actions.inputs import check_credit_code, check_officials, check_text
from xiaoneng.inspections.choices import NoticeStatus, Tier
from xiaoneng.inspections.models import DiscretionBaseline, DiscretionTier, FirstViolationNotice, PenaltyDecision
from xiaoneng.inspections.permissions import can_issue_certificate, can_record_for
from xiaoneng.orgs.models import User

MAX_FINE = Decimal("9999999999.99")  # what the column holds (12 digits, 2 decimals)


def check_amount(value: Any, *, label: str) -> Decimal:
    """A finite, non-negative amount in yuan with at most two decimals; NaN, infinities, negative
    numbers and absurd sizes are refused with a message."""
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(label)s应为数字。") % {"label": label}, code="amount") from None
    if not amount.is_finite():
        raise ValidationError(_("%(label)s应为数字。") % {"label": label}, code="amount")
    if amount < 0:
        raise ValidationError(_("%(label)s不能为负数。") % {"label": label}, code="amount_negative")
    if amount > MAX_FINE:
        raise ValidationError(_("%(label)s超出允许的范围。") % {"label": label}, code="amount_range")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("%(label)s最多保留两位小数。") % {"label": label}, code="amount_places")
    return amount.quantize(Decimal("0.01"))


def baseline_set(*, actor: Any, item: Item | None, basis: str, tiers: Sequence[dict[str, Any]]) -> DiscretionBaseline:
    """The legal office (or the administrator) sets a penalty item's baseline: one range per tier,
    ranges not overlapping and rising with the tier. One baseline per item."""
    if item is None:
        raise ValidationError(_("请选择权力清单中的事项。"), code="item")
    department = item.department
    if not can_issue_certificate(actor, department):
        raise PermissionDenied(_("只有法制机构或系统管理员可以制定裁量基准。"))
    version = check_published_item(item, department=department, item_type=ItemType.PENALTY)  # INS-2
    text = check_text(basis, label=_("裁量依据"), max_length=500)
    if not tiers or len(tiers) > len(Tier.values):
        raise ValidationError(_("请填写一至四个裁量阶次。"), code="tiers")
    rows: list[DiscretionTier] = []
    for t in tiers:
        tier = str(t.get("tier", ""))
        if tier not in Tier.values:
            raise ValidationError(_("裁量阶次不正确。"), code="tier")
        low = check_amount(t.get("fine_min"), label=_("罚款下限"))
        high = check_amount(t.get("fine_max"), label=_("罚款上限"))
        if high < low:
            raise ValidationError(_("罚款上限不能低于下限。"), code="range")
        circumstance = check_text(t.get("circumstance"), label=_("适用情形"), max_length=500)
        rows.append(DiscretionTier(tier=tier, circumstance=circumstance, fine_min=low, fine_max=high))
    if len({r.tier for r in rows}) != len(rows):
        raise ValidationError(_("同一裁量阶次只能填写一次。"), code="tier_twice")
    order = Tier.values
    rows.sort(key=lambda r: order.index(r.tier))
    for lower, upper in itertools.pairwise(rows):
        if upper.fine_min < lower.fine_max:
            raise ValidationError(_("较重阶次的罚款幅度不能低于或重叠较轻阶次。"), code="overlap")
    if DiscretionBaseline.objects.filter(item=item).exists():
        raise ValidationError(_("该事项已有裁量基准。"), code="exists")
    with transaction.atomic():
        baseline = DiscretionBaseline.objects.create(
            tenant_id=department.tenant_id,
            department=department,
            item=item,
            item_name=version.name,
            basis=text,
            created_by=actor,
        )
        for r in rows:
            r.baseline = baseline
        DiscretionTier.objects.bulk_create(rows)
        event_append(
            subject=baseline,
            action="discretion_baseline.set",
            actor=actor,
            after={"item": item.pk, "tiers": {r.tier: [str(r.fine_min), str(r.fine_max)] for r in rows}},
            reason=text,
        )
    return baseline


def penalty_decide(
    *,
    actor: Any,
    tier: DiscretionTier | None,
    enterprise_name: str,
    credit_code: str,
    facts: str,
    amount: Any,
    officials: list[User],
    notice: FirstViolationNotice | None = None,
) -> PenaltyDecision:
    """Record a penalty decision. INS-10: the fine lies within its tier's range, or the decision is
    refused. INS-8: no penalty while a first-violation notice for this enterprise and item runs, none
    after it was rectified; after it was not, the fine is the tier's lower bound."""
    if tier is None:
        raise ValidationError(_("请选择裁量阶次。"), code="tier")
    tier = DiscretionTier.objects.select_related("baseline__department__tenant", "baseline__item__published").get(
        pk=tier.pk
    )
    baseline = tier.baseline
    department = baseline.department
    if not can_record_for(actor, department):
        raise PermissionDenied(_("只有本单位执法人员可以作出处罚决定。"))
    check_published_item(baseline.item, department=department, item_type=ItemType.PENALTY)  # INS-2
    name = check_text(enterprise_name, label=_("企业名称"), max_length=200)
    code = check_credit_code(credit_code)
    text = check_text(facts, label=_("违法事实"))
    fine = check_amount(amount, label=_("罚款金额"))
    today = timezone.localdate()
    check_officials(officials, day=today)  # INS-3, INS-4
    running = FirstViolationNotice.objects.filter(
        entry__item=baseline.item, credit_code=code, status=NoticeStatus.ISSUED
    ).exists()
    if running:  # INS-8
        raise ValidationError(_("该企业就此事项的首违告诫整改期限尚未届满，不能处罚。"), code="notice_running")
    if notice is not None:
        notice = FirstViolationNotice.objects.select_related("entry").get(pk=notice.pk)
        if notice.entry.item_id != baseline.item_id or notice.credit_code != code:
            raise ValidationError(_("所选首违告诫与本案的企业或事项不符。"), code="notice_mismatch")
        if notice.status == NoticeStatus.RECTIFIED:
            raise ValidationError(_("该企业已按期整改，依法不予处罚。"), code="notice_rectified")
        if fine != tier.fine_min:
            # seed 002 §7: 对不按时整改确需处罚的 … 按规定的下限处罚
            raise ValidationError(
                _("首违告诫后逾期未整改的，按裁量阶次的下限%(min)s元处罚。") % {"min": tier.fine_min},
                code="lower_bound",
            )
    if not tier.fine_min <= fine <= tier.fine_max:  # INS-10
        raise ValidationError(
            _("罚款金额%(amount)s元超出裁量基准“%(tier)s”阶次的幅度（%(min)s至%(max)s元），不能作出决定。")
            % {"amount": fine, "tier": tier.get_tier_display(), "min": tier.fine_min, "max": tier.fine_max},
            code="out_of_range",
        )
    with transaction.atomic():
        decision = PenaltyDecision.objects.create(
            tenant_id=department.tenant_id,
            number=tracking_number_next(tenant=department.tenant, prefix="CF"),
            department=department,
            tier=tier,
            enterprise_name=name,
            credit_code=code,
            facts=text,
            amount=fine,
            decided_on=today,
            notice=notice,
            decided_by=actor,
        )
        decision.officials.set(officials)
        event_append(
            subject=decision,
            action="penalty.decided",
            actor=actor,
            after={
                "tier": tier.tier,
                "amount": str(fine),
                "range": [str(tier.fine_min), str(tier.fine_max)],
                "credit_code": code,
                "notice": notice.pk if notice else None,
                "officials": sorted(u.pk for u in officials),
            },
            reason=text,
        )
    return decision
