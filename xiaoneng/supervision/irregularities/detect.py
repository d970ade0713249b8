"""The incremental SUP-2 detector over the Event trail: read the events after the cursor, evaluate
the rules they can affect on the cases they touch, insert the flags and move the cursor in one
transaction.
"""

from __future__ import annotations

__all__ = [
    "CURSOR_NAME",
    "DetectResult",
    "irregularities_detect",
    "irregularity_url",
]

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.cases.models import (
    Case,
)
from xiaoneng.core.models import Event
from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append, trail_batch
from xiaoneng.oversight.models import Rectification
from xiaoneng.oversight.selectors import department_heads
from xiaoneng.supervision.choices import IrregularityStatus
from xiaoneng.supervision.irregularities.enforcement import ENFORCEMENT_MODELS, enforcement_flags
from xiaoneng.supervision.irregularities.rules import KNOWN_ACTIONS, RULES, CaseBatch, Finding, RuleSpec
from xiaoneng.supervision.models import DetectorCursor, Irregularity

CURSOR_NAME = "supervision.irregularities"


# ---------------------------------------------------------------------------------------------
# The detector
# ---------------------------------------------------------------------------------------------
@dataclass
class DetectResult:
    events: int = 0  # events read
    cases: int = 0  # case evaluations (one per case per batch)
    raised: int = 0  # new flags
    rectified: int = 0  # flags whose rectification was verified
    position: int = 0  # the cursor afterwards


def _lag() -> timedelta:
    # Read only events at least this old: an event whose transaction has not committed yet is not
    # visible, and a later event must not move the cursor past it (PostgreSQL assigns ids at insert).
    return timedelta(seconds=float(getattr(settings, "XIAONENG_IRREGULARITY_LAG_SECONDS", 5)))


def _cursor_locked() -> DetectorCursor:
    DetectorCursor.objects.get_or_create(name=CURSOR_NAME)
    # one detector at a time: a second run waits here, then starts from where the first stopped
    return DetectorCursor.objects.select_for_update(of=("self",)).get(name=CURSOR_NAME)


def irregularity_url(irr: Irregularity) -> str:
    return reverse("supervision:irregularity", args=[irr.pk])


def _raise(b: CaseBatch, findings: list[tuple[RuleSpec, Finding]], at: datetime, ct: ContentType) -> list[Irregularity]:
    """The flags of the case rules' findings, inserted by `_insert_flags`."""
    rows: list[Irregularity] = []
    for spec, f in findings:
        c = b.cases[f.case_id]
        rows.append(
            Irregularity(
                tenant_id=c.tenant_id,
                rule=spec.id,
                severity=spec.severity,
                subject_type=ct,
                subject_id=str(c.pk),
                key=f.key,
                subject_label=c.tracking_number,
                department_id=c.department_id,
                region_id=c.department.region_id,
                detected_at=at,
                detail=f.detail,
            )
        )
    return _insert_flags(rows, at)


def _insert_flags(candidates: list[Irregularity], at: datetime) -> list[Irregularity]:
    """Insert the new flags (idempotent), append their events and tell the department heads."""
    if not candidates:
        return []
    # led by the rule, as the unique index is: the lookup stays an index probe however many flags exist
    mine = Irregularity.objects.filter(
        rule__in=sorted({c.rule for c in candidates}),
        subject_type_id__in=sorted({c.subject_type_id for c in candidates}),
        subject_id__in=sorted({c.subject_id for c in candidates}),
    )
    existing = set(mine.values_list("rule", "subject_type_id", "subject_id", "key"))
    rows: dict[tuple[str, int, str, str], Irregularity] = {}
    for irr in candidates:
        quad = (irr.rule, irr.subject_type_id, irr.subject_id, irr.key)
        if quad not in existing and quad not in rows:
            rows[quad] = irr
    if not rows:
        return []
    # the unique constraint is the guarantee; the read above only spares the conflicts
    Irregularity.objects.bulk_create(list(rows.values()), ignore_conflicts=True)
    created = [
        irr
        for irr in mine.filter(detected_at=at).select_related("subject_type")
        if (irr.rule, irr.subject_type_id, irr.subject_id, irr.key) in rows
    ]
    with trail_batch():
        for irr in created:
            label = "case" if irr.subject_type.model == "case" else "subject"
            event_append(
                subject=irr,
                action="irregularity.raised",
                after={"rule": irr.rule, label: irr.subject_label, "key": irr.key, "status": irr.status},
                reason=irr.detail,
            )
    by_dept: dict[int, list[Irregularity]] = defaultdict(list)
    for irr in created:
        if irr.department_id is not None:
            by_dept[irr.department_id].append(irr)
    for dept_id, flags in by_dept.items():
        first = flags[0]
        notify(
            recipients=department_heads([dept_id]),
            title=(
                # the rule's name, never its ID, in user-facing text (issue 9)
                _("违规预警：%(name)s（%(label)s）") % {"name": first.get_rule_display(), "label": first.subject_label}
                if len(flags) == 1
                else _("本部门新增%(n)d条违规预警") % {"n": len(flags)}
            ),
            body="\n".join(f"{i.get_rule_display()}（{i.subject_label}）：{i.detail}" for i in flags[:10]),
            url=irregularity_url(first)
            if len(flags) == 1
            else reverse("supervision:irregularities") + f"?department={dept_id}",
            channels=("inbox", "email"),
        )
    return created


