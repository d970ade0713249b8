"""Every write in supervision (conventions §2): alert handling, threshold policies, external systems
and the obligations they register."""

from __future__ import annotations

__all__ = [
    "alert_acknowledge",
    "alert_escalate",
    "alert_explain",
    "alert_resolve",
    "alerts_lift_met",
    "can_handle",
    "can_supervise",
    "external_obligation_complete",
    "external_obligation_register",
    "external_system_authenticate",
    "external_system_create",
    "obligation_met",
    "threshold_policy_save",
]

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.scoping import restrict
from xiaoneng.core.services import notify
from xiaoneng.core.trail import EventEntry, event_append, events_append_many
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import Department, Region
from xiaoneng.oversight.selectors import department_heads, region_supervisors
from xiaoneng.workdays.bulk import clocks_recompute_bulk
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.choices import ClockStatus, ClockUnit
from xiaoneng.workdays.deadline import local_date
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.services import clock_start, clock_stop

from .choices import OPEN_ALERT_STATUSES, SUPERVISOR_ROLES, TRANSITIONS, AlertStatus, Escalation, ObligationStatus
from .models import Alert, ExternalObligation, ExternalSystem, ThresholdPolicy
from .thresholds import thresholds_invalidate

# ---------------------------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------------------------


def can_handle(actor: Any, alert: Alert) -> bool:
    """The unit answers for its own alerts: staff of the alert's department."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    return (
        actor.role in DEPARTMENT_ROLES
        and actor.department_id is not None
        and actor.department_id == alert.department_id
    )


def can_supervise(actor: Any, alert: Alert | None = None) -> bool:
    """The efficiency office and leaders, for alerts in their region's subtree."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    if actor.role not in SUPERVISOR_ROLES:
        return False
    return alert is None or restrict(Alert.objects.filter(pk=alert.pk), actor).exists()


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().select_related("clock", "region").get(pk=alert.pk)


