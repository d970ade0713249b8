"""Fault tolerance (容错, ACC-3): an application for exemption from an accountability record, the
review of its conditions and the decision — exempted, mitigated to a lower rung, or refused."""

from __future__ import annotations

__all__ = [
    "EXEMPT_REQUIRES",
    "MITIGATE_REQUIRES",
    "exemption_apply",
    "exemption_decide",
]

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.oversight.choices import (
    LEADER_ONLY_SANCTIONS,
    SANCTION_LADDER,
    AccountabilityStatus,
    ExemptionCondition,
    ExemptionDecision,
    ExemptionStatus,
    Sanction,
)
from xiaoneng.oversight.inputs import file_check, text_clean
from xiaoneng.oversight.models import AccountabilityRecord, ExemptionApplication
from xiaoneng.oversight.permissions import can_apply_exemption, can_decide_exemption
from xiaoneng.oversight.selectors import region_supervisors

# ACC-3 (seed 004, "四区分"): a full exemption needs every condition established by the review; a
# mitigation at least that nothing was done for personal gain and that the losses were remedied.
EXEMPT_REQUIRES = frozenset(ExemptionCondition.values)
MITIGATE_REQUIRES = frozenset({ExemptionCondition.NO_PERSONAL_GAIN, ExemptionCondition.LOSSES_REMEDIED})


def _url(app: ExemptionApplication) -> str:
    return reverse("oversight:exemption_detail", args=[app.pk])


def _conditions(values: Iterable[Any], *, field: str) -> list[str]:
    out = []
    for v in values or []:
        if v not in ExemptionCondition.values:
            raise ValidationError({field: _("容错情形不正确。")})
        if v not in out:
            out.append(v)
    return out


def _wilful_refusal() -> ValidationError:
    # ACC-3: wilful violations (明知故犯、为谋取私利) are never tolerated
    return ValidationError(_("明知故犯或为谋取私利的违纪违法行为不适用容错。"), code="wilful")


def exemption_apply(
    *, record: AccountabilityRecord, actor: Any, conditions: Iterable[Any], statement: str, file: Any = None
) -> ExemptionApplication:
    """The person held accountable (or their department head) applies for 容错, claiming the
    conditions that apply and explaining; the efficiency office of the region is asked to review."""
    if not can_apply_exemption(actor, record):
        raise PermissionDenied(_("只有被问责人或其所在部门负责人可以申请容错。"))
    claimed = _conditions(conditions, field="conditions")
    if not claimed:
        raise ValidationError({"conditions": _("请至少选择一项申请容错的情形。")})
    statement = text_clean(statement, field="statement", label=_("情况说明"), max_length=5000, min_length=10)
    file_check(file)
    if record.wilful:
        raise _wilful_refusal()
    if record.status != AccountabilityStatus.DECIDED:
        raise ValidationError(_("该问责记录已作出容错决定，不能再次申请。"), code="state")
    try:
        with transaction.atomic():
            app = ExemptionApplication(
                tenant_id=record.tenant_id, record=record, applicant=actor, conditions=claimed, statement=statement
            )
            if file is not None:
                app.file.save(file.name or "evidence", file, save=False)
            app.save()
            event_append(
                subject=app,
                action="exemption.applied",
                actor=actor,
                after={"conditions": claimed},
                reason=statement[:500],
            )
            event_append(
                subject=record, action="accountability.exemption_applied", actor=actor, after={"application": app.pk}
            )
            notify(
                recipients=region_supervisors(record.department.region.path),
                title=_("容错申请待审查"),
                body=_("%(dept)s的问责记录提出了容错申请。") % {"dept": record.department},
                url=_url(app),
            )
    except IntegrityError:
        raise ValidationError(_("该问责记录已有待审查的容错申请。"), code="pending") from None
    return app


