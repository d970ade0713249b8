"""The registry of the named SUP-2 irregularity rules (eight on cases, SUP-2.9 on enforcement acts):
for each, the event actions that can break it and the detector that checks a batch of cases.
Detectors read only the batch they are given (`CaseBatch`), so the cost of a detection run follows
the new events.
"""

from __future__ import annotations

__all__ = [
    "DECIDED_STATUSES",
    "KNOWN_ACTIONS",
    "QUIET_ACTIONS",
    "RULES",
    "CaseBatch",
    "Detector",
    "Finding",
    "RuleSpec",
]

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
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
from xiaoneng.supervision.choices import IrregularityRule, Severity


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
    # "case": the detector runs on the cases a batch touched; "enforcement": on the inspections,
    # first-violation notices and penalty decisions it touched (irregularities.enforcement)
    subject: str = "case"

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


def _no_case_findings(b: CaseBatch, ids: list[int]) -> list[Finding]:
    """An enforcement rule finds nothing on cases: irregularities.enforcement evaluates it."""
    return []


# SUP-2.9 (INS-7, seed 002 §6 涉企检查备案; seed 000 到企业检查须报经部门主管领导同意): an inspection,
# a first-violation notice or a penalty on an enterprise without a valid prior filing.
RULES[IrregularityRule.UNFILED_INSPECTION.value] = RuleSpec(
    IrregularityRule.UNFILED_INSPECTION,
    Severity.SERIOUS,
    gettext_lazy(
        "到企业实施检查，应当事先备案并经部门主管领导同意（法定免予备案情形除外）；"
        "未经备案检查，或者在没有经同意备案的检查基础上下达首违告诫、作出行政处罚决定的，记为违规。"
    ),
    gettext_lazy("涉企检查备案制度：到企业检查须报经部门主管领导同意"),
    frozenset({"inspection.recorded", "first_violation_notice.issued", "penalty.decided"}),
    _no_case_findings,
    subject="enforcement",
)


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
