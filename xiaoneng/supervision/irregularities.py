"""SUP-2 irregularity rules (电子监察 违规预警): the registry of the eight named rules, the incremental
detector over the Event trail, the handling services and the scoped reads.

Detection reads the core Event trail after `DetectorCursor.position`, evaluates the rules that the new
events can affect on the cases they touch, inserts the flags (the database keeps one flag per rule,
subject and key: `supervision_irregularity_once`) and moves the cursor in the same transaction. Its
cost follows the number of new events, never the number of cases: about a dozen queries per batch of
events whatever the batch holds. Where the cases services already refuse a breach, the rule is defence
in depth for rows that arrive another way (imports, other systems, admin edits).

Flags found on a case use the case as their subject (the list links to it) and `key` to tell several
findings of one rule apart (two fees, two extra steps).
"""

from __future__ import annotations

__all__ = [
    "CURSOR_NAME",
    "RULES",
    "DetectResult",
    "Finding",
    "RuleSpec",
    "can_handle_irregularity",
    "case_irregularities",
    "filter_irregularities",
    "irregularities_detect",
    "irregularities_for",
    "irregularity_confirm",
    "irregularity_dismiss",
    "irregularity_for",
    "irregularity_rectification",
    "irregularity_rectify",
    "open_irregularity_count",
]

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoneng.cases.choices import REFUSAL_GROUNDS, DecisionOutcome, NegativeKind, NegativeStatus, Status
from xiaoneng.cases.models import (
    Case,
    CaseMaterial,
    Decision,
    FeeCharge,
    NegativeReport,
    StepTask,
    SupplementAttempt,
)
from xiaoneng.catalog.choices import VersionStatus
from xiaoneng.catalog.models import Material
from xiaoneng.core.models import Event
from xiaoneng.core.scoping import restrict
from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append, trail_batch
from xiaoneng.orgs.choices import Role
from xiaoneng.oversight.models import Rectification
from xiaoneng.oversight.selectors import department_heads
from xiaoneng.oversight.services import rectification_open

from .choices import OPEN_IRREGULARITY_STATUSES, IrregularityRule, IrregularityStatus, Severity
from .models import DetectorCursor, Irregularity

CURSOR_NAME = "supervision.irregularities"

# ---------------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One broken rule found on one case; `key` tells several findings of one rule apart."""

    case_id: int
    key: str
    detail: str


