"""Accountability (问责): a decision on the ACC-1 sanction ladder, from any source, with the negative
list's "four always" (四个一律, ACC-2) enforced on every serious negative-list case."""

from __future__ import annotations

__all__ = [
    "accountability_record_open",
    "four_always_gaps",
]

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, User
from xiaoneng.oversight.choices import (
    LEADER_CADRE_ROLES,
    LEADER_ONLY_SANCTIONS,
    AccountabilitySource,
    NegativeListCase,
    Sanction,
)
from xiaoneng.oversight.inputs import text_clean
from xiaoneng.oversight.models import AccountabilityRecord
from xiaoneng.oversight.permissions import can_impose
from xiaoneng.oversight.selectors import department_heads


def _url(rec: AccountabilityRecord) -> str:
    return reverse("oversight:record_detail", args=[rec.pk])


def four_always_gaps(rec: AccountabilityRecord) -> list[str]:
    """ACC-2: which of the "four always" a record under the negative list still lacks ([] when it is
    not a serious negative-list case, or has them all) — shown on the record's page."""
    if not rec.four_always:
        return []
    gaps = []
    if rec.person_id is None:
        gaps.append(str(_("追究当事人责任")))
    if rec.leader_id is None:
        gaps.append(str(_("追究相关领导责任")))
    if not rec.published:
        gaps.append(str(_("通报曝光")))
    if rec.disqualified_year is None:
        gaps.append(str(_("取消评先评优资格")))
    return gaps


def accountability_record_open(
    *,
    actor: Any,
    department: Department,
    sanction: str,
    reason: str,
    source_kind: str = AccountabilitySource.OTHER,
    source: models.Model | None = None,
    person: User | None = None,
    person_name: str = "",
    leader: User | None = None,
    negative_case: str = "",
    serious: bool = False,
    wilful: bool = False,
    publish: bool = False,
    event_on_source: str = "",
) -> AccountabilityRecord:
    """Record an accountability decision.

    ACC-1: the actor's role must be allowed the sanction's rung (SANCTION_AUTHORITY) over the
    department, and the leaders' measures (诫勉谈话, 公开道歉, 建议免职) apply to leader cadres only.
    ACC-2: a negative-list case that caused serious loss or harm is handled by the "four always" —
    the person and the responsible leader are both named, the record is published, and the unit is
    disqualified from awards for the year; a record lacking the person or the leader is refused.
    `event_on_source` names the Event appended on the source too (e.g. "complaint.accountability")."""
    if sanction not in Sanction.values:
        raise ValidationError({"sanction": _("请选择问责方式。")})
    if not can_impose(actor, sanction, department):
        # ACC-1: who may impose each rung
        raise PermissionDenied(_("您无权对该部门人员作出“%(s)s”的问责决定。") % {"s": Sanction(sanction).label})
    if source_kind not in AccountabilitySource.values:
        raise ValidationError({"source_kind": _("请选择问责来源。")})
    if negative_case not in NegativeListCase.values:
        raise ValidationError({"negative_case": _("请选择负面清单情形。")})
    reason = text_clean(reason, field="reason", label=_("问责事由"), max_length=2000, min_length=4)
    person_name = text_clean(person_name, field="person_name", label=_("责任人姓名"), max_length=50, min_length=0)
    if person is not None:
        if person.role != Role.LEADER and person.department_id != department.pk:
            raise ValidationError({"person": _("责任人必须是该部门的工作人员。")})
        person_name = person_name or person.get_full_name() or person.username
    is_leader = person is not None and person.role in LEADER_CADRE_ROLES
    if sanction in LEADER_ONLY_SANCTIONS and not is_leader:
        # ACC-1: 诫勉谈话, 公开道歉, 建议免职 are for leaders
        raise ValidationError({"sanction": _("“%(s)s”只适用于领导干部。") % {"s": Sanction(sanction).label}})
    if leader is not None and leader.role not in LEADER_CADRE_ROLES:
        raise ValidationError({"leader": _("相关领导必须是部门负责人或领导。")})
    serious, wilful, publish = bool(serious), bool(wilful), bool(publish)
    if serious and not negative_case:
        raise ValidationError({"negative_case": _("造成重大损失或不良影响的，请选择对应的负面清单情形。")})
    now = timezone.now()
    four_always = bool(negative_case) and serious
    if four_always:
        # ACC-2 "四个一律": always the person, always the leader, always published, always disqualified
        missing = {}
        if person is None:
            missing["person"] = _("负面清单情形造成重大损失或不良影响的，必须追究当事人责任。")
        if leader is None:
            missing["leader"] = _("负面清单情形造成重大损失或不良影响的，必须追究相关领导责任。")
        if missing:
            raise ValidationError(missing)
        publish = True
    if negative_case == NegativeListCase.ABUSE:
        wilful = True  # 滥用职权、以权谋私 is wilful by definition (ACC-3: never exempted)
    source_type = ContentType.objects.get_for_model(source) if source is not None else None
    with transaction.atomic():
        rec = AccountabilityRecord.objects.create(
            tenant_id=department.tenant_id,
            source_kind=source_kind,
            source_type=source_type,
            source_id=str(source.pk) if source is not None else "",
            department=department,
            person=person,
            person_name=person_name,
            person_is_leader=is_leader,
            leader=leader,
            sanction=sanction,
            reason=reason,
            negative_case=negative_case,
            serious=serious,
            wilful=wilful,
            published=publish,
            published_at=now if publish else None,
            disqualified_year=timezone.localdate().year if four_always else None,
            decided_by=actor,
            decided_at=now,
        )
        event_append(
            subject=rec,
            action="accountability.decided",
            actor=actor,
            after={
                "sanction": sanction,
                "department": department.pk,
                "person": person.pk if person else None,
                "leader": leader.pk if leader else None,
                "negative_case": negative_case,
                "serious": serious,
                "published": publish,
                "disqualified_year": rec.disqualified_year,
                "source": [source_kind, rec.source_id],
            },
            reason=reason,
        )
        if source is not None and event_on_source:
            event_append(
                subject=source,
                action=event_on_source,
                actor=actor,
                after={"sanction": sanction, "record": rec.pk},
                reason=reason,
            )
        notify(
            recipients=[*department_heads([department.pk]), person, leader],
            title=_("问责决定：%(s)s") % {"s": Sanction(sanction).label},
            body=reason,
            url=_url(rec),
        )
    return rec
