"""Other systems that register timed obligations for supervision (公共资源交易, 国库支付 …): their
API keys and the actions that register and complete an obligation. Each obligation owns a Clock
and is scanned like every internal one (SUP-1).
"""

from __future__ import annotations

__all__ = [
    "KEY_PREFIX",
    "external_obligation_complete",
    "external_obligation_register",
    "external_system_authenticate",
    "external_system_create",
]

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.trail import event_append
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, Region
from xiaoneng.supervision.choices import ObligationStatus
from xiaoneng.supervision.models import ExternalObligation, ExternalSystem
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.choices import ClockUnit
from xiaoneng.workdays.deadline import local_date
from xiaoneng.workdays.services import clock_start, clock_stop

# ---------------------------------------------------------------------------------------------
# External systems and their obligations
# ---------------------------------------------------------------------------------------------
KEY_PREFIX = "xnk_"


def _key_hash(raw: str) -> str:
    # API keys are 256-bit random strings: a plain SHA-256 is enough (no dictionary to attack).
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def external_system_create(*, actor: Any, tenant: Region, code: str, name: str) -> tuple[ExternalSystem, str]:
    """Register another system; returns it with its API key, shown once and never stored."""
    if not (actor.is_superuser or (actor.role == Role.ADMIN and actor.tenant_id == tenant.pk)):
        raise PermissionDenied(_("只有系统管理员可以登记外部系统。"))
    if not code.strip() or not name.strip():
        raise ValidationError(_("请填写系统代码和名称。"), code="required")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        system = ExternalSystem.objects.create(
            tenant=tenant, code=code.strip(), name=name.strip(), key_prefix=raw[:8], key_hash=_key_hash(raw)
        )
        event_append(subject=system, action="external_system.created", actor=actor, after={"code": system.code})
    return system, raw


def external_system_authenticate(raw_key: str | None) -> ExternalSystem | None:
    if not raw_key or not raw_key.startswith(KEY_PREFIX) or len(raw_key) > 100:
        return None
    system = ExternalSystem.objects.filter(key_hash=_key_hash(raw_key), is_active=True).first()
    if system is not None and (
        system.last_used_at is None or timezone.now() - system.last_used_at > timedelta(minutes=5)
    ):
        ExternalSystem.objects.filter(pk=system.pk).update(last_used_at=timezone.now())
    return system


def external_obligation_register(
    *,
    system: ExternalSystem,
    external_id: str,
    title: str,
    department_credit_code: str,
    limit: int,
    unit: str,
    started_at: datetime,
) -> tuple[ExternalObligation, bool]:
    """Register a timed obligation of another system; it is supervised like any internal clock.
    Registering the same id again with the same content returns the existing row (safe retries)."""
    errors: dict[str, str] = {}
    external_id, title = (external_id or "").strip(), (title or "").strip()
    if not external_id or len(external_id) > 64:
        errors["external_id"] = _("外部编号必填，且不超过64个字符。")
    if not title or len(title) > 200:
        errors["title"] = _("事项名称必填，且不超过200个字符。")
    department = Department.objects.filter(
        credit_code=(department_credit_code or "").strip().upper(), tenant_id=system.tenant_id
    ).first()
    if department is None:
        errors["department_credit_code"] = _("本辖区内没有该统一社会信用代码的部门。")
    if unit not in ClockUnit.values:
        errors["unit"] = _("计时单位只能是：wd（工作日）、nd（自然日）、h（小时）。")
    if not isinstance(limit, int) or not (1 <= limit <= 3650):
        errors["limit"] = _("时限必须是1至3650之间的整数。")
    if started_at is None or timezone.is_naive(started_at):
        errors["started_at"] = _("起算时间必须带时区，例如 2026-11-20T09:00:00+08:00。")
    else:
        cal = get_calendar()
        if started_at > timezone.now() + timedelta(minutes=5):
            errors["started_at"] = _("起算时间不能晚于当前时间。")
        elif local_date(started_at) < cal.first:
            errors["started_at"] = _("起算时间早于工作日历范围。")
    if errors:
        raise ValidationError(errors)
    if department is None:
        raise RuntimeError("invariant: department is not None")
    existing = ExternalObligation.objects.filter(system=system, external_id=external_id).first()
    if existing is not None:
        same = (existing.title, existing.department_id, existing.limit, existing.unit, existing.started_at) == (
            title,
            department.pk,
            limit,
            unit,
            started_at,
        )
        if not same:
            raise ValidationError({"external_id": _("该系统已登记此编号的事项，内容不一致。")})
        return existing, False
    try:
        with transaction.atomic():
            ob = ExternalObligation.objects.create(
                tenant_id=system.tenant_id,
                system=system,
                external_id=external_id,
                title=title,
                department=department,
                limit=limit,
                unit=unit,
                started_at=started_at,
            )
            ob.clock = clock_start(
                owner=ob,
                kind=f"external.{system.code}",
                label=title,
                limit=limit,
                unit=unit,
                started_at=started_at,
                department=department,
                tenant_id=system.tenant_id,
            )
            ob.save(update_fields=["clock", "updated_at"])
            event_append(
                subject=ob,
                action="external_obligation.registered",
                after={"system": system.code, "external_id": external_id, "limit": limit, "unit": unit},
            )
    except IntegrityError:
        raise ValidationError({"external_id": _("该系统已登记此编号的事项。")}) from None
    return ob, True


def external_obligation_complete(
    *, system: ExternalSystem, external_id: str, completed_at: datetime | None = None, cancelled: bool = False
) -> ExternalObligation:
    """The other system reports the obligation done (or withdrawn): its clock stops."""
    ob = ExternalObligation.objects.filter(system=system, external_id=(external_id or "").strip()).first()
    if ob is None:
        raise ValidationError({"external_id": _("没有找到该编号的事项。")})
    at = completed_at or timezone.now()
    if timezone.is_naive(at):
        raise ValidationError({"completed_at": _("办结时间必须带时区。")})
    if at < ob.started_at:
        raise ValidationError({"completed_at": _("办结时间不能早于起算时间。")})
    if at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"completed_at": _("办结时间不能晚于当前时间。")})
    with transaction.atomic():
        ob = ExternalObligation.objects.select_for_update(of=("self",)).get(pk=ob.pk)
        if ob.status != ObligationStatus.OPEN:
            return ob
        ob.status = ObligationStatus.CANCELLED if cancelled else ObligationStatus.COMPLETED
        ob.completed_at = at
        ob.save(update_fields=["status", "completed_at", "updated_at"])
        if ob.clock is not None:
            clock_stop(clock=ob.clock, at=at, cancelled=cancelled)
        event_append(subject=ob, action=f"external_obligation.{ob.status}", after={"completed_at": at})
    return ob