class CaseBatch:
    """The cases touched by one batch of events, read once, with the rows several rules share."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.cases: dict[int, Case] = {
            c.pk: c
            for c in Case.objects.filter(pk__in=list(ids)).select_related(
                "version", "department__region", "decision_clock"
            )
        }

    def of(self, ids: Iterable[int]) -> list[Case]:
        return [self.cases[i] for i in ids if i in self.cases]

    @cached_property
    def decisions(self) -> dict[int, Decision]:
        return {d.case_id: d for d in Decision.objects.filter(case_id__in=list(self.cases))}

    @cached_property
    def approved_reports(self) -> dict[int, list[NegativeReport]]:
        out: dict[int, list[NegativeReport]] = defaultdict(list)
        for r in NegativeReport.objects.filter(case_id__in=list(self.cases), status=NegativeStatus.APPROVED):
            out[r.case_id].append(r)
        return out


Detector = Callable[[CaseBatch, list[int]], list[Finding]]


@dataclass(frozen=True)
class RuleSpec:
    """One named SUP-2 rule: its ID (the IrregularityRule value), severity, the description shown to
    users, the legal basis, the event actions that can break it, and its detector."""

    rule: IrregularityRule
    severity: Severity
    description: Any  # lazy translated string
    basis: Any  # lazy translated string
    actions: frozenset[str]
    detect: Detector = field(compare=False)

    @property
    def id(self) -> str:
        return str(self.rule.value)

    @property
    def name(self) -> str:
        return str(self.rule.label)


def _refused_at_intake(c: Case) -> bool:
    # a refusal at intake stays refused, or is archived without ever being accepted or decided
    return c.status == Status.REFUSED_AT_INTAKE or (
        c.status == Status.CLOSED and c.accepted_at is None and c.decided_at is None and bool(c.refusal_reason)
    )


def _lawful_ground(text: str) -> str | None:
    """The lawful ground (行政许可法 第三十二条 第一款 第一、二项) a refusal at intake cites, if any."""
    for ground in REFUSAL_GROUNDS.values():
        if text.strip().startswith(str(ground)):
            return str(ground)
    return None


_PLACEHOLDERS = frozenset({"无", "略", "暂无", "无理由", "不予受理", "不予许可", "不同意", "不符合", "不符合条件"})


def _has_reasons(text: str, *, strip_ground: bool = False) -> bool:
    """Whether `text` states actual reasons: not blank, not punctuation only, not a placeholder."""
    text = text or ""
    if strip_ground:
        ground = _lawful_ground(text)
        if ground:
            text = text.strip()[len(ground) :]
    core = re.sub(r"[\W_]+", "", text)
    return len(core) >= 2 and core not in _PLACEHOLDERS


def _local(dt: datetime | None) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else "—"


def _detect_not_accepted(b: CaseBatch, ids: list[int]) -> list[Finding]:
    """SUP-2.1: a qualifying application left unaccepted until the clock deemed it accepted, or
    refused at intake with all required materials present and no lawful ground cited."""
    out: list[Finding] = []
    refused: list[Case] = []
    for c in b.of(ids):
        if c.deemed_accepted:
            # 行政许可法 第三十二条: no decision within 5 working days means accepted on receipt
            out.append(
                Finding(
                    c.pk,
                    "deemed",
                    _("收件（%(at)s）后5个工作日内未作出受理决定，依法视为受理。") % {"at": _local(c.received_at)},
                )
            )
        elif _refused_at_intake(c) and not _lawful_ground(c.refusal_reason):
            refused.append(c)
    if refused:
        required: dict[int, set[int]] = defaultdict(set)
        for vid, mid in Material.objects.filter(
            version_id__in={c.version_id for c in refused}, required=True
        ).values_list("version_id", "id"):
            required[vid].add(mid)
        given: dict[int, set[int]] = defaultdict(set)
        for cid, mid in CaseMaterial.objects.filter(
            case_id__in=[c.pk for c in refused], material__isnull=False
        ).values_list("case_id", "material_id"):
            given[cid].add(mid)
        for c in refused:
            if required[c.version_id] <= given[c.pk]:
                out.append(
                    Finding(
                        c.pk,
                        "refused",
                        _("必需材料（%(n)d项）均已提交，却以“%(reason)s”为由不予受理，未引用法定不予受理情形。")
                        % {"n": len(required[c.version_id]), "reason": (c.refusal_reason or "—")[:100]},
                    )
                )
    return out


def _detect_second_supplement(b: CaseBatch, ids: list[int]) -> list[Finding]:
    """SUP-2.2: supplement demanded again after the one-time notice (行政许可法 第三十二条)."""
    out = [
        Finding(
            a.case_id,
            f"attempt:{a.pk}",
            _("已一次性告知补正后，于%(at)s再次要求补正：%(items)s")
            % {"at": _local(a.created_at), "items": "；".join(str(m.get("name", "")) for m in a.missing)[:300]},
        )
        for a in SupplementAttempt.objects.filter(case_id__in=ids).order_by("id")
    ]
    # the trail of an imported case may show two notices even where the table keeps one
    ct = ContentType.objects.get_for_model(Case)
    for sid, n in (
        Event.objects.filter(subject_type=ct, subject_id__in=[str(i) for i in ids], action="case.supplement_requested")
        .order_by()
        .values_list("subject_id")
        .annotate(n=Count("id"))
    ):
        if n > 1:
            out.append(Finding(int(sid), "notices", _("同一办件先后%(n)d次出具补正告知。") % {"n": n}))
    return out


def _detect_no_reasons(b: CaseBatch, ids: list[int]) -> list[Finding]:
    """SUP-2.3: a refusal at intake or a refusal decision without reasons, or a refusal that does not
    tell the applicant of reconsideration and litigation (行政许可法 第三十八条第二款)."""
    out: list[Finding] = []
    for c in b.of(ids):
        if _refused_at_intake(c) and not _has_reasons(c.refusal_reason, strip_ground=True):
            out.append(
                Finding(
                    c.pk, "intake", _("不予受理未说明具体理由（记录的理由：“%(r)s”）。") % {"r": c.refusal_reason[:100]}
                )
            )
        d = b.decisions.get(c.pk)
        if d is not None and d.outcome == DecisionOutcome.REFUSE:
            if not _has_reasons(d.reasons):
                out.append(
                    Finding(
                        c.pk, "decision", _("不予许可决定未说明理由（记录的理由：“%(r)s”）。") % {"r": d.reasons[:100]}
                    )
                )
            elif not d.remedy.strip():
                out.append(Finding(c.pk, "remedy", _("不予许可决定未告知申请人申请行政复议或者提起行政诉讼的权利。")))
    return out


def _detect_fee(b: CaseBatch, ids: list[int]) -> list[Finding]:
    """SUP-2.4 (CAT-7): a fee not listed for the case's pinned version, or above its lower bound."""
    out: list[Finding] = []
    for ch in FeeCharge.objects.filter(case_id__in=ids).select_related("fee").order_by("id"):
        c = b.cases.get(ch.case_id)
        if c is None:
            continue
        if ch.fee.version_id != c.version_id:
            out.append(
                Finding(
                    c.pk,
                    f"fee:{ch.pk}",
                    _("收取的“%(fee)s”%(amount)s元不在本办件所依据事项版本公布的收费目录中。")
                    % {"fee": ch.fee.name, "amount": ch.amount},
                )
            )
        elif Decimal(ch.amount) > ch.fee.lower:
            out.append(
                Finding(
                    c.pk,
                    f"fee:{ch.pk}",
                    _("“%(fee)s”收取%(amount)s元，高于收费标准下限%(lower)s元。")
                    % {"fee": ch.fee.name, "amount": ch.amount, "lower": ch.fee.lower},
                )
            )
    return out


