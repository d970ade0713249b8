"""The efficiency index's arithmetic (SUP-3, SUP-5): a unit's facts for a month in, its itemised
deductions, score, warning level and quarterly grade out, under the jurisdiction's policy.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_POLICY",
    "ONE_DECIMAL",
    "REFS_MAX",
    "ScoredUnit",
    "UnitFacts",
    "grade_for",
    "percent",
    "policy_for",
    "round_tenth",
    "score_unit",
    "warning_message",
]

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xiaoneng.supervision.choices import DeductionSource, Grade, Severity, WarningLevel
from xiaoneng.supervision.messages import make_message, render_zh
from xiaoneng.supervision.models import Deduction, EfficiencyPolicy

# The defaults of SUP-3 / SUP-5 (an unsaved policy: the field defaults of EfficiencyPolicy).
DEFAULT_POLICY = EfficiencyPolicy()


ONE_DECIMAL = Decimal("0.1")
REFS_MAX = 2000  # ids kept per deduction for drill-down (the count is always exact)


def policy_for(tenant_id: int | None) -> EfficiencyPolicy:
    """The jurisdiction's policy, or the defaults (SUP-3 / SUP-5 are Default rules)."""
    found = EfficiencyPolicy.objects.filter(tenant_id=tenant_id).first() if tenant_id else None
    return found or DEFAULT_POLICY


# --- scoring one unit (pure) ----------------------------------------------------------------------
@dataclass
class UnitFacts:
    """What one unit did in one month, as ids of the records behind each finding."""

    remind: list[int] = field(default_factory=list)  # alerts, obligations whose highest level was 提醒
    yellow: list[int] = field(default_factory=list)
    red: list[int] = field(default_factory=list)
    irregularities: list[tuple[int, int]] = field(default_factory=list)  # (id, severity)
    complaints: list[int] = field(default_factory=list)  # substantiated efficiency complaints
    replies_due: int = 0
    late_replies: list[int] = field(default_factory=list)
    ratings: int = 0
    satisfied: int = 0
    unsatisfied: list[int] = field(default_factory=list)
    bad_overdue: list[int] = field(default_factory=list)
    tasks_overdue: list[int] = field(default_factory=list)  # supervised-task shares (oversight)

    def figures(self) -> dict[str, Any]:
        return {
            "alerts": {"remind": len(self.remind), "yellow": len(self.yellow), "red": len(self.red)},
            "irregularities": len(self.irregularities),
            "complaints_substantiated": len(self.complaints),
            "replies_due": self.replies_due,
            "replies_on_time": self.replies_due - len(self.late_replies),
            "ratings": self.ratings,
            "ratings_satisfied": self.satisfied,
            "bad_overdue": len(self.bad_overdue),
            "tasks_overdue": len(self.tasks_overdue),
        }


@dataclass
class ScoredUnit:
    base: Decimal
    deductions: list[Deduction]
    deducted: Decimal
    score: Decimal


def round_tenth(x: Decimal) -> Decimal:
    return x.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def percent(n: int, d: int) -> Decimal:
    return round_tenth(Decimal(100) * n / d) if d else Decimal(0)


