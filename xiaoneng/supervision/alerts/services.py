"""The actions on SUP-1 alerts (conventions §2): sign for, explain, resolve, escalate by hand,
lift the alerts of obligations met on time, and save a jurisdiction's threshold policy.
"""

from __future__ import annotations

__all__ = [
    "alert_acknowledge",
    "alert_escalate",
    "alert_explain",
    "alert_resolve",
    "alerts_lift_met",
    "threshold_policy_save",
]

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.services import notify
from xiaoneng.core.trail import EventEntry, event_append, events_append_many
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Region
from xiaoneng.oversight.selectors import department_heads, region_supervisors
from xiaoneng.supervision.alerts.selectors import MET_ON_TIME, obligation_met
from xiaoneng.supervision.alerts.thresholds import thresholds_invalidate
from xiaoneng.supervision.choices import OPEN_ALERT_STATUSES, TRANSITIONS, AlertStatus, Escalation
from xiaoneng.supervision.models import Alert, ThresholdPolicy
from xiaoneng.supervision.permissions import can_handle, can_supervise
from xiaoneng.workdays.bulk import clocks_recompute_bulk


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update(of=("self",)).select_related("clock", "region").get(pk=alert.pk)


def _transition(alert: Alert, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if alert.status not in sources:
        raise ValidationError(
            _("预警当前状态为“%(status)s”，不能执行该操作。") % {"status": alert.get_status_display()}, code="state"
        )
    return target


def _url(alert: Alert) -> str:
    return f"/supervision/alerts/{alert.pk}/"


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