def _detect_unpublished(b: CaseBatch, ids: list[int]) -> list[Finding]:
    """SUP-2.5 (CAT-1): a case opened on a version that was not the published one in force when the
    application was received, or on another item's version."""
    out: list[Finding] = []
    for c in b.of(ids):
        v = c.version
        never = v.status in (
            VersionStatus.DRAFT,
            VersionStatus.DECLARED,
            VersionStatus.REVIEWED,
            VersionStatus.RETURNED,
        )
        if never or v.published_at is None:
            why = _("事项版本%(n)s状态为“%(s)s”，从未公布。") % {"n": v.number, "s": v.get_status_display()}
        elif v.published_at > c.received_at:
            why = _("收件时间%(at)s早于事项版本公布时间%(p)s。") % {
                "at": _local(c.received_at),
                "p": _local(v.published_at),
            }
        elif v.retired_at is not None and v.retired_at <= c.received_at:
            why = _("收件时间%(at)s晚于事项废止时间%(r)s。") % {"at": _local(c.received_at), "r": _local(v.retired_at)}
        elif v.item_id != c.item_id:
            why = _("办件所依据的事项版本不属于该事项。")
        else:
            continue
        out.append(Finding(c.pk, "version", why))
    return out


def _detect_extra_step(b: CaseBatch, ids: list[int]) -> list[Finding]:
    """SUP-2.6 (CAT-5): a step task whose step is not in the pinned version's process (an added
    初审/预审 outside the published flowchart)."""
    out: list[Finding] = []
    for tid, cid, stage, name, vid in (
        StepTask.objects.filter(case_id__in=ids)
        .order_by("id")
        .values_list("id", "case_id", "stage_name", "name", "step__stage__process__version_id")
    ):
        c = b.cases.get(cid)
        if c is not None and vid != c.version_id:
            out.append(
                Finding(
                    cid,
                    f"task:{tid}",
                    _("办理环节“%(stage)s·%(step)s”不在该办件所依据事项版本公布的办理流程中。")
                    % {"stage": stage, "step": name},
                )
            )
    return out


DECIDED_STATUSES = frozenset({Status.DECIDED_APPROVED, Status.DECIDED_REFUSED, Status.DELIVERED})


def _detect_outside_hall(b: CaseBatch, ids: list[int]) -> list[Finding]:
    """SUP-2.7 体外循环: a decision without an acceptance record, or dated before the acceptance."""
    out: list[Finding] = []
    for c in b.of(ids):
        d = b.decisions.get(c.pk)
        decided_at = d.decided_at if d is not None else c.decided_at
        decided = d is not None or c.decided_at is not None or c.status in DECIDED_STATUSES
        if not decided:
            continue
        if c.accepted_at is None:
            out.append(
                Finding(c.pk, "decision", _("已作出决定（%(at)s），但没有受理记录。") % {"at": _local(decided_at)})
            )
        elif decided_at is not None and decided_at < c.accepted_at:
            out.append(
                Finding(
                    c.pk,
                    "decision",
                    _("决定时间%(d)s早于受理时间%(a)s。") % {"d": _local(decided_at), "a": _local(c.accepted_at)},
                )
            )
    return out


