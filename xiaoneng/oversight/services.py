"""Every write to rectifications (conventions §2): open (by a source or by hand), submit evidence,
verify, reject. The other writes of oversight live in `oversight.actions` and are re-exported here,
so that callers have one entry point."""

from __future__ import annotations

__all__ = [
    # re-exported from oversight.actions
    "accountability_record_open",
    "can_submit",
    "can_verify",
    "exemption_apply",
    "exemption_decide",
    "rectification_open",
    "rectification_reject",
    "rectification_submit",
    "rectification_verify",
    "task_assign",
    "task_complete",
    "task_reject",
    "task_report_progress",
    "task_urge",
    "task_verify",
]

from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.actors import actor_required, is_system
from xiaoneng.core.scoping import restrict
from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.choices import DEPARTMENT_ROLES
from xiaoneng.orgs.models import Department
from xiaoneng.oversight.actions.accountability import accountability_record_open
from xiaoneng.oversight.actions.exemption import exemption_apply, exemption_decide
from xiaoneng.oversight.actions.tasks import (
    task_assign,
    task_complete,
    task_reject,
    task_report_progress,
    task_urge,
    task_verify,
)
from xiaoneng.oversight.choices import TRANSITIONS, VERIFIER_ROLES, RectificationOrigin, RectificationStatus
from xiaoneng.oversight.inputs import default_limit, file_check, limit_resolve, text_clean
from xiaoneng.oversight.models import Rectification, RectificationEvidence
from xiaoneng.oversight.selectors import department_heads, region_supervisors
from xiaoneng.workdays.services import clock_start, clock_stop

CLOCK_KIND = "oversight.rectification"


def can_verify(actor: Any, rectification: Rectification) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    return actor.role in VERIFIER_ROLES and restrict(Rectification.objects.filter(pk=rectification.pk), actor).exists()


def can_submit(actor: Any, rectification: Rectification) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser or actor.pk == rectification.owner_id:
        return True
    return actor.role in DEPARTMENT_ROLES and actor.department_id == rectification.department_id


def _can_open(actor: Any, department: Department) -> bool:
    # the system's own processes (the supervision scan, grading, a substantiated complaint) say so with
    # SYSTEM; a missing actor is a programming error, never a silent pass (issue 10)
    if is_system(actor):
        return True
    actor_required(actor)
    if actor.is_superuser:
        return True
    if actor.role not in VERIFIER_ROLES or actor.region_id is None:
        return False
    path, mine = department.region.path, actor.region.path
    return path == mine or path.startswith(mine + "/")