def exemption_decide(
    *,
    application: ExemptionApplication,
    actor: Any,
    decision: str,
    confirmed: Iterable[Any],
    note: str,
    mitigated_to: str = "",
) -> ExemptionApplication:
    """The reviewer establishes which claimed conditions hold and decides (ACC-3):

    - 予以免责 only when every condition holds and the violation was not wilful: the record is exempted
      (it no longer bars its unit from awards);
    - 从轻 when at least no personal gain and remedied losses hold: the sanction moves to a lower rung;
    - 不予容错: the record stands.
    Every step is on the Event trail of both the application and the record."""
    if not can_decide_exemption(actor, application):
        raise PermissionDenied(_("只有效能办或领导可以审查容错申请，申请人和被问责人不能审查。"))
    if decision not in ExemptionDecision.values:
        raise ValidationError({"decision": _("请选择审查决定。")})
    found = _conditions(confirmed, field="confirmed")
    note = text_clean(note, field="note", label=_("审查意见"), max_length=5000, min_length=4)
    with transaction.atomic():
        app = ExemptionApplication.objects.select_for_update(of=("self",)).get(pk=application.pk)
        rec = (
            AccountabilityRecord.objects.select_for_update(of=("self",))
            .select_related("department")
            .get(pk=app.record_id)
        )
        if app.status != ExemptionStatus.SUBMITTED:
            raise ValidationError(_("该容错申请已经作出决定。"), code="state")
        if not set(found) <= set(app.conditions):
            raise ValidationError({"confirmed": _("只能认定申请人提出的情形。")})
        if decision != ExemptionDecision.REFUSED and rec.wilful:
            raise _wilful_refusal()
        if decision == ExemptionDecision.EXEMPTED and not set(found) >= EXEMPT_REQUIRES:
            raise ValidationError({"confirmed": _("予以免责须认定全部容错情形均成立。")})
        if decision == ExemptionDecision.MITIGATED:
            if not set(found) >= MITIGATE_REQUIRES:
                raise ValidationError({"confirmed": _("从轻或减轻问责须认定未谋取私利且已挽回损失。")})
            if mitigated_to not in Sanction.values:
                raise ValidationError({"mitigated_to": _("请选择从轻后的问责方式。")})
            if SANCTION_LADDER[mitigated_to] >= SANCTION_LADDER[rec.sanction]:
                raise ValidationError({"mitigated_to": _("从轻后的问责方式必须轻于原问责方式。")})
            if mitigated_to in LEADER_ONLY_SANCTIONS and not rec.person_is_leader:
                raise ValidationError({"mitigated_to": _("该问责方式只适用于领导干部。")})
        before = {"status": rec.status, "sanction": rec.sanction}
        app.status = ExemptionStatus.DECIDED
        app.decision = decision
        app.confirmed = found
        app.review_note = note
        app.mitigated_to = mitigated_to if decision == ExemptionDecision.MITIGATED else ""
        app.decided_by = actor
        app.decided_at = timezone.now()
        app.save(
            update_fields=[
                "status",
                "decision",
                "confirmed",
                "review_note",
                "mitigated_to",
                "decided_by",
                "decided_at",
                "updated_at",
            ]
        )
        if decision == ExemptionDecision.EXEMPTED:
            rec.status = AccountabilityStatus.EXEMPTED
            rec.save(update_fields=["status", "updated_at"])
        elif decision == ExemptionDecision.MITIGATED:
            rec.status = AccountabilityStatus.MITIGATED
            rec.original_sanction = rec.sanction
            rec.sanction = mitigated_to
            rec.save(update_fields=["status", "original_sanction", "sanction", "updated_at"])
        event_append(
            subject=app,
            action="exemption.decided",
            actor=actor,
            before={"status": ExemptionStatus.SUBMITTED},
            after={"decision": decision, "confirmed": found, "mitigated_to": app.mitigated_to},
            reason=note,
        )
        event_append(
            subject=rec,
            action=f"accountability.{decision}",
            actor=actor,
            before=before,
            after={"status": rec.status, "sanction": rec.sanction, "application": app.pk},
            reason=note,
        )
        notify(
            recipients=[app.applicant, rec.person],
            title=_("容错申请审查结果：%(d)s") % {"d": ExemptionDecision(decision).label},
            body=note,
            url=_url(app),
        )
    return app