def _reported(reports: list[NegativeReport], kind: str, before: datetime | None) -> bool:
    return any(r.kind == kind and (before is None or r.reviewed_at is None or r.reviewed_at <= before) for r in reports)


def _detect_no_negative_report(b: CaseBatch, ids: list[int]) -> list[Finding]:
    """SUP-2.8 (CAS-6 否定报备): a refusal, a non-acceptance, or a decision after the committed limit,
    issued without a negative-decision report the leader approved beforehand."""
    out: list[Finding] = []
    for c in b.of(ids):
        reports = b.approved_reports.get(c.pk, [])
        if _refused_at_intake(c) and not _reported(reports, NegativeKind.NON_ACCEPTANCE, None):
            out.append(Finding(c.pk, "non_acceptance", _("作出不予受理决定前，没有经领导审核同意的否定报备。")))
        d = b.decisions.get(c.pk)
        if d is None:
            continue
        if d.outcome == DecisionOutcome.REFUSE and not _reported(reports, NegativeKind.REFUSAL, d.decided_at):
            out.append(Finding(c.pk, "refusal", _("作出不予许可决定前，没有经领导审核同意的否定报备。")))
        clock = c.decision_clock
        if (
            clock is not None
            and clock.due_at is not None
            and d.decided_at > clock.due_at
            and not _reported(reports, NegativeKind.OVERDUE, d.decided_at)
        ):
            out.append(
                Finding(
                    c.pk,
                    "overdue",
                    _("超过承诺时限（%(due)s）作出决定，没有“不能在承诺时限内办结”的否定报备。")
                    % {"due": _local(clock.due_at)},
                )
            )
    return out


def _spec(
    rule: IrregularityRule, severity: Severity, description: Any, basis: Any, actions: set[str], detect: Detector
) -> RuleSpec:
    return RuleSpec(rule, severity, description, basis, frozenset(actions), detect)


RULES: dict[str, RuleSpec] = {
    s.id: s
    for s in (
        _spec(
            IrregularityRule.NOT_ACCEPTED,
            Severity.SERIOUS,
            gettext_lazy(
                "申请材料齐全、符合法定形式的申请应当受理。收件后5个工作日内既不受理也不告知补正（依法视为受理），"
                "或者必需材料齐全却未引用法定情形即不予受理的，记为违规。"
            ),
            gettext_lazy("《行政许可法》第三十二条、第七十二条"),
            {"case.deemed_accepted", "case.refused_at_intake"},
            _detect_not_accepted,
        ),
        _spec(
            IrregularityRule.SECOND_SUPPLEMENT,
            Severity.SERIOUS,
            gettext_lazy(
                "申请材料需要补正的，应当一次告知全部内容。已出具一次性告知书后再次要求申请人补正的，记为违规。"
            ),
            gettext_lazy("《行政许可法》第三十二条第一款第四项、第七十二条第四项"),
            {"case.supplement_second_refused", "case.supplement_requested"},
            _detect_second_supplement,
        ),
        _spec(
            IrregularityRule.NO_REASONS,
            Severity.SERIOUS,
            gettext_lazy(
                "不予受理或者不予许可，应当书面说明理由，并告知申请人享有依法申请行政复议或者提起行政诉讼的权利。"
                "理由空缺、只有套话，或者未告知救济途径的，记为违规。"
            ),
            gettext_lazy("《行政许可法》第三十二条、第三十八条第二款、第七十二条第五项"),
            {"case.refused_at_intake", "case.decided"},
            _detect_no_reasons,
        ),
        _spec(
            IrregularityRule.FEE_OUT_OF_CATALOG,
            Severity.GRAVE,
            gettext_lazy(
                "只能收取事项公布的收费目录内的费用，并按收费标准下限收取。目录外收费或者高于下限收费的，记为违规。"
            ),
            gettext_lazy("《行政许可法》第五十八条、第五十九条、第七十五条"),
            {"case.fee_charged"},
            _detect_fee,
        ),
        _spec(
            IrregularityRule.UNPUBLISHED_ITEM,
            Severity.GRAVE,
            gettext_lazy(
                "清单之外无权力：办件必须依据收件时已公布施行的事项版本。依据未公布、已废止或不属于该事项的版本办件的，记为违规。"
            ),
            gettext_lazy("《行政许可法》第五条、第三十条；权力清单制度"),
            {"case.submitted"},
            _detect_unpublished,
        ),
        _spec(
            IrregularityRule.EXTRA_STEP,
            Severity.SERIOUS,
            gettext_lazy("办件只能按公布的办理流程图办理。在流程图之外增设初审、预审等环节的，记为违规。"),
            gettext_lazy("《行政许可法》第三十条、第七十二条；办理流程公开"),
            {"case.accepted", "case.deemed_accepted", "case.stage_completed", "case.step_decided"},
            _detect_extra_step,
        ),
        _spec(
            IrregularityRule.OUTSIDE_HALL,
            Severity.GRAVE,
            gettext_lazy(
                "办件应当在大厅系统内先受理后办理。没有受理记录即作出决定（体外循环），或者决定早于受理的，记为违规。"
            ),
            gettext_lazy("《行政许可法》第三十二条、第七十四条"),
            {"case.decided", "case.delivered"},
            _detect_outside_hall,
        ),
        _spec(
            IrregularityRule.NO_NEGATIVE_REPORT,
            Severity.SERIOUS,
            gettext_lazy(
                "作出不予受理、不予许可决定，或者不能在承诺时限内办结的，应当事先向负责领导否定报备并经审核同意。"
                "未经报备即出具文书的，记为违规。"
            ),
            gettext_lazy("否定报备制度；《行政许可法》第七十二条、第七十四条"),
            {"case.refused_at_intake", "case.decided"},
            _detect_no_negative_report,
        ),
    )
}