def _transition(alert: Alert, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if alert.status not in sources:
        raise ValidationError(
            _("预警当前状态为“%(status)s”，不能执行该操作。") % {"status": alert.get_status_display()}, code="state"
        )
    return target


def _url(alert: Alert) -> str:
    return f"/supervision/alerts/{alert.pk}/"


# An obligation is met when its clock ended — finished, or withdrawn — no later than its due time.
# Its alerts (a reminder, a yellow card on the last day) then have nothing left to answer for.
_ENDED = (ClockStatus.STOPPED, ClockStatus.CANCELLED)
MET_ON_TIME = Q(clock__status__in=_ENDED, clock__stopped_at__lte=F("clock__due_at"))


def obligation_met(clock: Clock) -> bool:
    """The obligation behind an alert ended within its limit (SUP-1: nothing overdue to supervise)."""
    return bool(
        clock.status in _ENDED
        and clock.stopped_at is not None
        and clock.due_at is not None
        and clock.stopped_at <= clock.due_at
    )


def alerts_lift_met(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Close (已解除) every open alert whose obligation was met on time, with an `alert.lifted` event;
    run by the scan before it escalates, so a case finished on time is never escalated. Its cost
    follows the open alerts (one join to their clocks per batch)."""
    now = now or timezone.now()
    lock: dict[str, Any] = {"skip_locked": True, "of": ("self",)} if connection.vendor == "postgresql" else {}
    total = 0
    while True:
        with transaction.atomic():
            alerts = list(
                Alert.objects.filter(MET_ON_TIME, status__in=OPEN_ALERT_STATUSES)
                .select_related("clock")
                .order_by("id")
                .select_for_update(**lock)[:batch_size]
            )
            entries = []
            for a in alerts:
                before = {"status": a.status}
                a.status = AlertStatus.LIFTED
                a.resolved_at = a.clock.stopped_at or now
                a.escalate_at = None
                a.updated_at = now
                entries.append(
                    EventEntry(
                        subject=a,
                        action="alert.lifted",
                        before=before,
                        after={"status": a.status, "clock_status": a.clock.status},
                        reason=str(_("事项已在时限内办结，预警自动解除。")),
                    )
                )
            Alert.objects.bulk_update(alerts, ["status", "resolved_at", "escalate_at", "updated_at"])
            events_append_many(entries=entries)
            total += len(alerts)
        if len(alerts) < batch_size:
            return total


def _refuse_if_met(alert: Alert) -> None:
    if obligation_met(alert.clock) or alert.status == AlertStatus.LIFTED:
        raise ValidationError(_("该事项已在时限内办结，预警已解除，不能再升级督办。"), code="met")


def alert_acknowledge(*, alert: Alert, actor: Any) -> Alert:
    """The unit signs for the alert (签收); escalation stops."""
    if not can_handle(actor, alert):
        raise PermissionDenied(_("只有责任部门可以签收预警。"))
    with transaction.atomic():
        a = _locked(alert)
        target = _transition(a, "acknowledge")
        before = {"status": a.status}
        a.status = target
        a.acknowledged_at = timezone.now()
        a.acknowledged_by = actor
        a.escalate_at = None
        a.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "escalate_at", "updated_at"])
        event_append(subject=a, action="alert.acknowledged", actor=actor, before=before, after={"status": a.status})
    return a


def alert_explain(*, alert: Alert, actor: Any, text: str) -> Alert:
    """SUP-4: the unit explains in writing why the obligation ran late; the explanation of an
    obligation past its limit is published."""
    if not can_handle(actor, alert):
        raise PermissionDenied(_("只有责任部门可以填写情况说明。"))
    text = text.strip()
    if len(text) < 10:
        raise ValidationError(_("情况说明至少10个字，请写明超期原因和整改措施。"), code="text")
    with transaction.atomic():
        a = _locked(alert)
        target = _transition(a, "explain")
        before = {"status": a.status, "explanation": a.explanation}
        a.status = target
        a.explanation = text
        a.explained_at = timezone.now()
        a.explained_by = actor
        a.save(update_fields=["status", "explanation", "explained_at", "explained_by", "updated_at"])
        event_append(
            subject=a, action="alert.explained", actor=actor, before=before, after={"status": a.status}, reason=text
        )
        notify(
            recipients=region_supervisors(a.region.path),
            title=_("预警已说明：%(label)s") % {"label": a.clock.label},
            body=text[:200],
            url=_url(a),
            channels=("inbox",),
        )
    return a


def alert_resolve(*, alert: Alert, actor: Any, note: str = "") -> Alert:
    """A supervisor accepts the explanation and closes the alert."""
    if not can_supervise(actor, alert):
        raise PermissionDenied(_("只有效能办或领导可以办结预警。"))
    with transaction.atomic():
        a = _locked(alert)
        target = _transition(a, "resolve")
        before = {"status": a.status}
        a.status = target
        a.resolved_at = timezone.now()
        a.resolved_by = actor
        a.escalate_at = None
        a.save(update_fields=["status", "resolved_at", "resolved_by", "escalate_at", "updated_at"])
        event_append(
            subject=a, action="alert.resolved", actor=actor, before=before, after={"status": a.status}, reason=note
        )
    return a


def alert_escalate(*, alert: Alert, actor: Any, reason: str) -> Alert:
    """A supervisor escalates by hand (督办): department head first, then the efficiency office."""
    if not can_supervise(actor, alert):
        raise PermissionDenied(_("只有效能办或领导可以升级督办。"))
    if not reason.strip():
        raise ValidationError(_("升级督办必须说明理由。"), code="reason")
    with transaction.atomic():
        a = _locked(alert)
        _refuse_if_met(a)  # a met obligation is no one's to chase (issue 9)
        target = _transition(a, "escalate")
        if a.escalation >= Escalation.OFFICE:
            raise ValidationError(_("该预警已升级至效能办，不能再升级。"), code="state")
        before = {"status": a.status, "escalation": a.escalation}
        a.status = target
        a.escalation += 1
        a.escalate_at = None
        a.save(update_fields=["status", "escalation", "escalate_at", "updated_at"])
        event_append(
            subject=a,
            action="alert.escalated",
            actor=actor,
            before=before,
            after={"status": a.status, "escalation": a.escalation},
            reason=reason.strip(),
        )
        recipients = (
            department_heads([a.department_id])
            if a.escalation == Escalation.DEPT_HEAD
            else region_supervisors(a.region.path)
        )
        notify(
            recipients=recipients,
            title=_("预警升级督办：%(label)s") % {"label": a.clock.label},
            body=reason.strip(),
            url=_url(a),
        )
    return a


# ---------------------------------------------------------------------------------------------
# Threshold policies (SUP-1)
# ---------------------------------------------------------------------------------------------


def threshold_policy_save(
    *,
    actor: Any,
    tenant: Region,
    kind_prefix: str = "",
    remind_offset: int = -1,
    yellow_offset: int = 0,
    red_offset: int = 0,
    acknowledge_days: int = 1,
    note: str = "",
    recompute: bool = True,
) -> ThresholdPolicy:
    """Set a jurisdiction's thresholds (administrators and the efficiency office). Open clocks of
    the kind are recomputed so the new thresholds apply at once."""
    if not (actor.is_superuser or (actor.role in {Role.ADMIN, Role.SUPERVISOR} and actor.tenant_id == tenant.pk)):
        raise PermissionDenied(_("只有系统管理员或效能办可以配置预警阈值。"))
    if not (remind_offset <= yellow_offset <= red_offset):
        raise ValidationError(_("提醒不能晚于黄牌，黄牌不能晚于红牌。"), code="order")
    if not (-10 <= remind_offset <= 10 and -10 <= red_offset <= 10) or not (1 <= acknowledge_days <= 10):
        raise ValidationError(_("阈值应在前后10个工作日以内，签收时限为1至10个工作日。"), code="range")
    with transaction.atomic():
        policy, _created = ThresholdPolicy.objects.update_or_create(
            tenant=tenant,
            kind_prefix=kind_prefix.strip(),
            defaults={
                "remind_offset": remind_offset,
                "yellow_offset": yellow_offset,
                "red_offset": red_offset,
                "acknowledge_days": acknowledge_days,
                "note": note,
            },
        )
        event_append(
            subject=policy,
            action="threshold.saved",
            actor=actor,
            after={"offsets": [remind_offset, yellow_offset, red_offset], "acknowledge_days": acknowledge_days},
        )
        transaction.on_commit(thresholds_invalidate)
    thresholds_invalidate()
    if recompute:
        # every open clock of the jurisdiction may move; set-based, with one summary event on the
        # policy (workdays.bulk explains why not one per clock)
        clocks_recompute_bulk(actor=actor, subject=policy)
    return policy


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
    assert department is not None
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
        ob = ExternalObligation.objects.select_for_update().get(pk=ob.pk)
        if ob.status != ObligationStatus.OPEN:
            return ob
        ob.status = ObligationStatus.CANCELLED if cancelled else ObligationStatus.COMPLETED
        ob.completed_at = at
        ob.save(update_fields=["status", "completed_at", "updated_at"])
        if ob.clock is not None:
            clock_stop(clock=ob.clock, at=at, cancelled=cancelled)
        event_append(subject=ob, action=f"external_obligation.{ob.status}", after={"completed_at": at})
    return ob
