"""The actions on bulletins (conventions §2): draft one for a region and period, and issue it
(numbered, its figures frozen).
"""

from __future__ import annotations

__all__ = [
    "bulletin_create",
    "bulletin_issue",
]

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.services import tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.models import Region
from xiaoneng.supervision.bulletins.figures import bulletin_figures
from xiaoneng.supervision.choices import BulletinKind, BulletinStatus
from xiaoneng.supervision.efficiency.services import efficiency_compute
from xiaoneng.supervision.models import Bulletin
from xiaoneng.supervision.periods import period_label, period_months, period_start
from xiaoneng.supervision.permissions import can_issue_bulletins, region_in_scope


def bulletin_create(*, actor: Any, region: Region, kind: str, period: date, remarks: str = "") -> Bulletin:
    """A draft bulletin for `region` and the month or quarter containing `period`."""
    if not can_issue_bulletins(actor) or not region_in_scope(actor, region):
        raise PermissionDenied(_("只有本辖区效能办可以起草通报。"))
    if kind not in BulletinKind.values:
        raise ValidationError({"kind": _("通报类型应为月度或季度。")})
    start = period_start(kind, period)
    if start > timezone.localdate():
        raise ValidationError({"period": _("不能为尚未开始的期间起草通报。")})
    title = _("%(region)s%(period)s效能通报") % {"region": region.name, "period": period_label(kind, start)}
    try:
        with transaction.atomic():
            b = Bulletin.objects.create(
                tenant_id=region.tenant_id or region.pk,
                region=region,
                kind=kind,
                period=start,
                title=title,
                remarks=(remarks or "").strip(),
                created_by=actor,
            )
            event_append(
                subject=b, action="bulletin.created", actor=actor, after={"kind": kind, "period": start.isoformat()}
            )
    except IntegrityError:
        raise ValidationError(_("该区划该期间的通报已存在。")) from None
    return b


def bulletin_issue(*, bulletin: Bulletin, actor: Any, remarks: str | None = None) -> Bulletin:
    """Issue (印发): refresh the period's index where it is not frozen, number the bulletin and freeze
    the figures in `snapshot`. An issued bulletin never changes again."""
    if not can_issue_bulletins(actor) or not region_in_scope(actor, bulletin.region):
        raise PermissionDenied(_("印发通报是效能办的职责。"))
    with transaction.atomic():
        b = Bulletin.objects.select_for_update(of=("self",)).select_related("region").get(pk=bulletin.pk)
        if b.status != BulletinStatus.DRAFT:
            raise ValidationError(_("该通报已印发，不能再次印发。"), code="state")
        tenant = Region.objects.get(pk=b.region.tenant_id or b.region.pk)
        for m in period_months(b.kind, b.period):
            efficiency_compute(tenant=tenant, month=m, actor=actor)  # a frozen month is left as it is
        figures = bulletin_figures(b.region, b.kind, b.period)
        if not figures["units"]:
            raise ValidationError(_("该期间尚无效能指数数据，不能印发。"), code="empty")
        if remarks is not None:
            b.remarks = remarks.strip()
        b.snapshot = figures
        b.number = tracking_number_next(tenant=b.region, prefix="XNTB")
        b.status = BulletinStatus.ISSUED
        b.issued_at = timezone.now()
        b.issued_by = actor
        b.save(update_fields=["remarks", "snapshot", "number", "status", "issued_at", "issued_by", "updated_at"])
        event_append(
            subject=b,
            action="bulletin.issued",
            actor=actor,
            before={"status": BulletinStatus.DRAFT},
            after={"status": b.status, "number": b.number, "units": len(figures["units"])},
        )
    return b