# Case actions the services write that can break no rule. Any other case action (an import, an
# admin edit, another system's action name) is evaluated against every rule.
QUIET_ACTIONS = frozenset(
    {
        "case.supplemented",
        "case.corrected",
        "case.written_opinion",
        "case.deemed_consent",
        "case.absent_consent",
        "case.paused",
        "case.resumed",
        "case.extended",
        "case.negative_report_submitted",
        "case.negative_report_reviewed",
        "case.closed",
        "case.withdrawn",
    }
)
KNOWN_ACTIONS = QUIET_ACTIONS.union(*(s.actions for s in RULES.values()))


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
    return DetectorCursor.objects.select_for_update().get(name=CURSOR_NAME)


def _url(irr: Irregularity) -> str:
    return reverse("supervision:irregularity", args=[irr.pk])


def _raise(b: CaseBatch, findings: list[tuple[RuleSpec, Finding]], at: datetime, ct: ContentType) -> list[Irregularity]:
    """Insert the new flags (idempotent), append their events and tell the department heads."""
    if not findings:
        return []
    subject_ids = sorted({str(f.case_id) for _s, f in findings})
    # led by the rule, as the unique index is: the lookup stays an index probe however many flags exist
    mine = Irregularity.objects.filter(
        rule__in=sorted({s.id for s, _f in findings}), subject_type=ct, subject_id__in=subject_ids
    )
    existing = set(mine.values_list("rule", "subject_id", "key"))
    rows: dict[tuple[str, str, str], Irregularity] = {}
    for spec, f in findings:
        triple = (spec.id, str(f.case_id), f.key)
        if triple in existing or triple in rows:
            continue
        c = b.cases[f.case_id]
        rows[triple] = Irregularity(
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
    if not rows:
        return []
    # the unique constraint is the guarantee; the read above only spares the conflicts
    Irregularity.objects.bulk_create(list(rows.values()), ignore_conflicts=True)
    created = [irr for irr in mine.filter(detected_at=at) if (irr.rule, irr.subject_id, irr.key) in rows]
    with trail_batch():
        for irr in created:
            event_append(
                subject=irr,
                action="irregularity.raised",
                after={"rule": irr.rule, "case": irr.subject_label, "key": irr.key, "status": irr.status},
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
            url=_url(first) if len(flags) == 1 else reverse("supervision:irregularities") + f"?department={dept_id}",
            channels=("inbox", "email"),
        )
    return created


def _mark_rectified(rect_ids: list[str]) -> int:
    """A flag whose rectification the supervisor verified is closed as 已整改."""
    ct = ContentType.objects.get_for_model(Irregularity)
    source_ids = Rectification.objects.filter(pk__in=rect_ids, source_type=ct).values_list("source_id", flat=True)
    n = 0
    for irr in Irregularity.objects.select_for_update().filter(
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
            verified: list[str] = []
            for _id, type_id, subject_id, action, _at in rows:
                if type_id == case_ct.pk and subject_id.isdigit():
                    touched[int(subject_id)].add(action)
                elif type_id == rect_ct.pk and action == "rectification.verified":
                    verified.append(subject_id)
            batch = CaseBatch(touched)
            findings: list[tuple[RuleSpec, Finding]] = []
            for spec in RULES.values():
                ids = [
                    cid
                    for cid, actions in touched.items()
                    if cid in batch.cases and (actions & spec.actions or actions - KNOWN_ACTIONS)
                ]
                if ids:
                    findings.extend((spec, f) for f in spec.detect(batch, ids))
            result.raised += len(_raise(batch, findings, timezone.now(), case_ct))
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


# ---------------------------------------------------------------------------------------------
# Reads (scoped: region subtree for supervisors and leaders, own department for unit staff)
# ---------------------------------------------------------------------------------------------

# who may open the flag pages at all; the queryset scope decides which flags they see
READER_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER, Role.CLERK, Role.REVIEWER, Role.DEPT_HEAD})