def _transition(rect: Rectification, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if rect.status not in sources:
        raise ValidationError(
            _("整改事项当前状态为“%(status)s”，不能执行该操作。") % {"status": rect.get_status_display()},
            code="state",
        )
    return target


def _url(rect: Rectification) -> str:
    return reverse("oversight:detail", args=[rect.pk])


def _locked(rect: Rectification) -> Rectification:
    return Rectification.objects.select_for_update(of=("self",)).select_related("department__region").get(pk=rect.pk)


def rectification_open(
    *,
    department: Department,
    title: str,
    problem: str,
    measures: str = "",
    owner: Any = None,
    source: models.Model | None = None,
    limit: int | None = None,
    actor: Any = None,
    origin: str = "",
    due: date | None = None,
) -> Rectification:
    """Open a rectification with its own Clock (kind "oversight.rectification"). With a `source`, at
    most one per source: a second call returns the existing item (the caller may retry safely).
    Opened by hand (from the page or the API), it names its `origin` (明察暗访, 领导交办 …), the owner
    must work in the department, and the deadline is `limit` working days or the date `due` (CAS-10:
    15 working days when neither is given)."""
    if not _can_open(actor, department):
        raise PermissionDenied(_("只有效能办或领导可以开具整改事项。"))
    if not isinstance(title, str) or not title.strip() or not isinstance(problem, str) or not problem.strip():
        raise ValidationError(_("请填写整改标题和问题描述。"), code="required")
    title = text_clean(title, field="title", label=_("标题"), max_length=200)
    problem = text_clean(problem, field="problem", label=_("问题描述"), max_length=5000)
    measures = text_clean(measures, field="measures", label=_("整改措施"), max_length=5000, min_length=0)
    origin = origin or (
        RectificationOrigin.SYSTEM if source is not None or is_system(actor) else RectificationOrigin.OTHER
    )
    if origin not in RectificationOrigin.values:
        raise ValidationError({"origin": _("请选择问题来源。")})
    if owner is not None and owner.department_id != department.pk:
        raise ValidationError({"owner": _("整改责任人必须是责任部门的工作人员。")})
    if limit is not None and not isinstance(limit, bool) and isinstance(limit, int) and limit <= 0:
        raise ValidationError(_("整改时限必须大于零。"), code="limit")
    days = limit_resolve(days=limit, due=due) if (limit is not None or due is not None) else default_limit()
    source_type = ContentType.objects.get_for_model(source) if source is not None else None
    source_id = str(source.pk) if source is not None else ""
    if source_type is not None:
        existing = Rectification.objects.filter(source_type=source_type, source_id=source_id).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            rect = Rectification.objects.create(
                tenant_id=department.tenant_id,
                source_type=source_type,
                source_id=source_id,
                department=department,
                owner=owner,
                title=title,
                problem=problem,
                measures=measures,
                origin=origin,
            )
            rect.clock = clock_start(
                owner=rect,
                kind=CLOCK_KIND,
                label=_("整改：%(title)s") % {"title": rect.title[:80]},
                limit=days,
                department=department,
                responsible=owner,
                actor=actor,
            )
            rect.save(update_fields=["clock", "updated_at"])
            event_append(
                subject=rect,
                action="rectification.opened",
                actor=actor,
                after={
                    "status": rect.status,
                    "department": department.pk,
                    "limit": days,
                    "source": source_id,
                    "origin": origin,
                },
            )
            notify(
                recipients=[*department_heads([department.pk]), owner],
                title=_("新的整改事项：%(title)s") % {"title": rect.title},
                body=_("请在%(days)d个工作日内完成整改并提交佐证材料。") % {"days": days},
                url=_url(rect),
            )
    except IntegrityError:
        # a concurrent run opened it first (the unique constraint per source decided)
        if source_type is None:
            raise
        return Rectification.objects.get(source_type=source_type, source_id=source_id)
    return rect


def _check_file(file: UploadedFile[bytes] | None) -> None:
    """Evidence files pass the one upload check (core.uploads: type, size, content)."""
    file_check(file)


def rectification_submit(
    *, rectification: Rectification, actor: Any, text: str, measures: str = "", file: UploadedFile[bytes] | None = None
) -> RectificationEvidence:
    """The department reports what it did, with evidence; the item waits for verification."""
    if not can_submit(actor, rectification):
        raise PermissionDenied(_("只有责任部门可以提交整改情况。"))
    if not text.strip():
        raise ValidationError(_("请填写整改情况。"), code="text")
    _check_file(file)
    with transaction.atomic():
        rect = _locked(rectification)
        target = _transition(rect, "submit")
        before = {"status": rect.status}
        evidence = RectificationEvidence(rectification=rect, text=text.strip(), submitted_by=actor)
        if file is not None:
            evidence.file.save(file.name or "evidence", file, save=False)
        evidence.save()
        rect.status = target
        rect.submitted_at = timezone.now()
        fields = ["status", "submitted_at", "updated_at"]
        if measures.strip():
            rect.measures = measures.strip()
            fields.append("measures")
        rect.save(update_fields=fields)
        event_append(
            subject=rect,
            action="rectification.submitted",
            actor=actor,
            before=before,
            after={"status": rect.status, "evidence": evidence.pk, "file": bool(evidence.file)},
            reason=evidence.text,
        )
        notify(
            recipients=region_supervisors(rect.department.region.path),
            title=_("整改待核验：%(title)s") % {"title": rect.title},
            body=_("%(dept)s已提交整改情况，请核验。") % {"dept": rect.department},
            url=_url(rect),
        )
    return evidence


def rectification_verify(*, rectification: Rectification, actor: Any, note: str = "") -> Rectification:
    """A supervisor checks the evidence and closes the item (销号); its clock stops."""
    if not can_verify(actor, rectification):
        raise PermissionDenied(_("只有效能办或领导可以核验整改。"))
    with transaction.atomic():
        rect = _locked(rectification)
        target = _transition(rect, "verify")
        rect.status = target
        rect.verified_at = timezone.now()
        rect.verified_by = actor
        rect.verification_note = note.strip()
        rect.save(update_fields=["status", "verified_at", "verified_by", "verification_note", "updated_at"])
        if rect.clock is not None:
            clock_stop(clock=rect.clock, actor=actor)
        event_append(
            subject=rect,
            action="rectification.verified",
            actor=actor,
            before={"status": RectificationStatus.SUBMITTED},
            after={"status": rect.status},
            reason=rect.verification_note,
        )
        notify(
            recipients=[*department_heads([rect.department_id]), rect.owner],
            title=_("整改已核验销号：%(title)s") % {"title": rect.title},
            url=_url(rect),
        )
    return rect


def rectification_reject(*, rectification: Rectification, actor: Any, reason: str) -> Rectification:
    """The evidence is not enough: back to the department, with the reason in writing."""
    if not can_verify(actor, rectification):
        raise PermissionDenied(_("只有效能办或领导可以核验整改。"))
    if not reason.strip():
        raise ValidationError(_("退回必须说明理由。"), code="reason")
    with transaction.atomic():
        rect = _locked(rectification)
        target = _transition(rect, "reject")
        rect.status = target
        rect.rejections += 1
        rect.verification_note = reason.strip()
        rect.save(update_fields=["status", "rejections", "verification_note", "updated_at"])
        event_append(
            subject=rect,
            action="rectification.rejected",
            actor=actor,
            before={"status": RectificationStatus.SUBMITTED},
            after={"status": rect.status},
            reason=rect.verification_note,
        )
        notify(
            recipients=[*department_heads([rect.department_id]), rect.owner],
            title=_("整改被退回：%(title)s") % {"title": rect.title},
            body=rect.verification_note,
            url=_url(rect),
        )
    return rect