def score_unit(facts: UnitFacts, policy: EfficiencyPolicy) -> ScoredUnit:
    """SUP-5: the 100-point base minus the itemised deductions (never below 0)."""
    out: list[Deduction] = []

    def add(source: str, count: int, points: Decimal, refs: list[int], **params: Any) -> None:
        if points > 0:
            message = make_message(source, **params)
            out.append(
                Deduction(
                    source=source,
                    count=count,
                    points=round_tenth(points),
                    explanation=render_zh(message)[:300],
                    message=message,
                    refs=refs[:REFS_MAX],
                )
            )

    run = max(int(policy.remind_run), 1)
    runs = len(facts.remind) // run
    add(
        DeductionSource.ALERT_REMIND,
        len(facts.remind),
        runs * policy.remind_points,
        facts.remind,
        n=len(facts.remind),
        run=run,
        p=policy.remind_points,
    )
    add(
        DeductionSource.ALERT_YELLOW,
        len(facts.yellow),
        len(facts.yellow) * policy.yellow_points,
        facts.yellow,
        n=len(facts.yellow),
        p=policy.yellow_points,
    )
    add(
        DeductionSource.ALERT_RED,
        len(facts.red),
        len(facts.red) * policy.red_points,
        facts.red,
        n=len(facts.red),
        p=policy.red_points,
    )
    by_sev = {Severity.MINOR: 0, Severity.SERIOUS: 0, Severity.GRAVE: 0}
    for _id, sev in facts.irregularities:
        by_sev[Severity(sev)] += 1
    sev_points = {
        Severity.MINOR: policy.irregularity_minor_points,
        Severity.SERIOUS: policy.irregularity_serious_points,
        Severity.GRAVE: policy.irregularity_grave_points,
    }
    add(
        DeductionSource.IRREGULARITY,
        len(facts.irregularities),
        sum((by_sev[s] * sev_points[s] for s in by_sev), Decimal(0)),
        [i for i, _s in facts.irregularities],
        n=len(facts.irregularities),
        a=by_sev[Severity.MINOR],
        b=by_sev[Severity.SERIOUS],
        c=by_sev[Severity.GRAVE],
        pa=sev_points[Severity.MINOR],
        pb=sev_points[Severity.SERIOUS],
        pc=sev_points[Severity.GRAVE],
    )
    add(
        DeductionSource.COMPLAINT,
        len(facts.complaints),
        len(facts.complaints) * policy.complaint_points,
        facts.complaints,
        n=len(facts.complaints),
        p=policy.complaint_points,
    )
    if facts.replies_due:
        on_time = facts.replies_due - len(facts.late_replies)
        add(
            DeductionSource.LATE_REPLY,
            len(facts.late_replies),
            len(facts.late_replies) * policy.late_reply_points,
            facts.late_replies,
            due=facts.replies_due,
            ok=on_time,
            rate=percent(on_time, facts.replies_due),
            p=policy.late_reply_points,
        )
    add(
        DeductionSource.BAD_REVIEW,
        len(facts.bad_overdue),
        len(facts.bad_overdue) * policy.bad_review_points,
        facts.bad_overdue,
        n=len(facts.bad_overdue),
        p=policy.bad_review_points,
    )
    # 督查督办 (issue 11): each task share that fell due in the month without being reported done
    # (the jurisdiction's EfficiencyPolicy.task_overdue_points, default 2)
    task_points = policy.task_overdue_points
    add(
        DeductionSource.TASK_OVERDUE,
        len(facts.tasks_overdue),
        len(facts.tasks_overdue) * task_points,
        facts.tasks_overdue,
        n=len(facts.tasks_overdue),
        p=task_points,
    )
    if facts.ratings >= policy.min_ratings and facts.ratings:
        rate = percent(facts.satisfied, facts.ratings)
        if rate < policy.satisfaction_target:
            pts = min(policy.satisfaction_cap, (policy.satisfaction_target - rate) * policy.satisfaction_points)
            add(
                DeductionSource.SATISFACTION,
                len(facts.unsatisfied),
                pts,
                facts.unsatisfied,
                n=facts.ratings,
                rate=rate,
                target=policy.satisfaction_target,
                p=policy.satisfaction_points,
                cap=policy.satisfaction_cap,
            )
    base = Decimal(policy.base)
    deducted = round_tenth(sum((d.points for d in out), Decimal(0)))
    return ScoredUnit(base=base, deductions=out, deducted=deducted, score=max(Decimal(0), base - deducted))


def warning_message(scored: ScoredUnit, policy: EfficiencyPolicy, previous: int) -> tuple[int, dict[str, Any]]:
    """SUP-3: the unit's warning level for the month and why, as a stored message (`previous`: last
    month's level)."""
    if scored.score < policy.public_below:
        return WarningLevel.PUBLIC, make_message("warning.below", n=policy.public_below)
    if scored.score < policy.composite_below:
        if previous >= WarningLevel.COMPOSITE:
            return WarningLevel.PUBLIC, make_message("warning.composite_twice")
        return WarningLevel.COMPOSITE, make_message("warning.below", n=policy.composite_below)
    if scored.deductions:
        return WarningLevel.SINGLE, make_message("warning.single", sources=[str(d.source) for d in scored.deductions])
    return WarningLevel.NONE, {}


def grade_for(score: Decimal, policy: EfficiencyPolicy) -> str:
    """SUP-5: the quarterly grade of a mean monthly score."""
    if score >= policy.grade_excellent:
        return Grade.EXCELLENT
    if score >= policy.grade_good:
        return Grade.GOOD
    if score >= policy.grade_pass:
        return Grade.PASS
    return Grade.FAIL