def may_read(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in READER_ROLES))


def irregularities_for(user: Any) -> QuerySet[Irregularity]:
    if not may_read(user):
        raise PermissionDenied(_("只有效能办、领导和责任部门工作人员可以查看违规预警。"))
    return restrict(Irregularity.objects.select_related("department", "region", "handled_by"), user)


def irregularity_for(user: Any, pk: int) -> Irregularity:
    return get_object_or_404(irregularities_for(user), pk=pk)


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filter_irregularities(
    qs: QuerySet[Irregularity],
    *,
    rule: str = "",
    status: str = "",
    department: str = "",
    date_from: str = "",
    date_to: str = "",
) -> QuerySet[Irregularity]:
    """Filters of the list page and the API; a malformed value is ignored, never an error page."""
    if rule in IrregularityRule.values:
        qs = qs.filter(rule=rule)
    if status in IrregularityStatus.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(status__in=OPEN_IRREGULARITY_STATUSES)
    if department.isdigit():
        qs = qs.filter(department_id=int(department))
    start, end = _parse_day(date_from), _parse_day(date_to)
    if start:
        qs = qs.filter(detected_at__gte=_day_start(start))
    if end:
        qs = qs.filter(detected_at__lt=_day_start(end + timedelta(days=1)))
    return qs


def open_irregularity_count(user: Any) -> int:
    """The dashboard's count of flags still waiting for handling (待核查 and 已确认)."""
    return restrict(Irregularity.objects.filter(status__in=OPEN_IRREGULARITY_STATUSES), user).count()


def case_irregularities(user: Any, case: Case) -> list[Irregularity]:
    """A case's flags, for staff who may see them (the case page shows them)."""
    if not may_read(user):
        return []
    ct = ContentType.objects.get_for_model(Case)
    return list(restrict(Irregularity.objects.filter(subject_type=ct, subject_id=str(case.pk)), user))


def irregularity_case(irr: Irregularity) -> Case | None:
    if irr.subject_type_id != ContentType.objects.get_for_model(Case).pk or not irr.subject_id.isdigit():
        return None
    return Case.objects.filter(pk=int(irr.subject_id)).first()


def irregularity_rectification(irr: Irregularity) -> Rectification | None:
    ct = ContentType.objects.get_for_model(Irregularity)
    return Rectification.objects.filter(source_type=ct, source_id=str(irr.pk)).first()


# ---------------------------------------------------------------------------------------------
# Handling: the efficiency office confirms or dismisses; a confirmed flag opens a rectification
# ---------------------------------------------------------------------------------------------

# the one transition table for flags: action -> (from states, to state)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "confirm": (frozenset({IrregularityStatus.OPEN}), IrregularityStatus.CONFIRMED),
    "dismiss": (frozenset({IrregularityStatus.OPEN}), IrregularityStatus.DISMISSED),
}


def can_handle_irregularity(actor: Any, irr: Irregularity | None = None) -> bool:
    """The efficiency office (效能办) of the flag's region or a region above it."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    if actor.role != Role.SUPERVISOR:
        return False
    return irr is None or restrict(Irregularity.objects.filter(pk=irr.pk), actor).exists()


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
                url=_url(irr),
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
