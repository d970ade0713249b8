"""The actions on a SUP-2 irregularity flag (conventions §2): confirm, dismiss with a reason, or
open a rectification.
"""

from __future__ import annotations

__all__ = [
    "TRANSITIONS",
    "irregularity_confirm",
    "irregularity_dismiss",
    "irregularity_rectify",
]

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.oversight.models import Rectification
from xiaoneng.oversight.selectors import department_heads
from xiaoneng.oversight.services import rectification_open
from xiaoneng.supervision.choices import IrregularityStatus
from xiaoneng.supervision.irregularities.detect import irregularity_url
from xiaoneng.supervision.irregularities.rules import RULES
from xiaoneng.supervision.irregularities.selectors import irregularity_rectification
from xiaoneng.supervision.models import Irregularity
from xiaoneng.supervision.permissions import can_handle_irregularity

# ---------------------------------------------------------------------------------------------
# Handling: the efficiency office confirms or dismisses; a confirmed flag opens a rectification
# ---------------------------------------------------------------------------------------------

# the one transition table for flags: action -> (from states, to state)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "confirm": (frozenset({IrregularityStatus.OPEN}), IrregularityStatus.CONFIRMED),
    "dismiss": (frozenset({IrregularityStatus.OPEN}), IrregularityStatus.DISMISSED),
}


def _locked(irr: Irregularity) -> Irregularity:
    return Irregularity.objects.select_for_update(of=("self",)).select_related("department", "region").get(pk=irr.pk)


def _move(irr: Irregularity, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if irr.status not in sources:
        raise ValidationError(
            _("该违规预警当前状态为“%(status)s”，不能执行该操作。") % {"status": irr.get_status_display()}, code="state"
        )
    return target


def _handle(irr: Irregularity, actor: Any, action: str, note: str) -> Irregularity:
    locked = _locked(irr)
    target = _move(locked, action)
    before = {"status": locked.status}
    locked.status = target
    locked.handled_at = timezone.now()
    locked.handled_by = actor
    locked.handling_note = note
    locked.save(update_fields=["status", "handled_at", "handled_by", "handling_note", "updated_at"])
    event_append(
        subject=locked,
        action=f"irregularity.{'confirmed' if action == 'confirm' else 'dismissed'}",
        actor=actor,
        before=before,
        after={"status": locked.status},
        reason=note,
    )
    return locked


def irregularity_confirm(*, irregularity: Irregularity, actor: Any, note: str = "") -> Irregularity:
    """SUP-2: the efficiency office confirms the flag after checking it; the department head is told."""
    if not can_handle_irregularity(actor, irregularity):
        raise PermissionDenied(_("只有效能办可以核查违规预警。"))
    with transaction.atomic():
        irr = _handle(irregularity, actor, "confirm", (note or "").strip())
        if irr.department_id is not None:
            notify(
                recipients=department_heads([irr.department_id]),
                title=_("违规预警已确认：%(name)s（%(label)s）")
                % {"name": irr.get_rule_display(), "label": irr.subject_label},
                body=irr.detail + (f"\n{irr.handling_note}" if irr.handling_note else ""),
                url=irregularity_url(irr),
                channels=("inbox", "email"),
            )
    return irr


def irregularity_dismiss(*, irregularity: Irregularity, actor: Any, reason: str) -> Irregularity:
    """SUP-2: the efficiency office dismisses a flag it found unfounded, with its reasons."""
    if not can_handle_irregularity(actor, irregularity):
        raise PermissionDenied(_("只有效能办可以核查违规预警。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("排除违规预警必须说明理由。")]})
    with transaction.atomic():
        return _handle(irregularity, actor, "dismiss", reason)


def irregularity_rectify(
    *, irregularity: Irregularity, actor: Any, measures: str = "", limit: int | None = None
) -> Rectification:
    """SUP-2: a confirmed flag becomes a rectification item (oversight) for the responsible
    department; asking twice returns the same item. The flag is closed as 已整改 when the
    rectification is verified (the detector reads that event)."""
    if not can_handle_irregularity(actor, irregularity):
        raise PermissionDenied(_("只有效能办可以将违规预警转为整改事项。"))
    with transaction.atomic():
        irr = _locked(irregularity)
        if irr.status != IrregularityStatus.CONFIRMED:
            raise ValidationError(_("只有已确认的违规预警可以转为整改事项。"), code="state")
        if irr.department is None:
            raise ValidationError(_("该违规预警没有责任部门，不能转为整改事项。"), code="department")
        existing = irregularity_rectification(irr)
        if existing is not None:
            return existing
        spec = RULES[irr.rule]
        rect = rectification_open(
            department=irr.department,
            title=_("违规整改：%(name)s（%(label)s）") % {"name": spec.name, "label": irr.subject_label},
            problem=f"{irr.detail}\n{_('依据')}：{spec.basis}",
            measures=measures,
            source=irr,
            limit=limit,
            actor=actor,
        )
        event_append(
            subject=irr,
            action="irregularity.rectification_opened",
            actor=actor,
            after={"status": irr.status, "rectification": rect.pk},
            reason=(measures or "").strip(),
        )
    return rect