def _mark_rectified(rect_ids: list[str]) -> int:
    """A flag whose rectification the supervisor verified is closed as 已整改."""
    ct = ContentType.objects.get_for_model(Irregularity)
    source_ids = Rectification.objects.filter(pk__in=rect_ids, source_type=ct).values_list("source_id", flat=True)
    n = 0
    for irr in Irregularity.objects.select_for_update(of=("self",)).filter(
        pk__in=list(source_ids), status=IrregularityStatus.CONFIRMED
    ):
        irr.status = IrregularityStatus.RECTIFIED
        irr.save(update_fields=["status", "updated_at"])
        event_append(
            subject=irr,
            action="irregularity.rectified",
            before={"status": IrregularityStatus.CONFIRMED},
            after={"status": irr.status},
        )
        n += 1
    return n


def irregularities_detect(
    *,
    from_start: bool = False,
    batch_size: int = 5000,
    lag: timedelta | None = None,
    now: datetime | None = None,
    progress: Callable[[DetectResult], None] | None = None,
) -> DetectResult:
    """SUP-2: evaluate the rules on the cases touched by events after the cursor, in batches of
    `batch_size` events; each batch inserts its flags and moves the cursor in one transaction, so a
    crash loses nothing and repeats nothing. `from_start` re-reads the whole trail (flags already
    raised stay as they are)."""
    case_ct = ContentType.objects.get_for_model(Case)
    rect_ct = ContentType.objects.get_for_model(Rectification)
    act_cts = {ContentType.objects.get_for_model(m).pk for m in ENFORCEMENT_MODELS.values()}
    act_actions = frozenset().union(*(s.actions for s in RULES.values() if s.subject == "enforcement"))
    horizon = (now or timezone.now()) - (_lag() if lag is None else lag)
    result = DetectResult()
    if from_start:
        with transaction.atomic():
            cursor = _cursor_locked()
            cursor.position = 0
            cursor.save(update_fields=["position", "updated_at"])
    while True:
        with transaction.atomic():
            cursor = _cursor_locked()
            rows = list(
                Event.objects.filter(id__gt=cursor.position)
                .order_by("id")
                .values_list("id", "subject_type_id", "subject_id", "action", "at")[:batch_size]
            )
            full = len(rows) == batch_size
            # stop at the first event too recent to be sure every earlier one has committed
            young = next((i for i, r in enumerate(rows) if r[4] > horizon), None)
            if young is not None:
                rows, full = rows[:young], False
            if not rows:
                result.position = cursor.position
                break
            touched: dict[int, set[str]] = defaultdict(set)
            acts: dict[int, set[int]] = defaultdict(set)  # SUP-2.9: content type -> enforcement acts
            verified: list[str] = []
            for _id, type_id, subject_id, action, _at in rows:
                if type_id == case_ct.pk and subject_id.isdigit():
                    touched[int(subject_id)].add(action)
                elif type_id in act_cts and action in act_actions and subject_id.isdigit():
                    acts[type_id].add(int(subject_id))
                elif type_id == rect_ct.pk and action == "rectification.verified":
                    verified.append(subject_id)
            batch = CaseBatch(touched)
            findings: list[tuple[RuleSpec, Finding]] = []
            for spec in RULES.values():
                if spec.subject != "case":
                    continue
                ids = [
                    cid
                    for cid, actions in touched.items()
                    if cid in batch.cases and (actions & spec.actions or actions - KNOWN_ACTIONS)
                ]
                if ids:
                    findings.extend((spec, f) for f in spec.detect(batch, ids))
            result.raised += len(_raise(batch, findings, timezone.now(), case_ct))
            if acts:
                at = timezone.now()
                result.raised += len(_insert_flags(enforcement_flags(acts, at), at))
            if verified:
                result.rectified += _mark_rectified(verified)
            result.events += len(rows)
            result.cases += len(batch.cases)
            cursor.position = rows[-1][0]
            cursor.save(update_fields=["position", "updated_at"])
            result.position = cursor.position
        if progress is not None:
            progress(result)
        if not full:
            break
    return result
