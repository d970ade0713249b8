"""The efficiency index (效能指数): a monthly score per unit on a 100-point base with itemised
deductions (SUP-5), the three-level warning (SUP-3), quarterly grades (SUP-5), and the scoped reads
behind the index pages, the public warning list and the leader's page.

Sources of deductions (defaults; each jurisdiction may configure its own in EfficiencyPolicy):

- SUP-1 alerts raised in the month, each obligation counted once at the highest level it reached in
  the month: every run of 3 reminders (提醒, "3 consecutive warnings") −3, each yellow card −5, each
  red card (with or without a supervision recommendation) −10.
- SUP-2 irregularities detected in the month and confirmed (or already rectified): −2 / −5 / −10 by
  severity (一般 / 较重 / 严重). Open and dismissed flags do not count.
- Complaints (CMP-2, CMP-4): each efficiency complaint found substantiated in the month −5; each
  complaint whose reply fell due in the month and was late or is still missing −1 (CMP-4's target
  is a 100% reply rate).
- Ratings (RAT-3, RAT-4): each bad review of the month whose rectification is past its Clock and not
  verified −2; a satisfaction rate below 95% −1 per percentage point (at most −5), only with at least
  10 ratings (too few ratings make no rate).

Three-level warning (SUP-3): 单项预警 — the unit has at least one deduction in the month (an alert,
an irregularity, a complaint, a review); 综合预警 — its monthly score is below 90; 公开预警 (the
public warning list) — its score is below 80, or it had a 综合预警 two months running.

Quarterly grades (SUP-5): the mean of the quarter's monthly scores; 优秀 ≥ 95, 良好 ≥ 85, 合格 ≥ 70,
else 不合格, which carries a supervision recommendation and opens a Rectification.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_POLICY",
    "ComputeResult",
    "UnitFacts",
    "deduction_records",
    "deduction_text",
    "efficiency_compute",
    "efficiency_grade_quarter",
    "efficiency_policy_save",
    "efficiency_refresh",
    "grade_for",
    "index_rows",
    "leader_overview",
    "month_bounds",
    "month_start",
    "policy_for",
    "previous_month",
    "public_warning_row",
    "public_warning_scores",
    "public_warnings",
    "quarter_months",
    "quarter_of",
    "render_message",
    "score_for",
    "score_unit",
    "scores_for",
    "warning_reason_text",
]

import time as _time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xiaoneng.complaints.choices import Kind as ComplaintKind
from xiaoneng.complaints.choices import Status as ComplaintStatus
from xiaoneng.complaints.models import Complaint
from xiaoneng.core.scoping import restrict
from xiaoneng.core.services import tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.models import Department, Region
from xiaoneng.oversight.choices import RectificationStatus
from xiaoneng.oversight.models import Rectification
from xiaoneng.ratings.choices import BAD_LEVELS, SATISFIED_LEVELS
from xiaoneng.ratings.models import Rating
from xiaoneng.workdays.deadline import day_start, local_date

from .choices import DeductionSource, Grade, IrregularityStatus, Severity, WarningLevel
from .models import Alert, Deduction, EfficiencyPolicy, EfficiencyScore, Irregularity, QuarterGrade
from .selectors import alert_cards, card_counts

# The defaults of SUP-3 / SUP-5 (an unsaved policy: the field defaults of EfficiencyPolicy).
DEFAULT_POLICY = EfficiencyPolicy()
ONE_DECIMAL = Decimal("0.1")
REFS_MAX = 2000  # ids kept per deduction for drill-down (the count is always exact)


# --- periods ----------------------------------------------------------------------------------


def month_start(d: date) -> date:
    return d.replace(day=1)


def _add_months(month: date, n: int) -> date:
    i = month.year * 12 + month.month - 1 + n
    return date(i // 12, i % 12 + 1, 1)


def previous_month(month: date) -> date:
    return _add_months(month_start(month), -1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) in local time (Asia/Shanghai)."""
    m = month_start(month)
    return day_start(m), day_start(_add_months(m, 1))


def quarter_months(year: int, quarter: int) -> list[date]:
    first = date(year, 3 * (quarter - 1) + 1, 1)
    return [_add_months(first, i) for i in range(3)]


def quarter_of(month: date) -> tuple[int, int]:
    return month.year, (month.month - 1) // 3 + 1


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
        }


@dataclass
class ScoredUnit:
    base: Decimal
    deductions: list[Deduction]
    deducted: Decimal
    score: Decimal


def _q(x: Decimal) -> Decimal:
    return x.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _pct(n: int, d: int) -> Decimal:
    return _q(Decimal(100) * n / d) if d else Decimal(0)


# Rule IDs (SUP-5, CMP-4, RAT-3, RAT-4) stay out of these texts: readers see the rule, not its code.
# Stored user-facing text (deduction explanations, warning reasons) is kept as a message key plus
# parameters and rendered through gettext when it is shown, so each reader sees it in their language;
# the Chinese wording is stored beside it for rows written before the keys existed (and the admin).
MESSAGES: dict[str, str] = {
    DeductionSource.ALERT_REMIND: gettext_noop("预警提醒%(n)s次，每连续%(run)s次扣%(p)s分"),
    DeductionSource.ALERT_YELLOW: gettext_noop("黄牌%(n)s张，每张扣%(p)s分"),
    DeductionSource.ALERT_RED: gettext_noop("红牌%(n)s张，每张扣%(p)s分"),
    DeductionSource.IRREGULARITY: gettext_noop(
        "经核实的违规行为%(n)s起（一般%(a)s起、较重%(b)s起、严重%(c)s起，分别扣%(pa)s、%(pb)s、%(pc)s分/起）"
    ),
    DeductionSource.COMPLAINT: gettext_noop("效能投诉经查属实%(n)s件，每件扣%(p)s分"),
    DeductionSource.LATE_REPLY: gettext_noop(
        "应答复投诉%(due)s件，按时答复%(ok)s件，按时答复率%(rate)s%%，低于目标100%%，每件未按时扣%(p)s分"
    ),
    DeductionSource.BAD_REVIEW: gettext_noop("差评超过整改时限仍未整改%(n)s条，每条扣%(p)s分"),
    DeductionSource.SATISFACTION: gettext_noop(
        "评价%(n)s条，满意率%(rate)s%%，低于目标%(target)s%%，每低1个百分点扣%(p)s分，最多扣%(cap)s分"
    ),
    "warning.below": gettext_noop("月度得分低于%(n)s分"),
    "warning.composite_twice": gettext_noop("连续两个月综合预警"),
}


def _message(key: str, **params: Any) -> dict[str, Any]:
    """A stored message: its key and JSON-safe parameters (Decimals as text)."""
    return {"key": key, "params": {k: v if isinstance(v, (int, list)) else str(v) for k, v in params.items()}}


def render_message(message: dict[str, Any]) -> str:
    """A stored message in the active language (gettext at display time); "" if it is not one."""
    key = message.get("key") if isinstance(message, dict) else None
    params = message.get("params") or {}
    if key == "warning.single":
        # SUP-3 level 1: the kinds of deductions the unit had, in the reader's language
        labels = [str(DeductionSource(c).label) for c in params.get("sources", []) if c in DeductionSource.values]
        return _("、").join(labels)
    if key not in MESSAGES:
        return ""
    try:
        return _(MESSAGES[key]) % params
    except (KeyError, TypeError, ValueError):
        return ""


def _zh(message: dict[str, Any]) -> str:
    with translation.override("zh-hans"):
        return render_message(message)


def deduction_text(d: Deduction) -> str:
    """A deduction's explanation in the reader's language; rows stored as text keep their text."""
    return (render_message(d.message) if d.message else "") or d.explanation


def warning_reason_text(s: EfficiencyScore) -> str:
    """A score's warning reason in the reader's language; rows stored as text keep their text."""
    return (render_message(s.warning_message) if s.warning_message else "") or s.warning_reason


def score_unit(facts: UnitFacts, policy: EfficiencyPolicy) -> ScoredUnit:
    """SUP-5: the 100-point base minus the itemised deductions (never below 0)."""
    out: list[Deduction] = []

    def add(source: str, count: int, points: Decimal, refs: list[int], **params: Any) -> None:
        if points > 0:
            message = _message(source, **params)
            out.append(
                Deduction(
                    source=source,
                    count=count,
                    points=_q(points),
                    explanation=_zh(message)[:300],
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
            rate=_pct(on_time, facts.replies_due),
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
    if facts.ratings >= policy.min_ratings and facts.ratings:
        rate = _pct(facts.satisfied, facts.ratings)
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
    deducted = _q(sum((d.points for d in out), Decimal(0)))
    return ScoredUnit(base=base, deductions=out, deducted=deducted, score=max(Decimal(0), base - deducted))


def warning_message(scored: ScoredUnit, policy: EfficiencyPolicy, previous: int) -> tuple[int, dict[str, Any]]:
    """SUP-3: the unit's warning level for the month and why, as a stored message (`previous`: last
    month's level)."""
    if scored.score < policy.public_below:
        return WarningLevel.PUBLIC, _message("warning.below", n=policy.public_below)
    if scored.score < policy.composite_below:
        if previous >= WarningLevel.COMPOSITE:
            return WarningLevel.PUBLIC, _message("warning.composite_twice")
        return WarningLevel.COMPOSITE, _message("warning.below", n=policy.composite_below)
    if scored.deductions:
        return WarningLevel.SINGLE, _message("warning.single", sources=[str(d.source) for d in scored.deductions])
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


# --- collecting the facts of a month ------------------------------------------------------------


def _collect(tenant: Region, month: date, now: datetime) -> dict[int, UnitFacts]:
    """Every finding of the month for every unit of the jurisdiction: one grouped read per source.
    A reply counts as due once its Clock passed within the month (up to `now`); a bad review of the
    month counts once its rectification Clock has passed at `now` without verification."""
    lo, hi = month_bounds(month)
    facts: dict[int, UnitFacts] = defaultdict(UnitFacts)
    # SUP-1 cards: each obligation once, at the highest level it reached in the month — the one
    # definition (selectors.alert_cards) that the dashboard, leader's page and bulletins count too
    for card in sorted(alert_cards(Alert.objects.filter(tenant=tenant), [month]), key=lambda c: c.alert_id):
        f = facts[card.department_id]
        {"red": f.red, "yellow": f.yellow, "remind": f.remind}[card.key].append(card.alert_id)
    # SUP-2 irregularities confirmed (or rectified since)
    for iid, dept_id, sev in (
        Irregularity.objects.filter(
            tenant=tenant,
            detected_at__gte=lo,
            detected_at__lt=hi,
            department__isnull=False,
            status__in=(IrregularityStatus.CONFIRMED, IrregularityStatus.RECTIFIED),
        )
        .order_by("id")
        .values_list("id", "department_id", "severity")
    ):
        facts[dept_id].irregularities.append((iid, sev))
    # substantiated efficiency complaints, in the month the finding was replied
    for cid, dept_id, handling_id in (
        Complaint.objects.filter(
            tenant=tenant, kind=ComplaintKind.EFFICIENCY, substantiated=True, replied_at__gte=lo, replied_at__lt=hi
        )
        .order_by("id")
        .values_list("id", "department_id", "handling_department_id")
    ):
        if dept_id or handling_id:
            facts[dept_id or handling_id].complaints.append(cid)
    # CMP-4 on-time replies: replied in the month, or whose reply fell due in the month and is missing
    due_end = min(hi, now)
    for cid, dept_id, replied_at, on_time in (
        Complaint.objects.filter(tenant=tenant, handling_department__isnull=False)
        .exclude(status__in=(ComplaintStatus.MERGED, ComplaintStatus.REFUSED))
        .filter(
            Q(replied_at__gte=lo, replied_at__lt=hi)
            | Q(replied_at__isnull=True, reply_clock__due_at__gte=lo, reply_clock__due_at__lt=due_end)
        )
        .order_by("id")
        .values_list("id", "handling_department_id", "replied_at", "replied_on_time")
    ):
        f = facts[dept_id]
        f.replies_due += 1
        if replied_at is None or on_time is False:
            f.late_replies.append(cid)
    # ratings of the month (RAT-4) and bad reviews whose rectification is overdue (RAT-3)
    overdue_rects = set(
        Rectification.objects.filter(
            tenant=tenant, source_type=ContentType.objects.get_for_model(Rating), clock__due_at__lt=now
        )
        .exclude(status=RectificationStatus.CLOSED)
        .values_list("source_id", flat=True)
    )
    for rid, dept_id, level, rectified in (
        Rating.objects.filter(tenant=tenant, rated_at__gte=lo, rated_at__lt=hi, removed=False)
        .order_by("id")
        .values_list("id", "department_id", "level", "rectified")
    ):
        f = facts[dept_id]
        f.ratings += 1
        if level in SATISFIED_LEVELS:
            f.satisfied += 1
        else:
            f.unsatisfied.append(rid)
        if level in BAD_LEVELS and not rectified and str(rid) in overdue_rects:
            f.bad_overdue.append(rid)
    return facts


# --- writes ----------------------------------------------------------------------------------------


@dataclass
class ComputeResult:
    month: date
    units: int = 0
    deductions: int = 0
    frozen: bool = False
    skipped: bool = False
    seconds: float = 0.0


def efficiency_compute(
    *,
    tenant: Region,
    month: date,
    now: datetime | None = None,
    freeze: bool = False,
    force: bool = False,
    actor: Any = None,
) -> ComputeResult:
    """SUP-5: compute (or refresh) every unit's score of the jurisdiction for `month`. A frozen month
    is left alone unless `force` (the recompute command); `freeze` marks the month closed. Writes one
    Event on the jurisdiction per run."""
    t0 = _time.perf_counter()
    month = month_start(month)
    now = now or timezone.now()
    lo, _hi = month_bounds(month)
    result = ComputeResult(month=month)
    if lo > now:
        return result  # nothing to score before the month begins
    policy = policy_for(tenant.pk)
    depts = list(Department.objects.filter(tenant=tenant).order_by("id").values_list("id", "region_id"))
    with transaction.atomic():
        # one computation per jurisdiction at a time (two schedulers, the command, an issue): the
        # jurisdiction's row lock serialises them, so the bulk inserts never race
        Region.objects.select_for_update().filter(pk=tenant.pk).first()
        existing = {
            s.department_id: s
            for s in EfficiencyScore.objects.select_for_update().filter(tenant=tenant, month=month).order_by("id")
        }
        was_frozen = any(s.frozen for s in existing.values())
        if was_frozen and not force:
            result.skipped, result.frozen = True, True
            return result
        facts = _collect(tenant, month, now)
        previous = dict(
            EfficiencyScore.objects.filter(tenant=tenant, month=previous_month(month)).values_list(
                "department_id", "warning"
            )
        )
        keep_frozen = freeze or was_frozen
        to_create: list[EfficiencyScore] = []
        to_update: list[EfficiencyScore] = []
        deductions: list[Deduction] = []
        for dept_id, region_id in depts:
            f = facts.get(dept_id) or UnitFacts()
            scored = score_unit(f, policy)
            level, message = warning_message(scored, policy, previous.get(dept_id, WarningLevel.NONE))
            s = existing.get(dept_id) or EfficiencyScore(tenant=tenant, department_id=dept_id, month=month)
            s.region_id = region_id
            s.base, s.deducted, s.score = scored.base, scored.deducted, scored.score
            s.warning, s.warning_message = level, message
            s.warning_reason = (_zh(message) if message else "")[:200]
            s.figures = f.figures()
            s.frozen = keep_frozen
            s.computed_at = now
            (to_update if s.pk else to_create).append(s)
            for d in scored.deductions:
                d.score = s
                deductions.append(d)
        Deduction.objects.filter(score__tenant=tenant, score__month=month).delete()
        EfficiencyScore.objects.bulk_create(to_create, batch_size=500)
        EfficiencyScore.objects.bulk_update(
            to_update,
            [
                "region",
                "base",
                "deducted",
                "score",
                "warning",
                "warning_reason",
                "warning_message",
                "figures",
                "frozen",
                "computed_at",
            ],
            batch_size=500,
        )
        for d in deductions:
            d.score_id = d.score.pk
        Deduction.objects.bulk_create(deductions, batch_size=1000)
        event_append(
            subject=tenant,
            action="efficiency.computed",
            actor=actor,
            after={"month": month.isoformat(), "units": len(depts), "frozen": keep_frozen, "recompute": was_frozen},
            tenant_id=tenant.pk,
        )
    result.units, result.deductions, result.frozen = len(depts), len(deductions), keep_frozen
    result.seconds = _time.perf_counter() - t0
    return result


def efficiency_policy_save(*, actor: Any, policy: EfficiencyPolicy) -> EfficiencyPolicy:
    """Configure SUP-3 / SUP-5 for a jurisdiction (system administrators). Bad values get the model's
    translated messages and write nothing; the change is in the trail."""
    from django.core.exceptions import PermissionDenied

    if not (actor.is_superuser or (actor.role == "admin" and actor.tenant_id == policy.tenant_id)):
        raise PermissionDenied(_("只有本辖区系统管理员可以配置效能指数计分规则。"))
    policy.full_clean()
    with transaction.atomic():
        policy.save()
        event_append(
            subject=policy,
            action="efficiency.policy_saved",
            actor=actor,
            after={f.name: str(getattr(policy, f.name)) for f in policy._meta.concrete_fields if f.name != "id"},
        )
    return policy


def efficiency_grade_quarter(*, tenant: Region, year: int, quarter: int, actor: Any = None) -> list[QuarterGrade]:
    """SUP-5: grade every unit for the quarter from its monthly scores; a 不合格 grade carries a
    supervision recommendation (监察建议) and opens a Rectification (oversight), once per grade."""
    from xiaoneng.oversight.services import rectification_open

    if quarter not in (1, 2, 3, 4):
        from django.core.exceptions import ValidationError

        raise ValidationError(_("季度应为1至4。"))
    policy = policy_for(tenant.pk)
    months = quarter_months(year, quarter)
    per_dept: dict[int, list[Decimal]] = defaultdict(list)
    regions: dict[int, int] = {}
    for dept_id, region_id, score in EfficiencyScore.objects.filter(tenant=tenant, month__in=months).values_list(
        "department_id", "region_id", "score"
    ):
        per_dept[dept_id].append(score)
        regions[dept_id] = region_id
    now = timezone.now()
    out: list[QuarterGrade] = []
    depts = Department.objects.in_bulk(list(per_dept))
    for dept_id, scores in sorted(per_dept.items()):
        mean = _q(sum(scores, Decimal(0)) / len(scores))
        grade = grade_for(mean, policy)
        with transaction.atomic():
            g, _created = QuarterGrade.objects.select_for_update().get_or_create(
                department_id=dept_id,
                year=year,
                quarter=quarter,
                defaults={
                    "tenant": tenant,
                    "region_id": regions[dept_id],
                    "score": mean,
                    "months": len(scores),
                    "grade": grade,
                    "graded_at": now,
                },
            )
            before = {"score": str(g.score), "grade": g.grade}
            g.score, g.months, g.grade, g.graded_at = mean, len(scores), grade, now
            dept = depts[dept_id]
            if grade == Grade.FAIL:
                if not g.recommendation_number:
                    g.recommendation_number = tracking_number_next(tenant=tenant, prefix="XNJY")
                g.recommendation_text = _(
                    "%(dept)s %(year)s年第%(q)s季度效能指数平均%(score)s分，评定为不合格。"
                    "建议：对照扣分明细逐项查找原因，明确责任人和整改时限，整改情况报效能办核验。"
                ) % {"dept": dept.name, "year": year, "q": quarter, "score": mean}
                g.save()
                if g.rectification_id is None:
                    g.rectification = rectification_open(
                        department=dept,
                        title=_("%(year)s年第%(q)s季度效能指数不合格整改") % {"year": year, "q": quarter},
                        problem=g.recommendation_text,
                        source=g,
                        actor=actor,
                    )
            g.save()
            event_append(
                subject=g,
                action="efficiency.graded",
                actor=actor,
                before=before,
                after={"score": str(mean), "grade": grade, "recommendation": g.recommendation_number},
            )
        out.append(g)
    return out


def efficiency_refresh(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic task's work (hourly by default): refresh the current month of every jurisdiction;
    once a month has closed, compute it one last time and freeze it; once a quarter has closed, grade
    it. Idempotent: a frozen month and a graded quarter are not touched again."""
    now = now or timezone.now()
    current = month_start(local_date(now))
    prev = previous_month(current)
    stats = {"tenants": 0, "units": 0, "frozen": 0, "graded": 0}
    for tenant in Region.objects.filter(parent__isnull=True).order_by("id"):
        if not Department.objects.filter(tenant=tenant).exists():
            continue
        stats["tenants"] += 1
        r = efficiency_compute(tenant=tenant, month=current, now=now)
        stats["units"] += r.units
        closing = efficiency_compute(tenant=tenant, month=prev, now=now, freeze=True)
        if not closing.skipped:
            stats["frozen"] += closing.units
        year, q = quarter_of(prev)
        if prev == quarter_months(year, q)[-1]:
            graded = QuarterGrade.objects.filter(tenant=tenant, year=year, quarter=q).exists()
            if not graded and EfficiencyScore.objects.filter(tenant=tenant, month=prev).exists():
                stats["graded"] += len(efficiency_grade_quarter(tenant=tenant, year=year, quarter=q))
    return stats


# --- reads (scoped) -------------------------------------------------------------------------------


def scores_for(user: Any) -> QuerySet[EfficiencyScore]:
    """Staff read the index of their own scope only: the public warning rows that `restrict` lets
    everyone see belong on the public page, not in another region's index."""
    qs = restrict(EfficiencyScore.objects.select_related("department", "region"), user)
    if user is None or not user.is_authenticated or user.is_superuser:
        return qs
    if user.is_department_scoped:
        return qs.filter(department_id=user.department_id)
    if user.region_id and user.role != "admin":
        return _in_region(qs, user.region)
    return qs


def score_for(user: Any, pk: int) -> EfficiencyScore:
    return get_object_or_404(scores_for(user), pk=pk)


def _in_region(qs: QuerySet[EfficiencyScore], region: Region | None) -> QuerySet[EfficiencyScore]:
    if region is None:
        return qs
    return qs.filter(Q(region__path=region.path) | Q(region__path__startswith=region.path + "/"))


def index_rows(user: Any, month: date, region: Region | None = None) -> list[EfficiencyScore]:
    """The index by unit for a month, best first, with a rank (ties share a rank)."""
    rows = list(_in_region(scores_for(user), region).filter(month=month).order_by("-score", "department__name"))
    rank, last = 0, None
    for i, s in enumerate(rows, start=1):
        if s.score != last:
            rank, last = i, s.score
        s.rank = rank  # type: ignore[attr-defined]
    return rows


def deduction_records(user: Any, deduction: Deduction) -> list[dict[str, Any]]:
    """The records behind a deduction, as this user may see them (alerts, irregularities, complaints,
    ratings), each with a label, a date and a link where the user has a page for it."""
    from django.urls import NoReverseMatch, reverse

    from xiaoneng.complaints.selectors import complaints_for
    from xiaoneng.ratings.selectors import ratings_for

    ids = [int(i) for i in deduction.refs]
    out: list[dict[str, Any]] = []

    def link(name: str, pk: int) -> str:
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            return ""

    src = deduction.source
    if src in (DeductionSource.ALERT_REMIND, DeductionSource.ALERT_YELLOW, DeductionSource.ALERT_RED):
        for a in restrict(Alert.objects.select_related("clock").filter(pk__in=ids), user).order_by("raised_at"):
            out.append(
                {
                    "label": a.clock.label,
                    "kind": a.get_level_display(),
                    "at": a.raised_at,
                    "status": a.get_status_display(),
                    "url": link("supervision:alert", a.pk),
                }
            )
    elif src == DeductionSource.IRREGULARITY:
        for r in restrict(Irregularity.objects.filter(pk__in=ids), user).order_by("detected_at"):
            out.append(
                {
                    "label": f"{r.get_rule_display()}（{r.subject_label}）",
                    "kind": r.get_severity_display(),
                    "at": r.detected_at,
                    "status": r.get_status_display(),
                    "url": link("supervision:irregularity", r.pk),
                }
            )
    elif src in (DeductionSource.COMPLAINT, DeductionSource.LATE_REPLY):
        for c in complaints_for(user).filter(pk__in=ids).order_by("received_at"):
            out.append(
                {
                    "label": f"{c.number} {c.title}",
                    "kind": c.get_kind_display(),
                    "at": c.received_at,
                    "status": c.get_status_display(),
                    "url": link("complaints:office_detail", c.pk),
                }
            )
    else:
        for rt in ratings_for(user).filter(pk__in=ids).order_by("rated_at"):
            out.append(
                {
                    "label": rt.comment[:60] or rt.get_level_display(),
                    "kind": rt.get_level_display(),
                    "at": rt.rated_at,
                    "status": rt.get_handling_display(),
                    "url": link("ratings:detail", rt.pk),
                }
            )
    return out


def public_warning_scores(month: date | None = None) -> tuple[date | None, QuerySet[EfficiencyScore], list[date]]:
    """SUP-3 level 3: the month (default: the latest with a public warning), its listed scores (a
    queryset, so the page can paginate it) and the months that have a list."""
    months = list(
        EfficiencyScore.objects.filter(warning=WarningLevel.PUBLIC)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()[:24]
    )
    if month is None:
        month = months[0] if months else None
    if month is None:
        return None, EfficiencyScore.objects.none(), months
    rows = (
        EfficiencyScore.objects.filter(warning=WarningLevel.PUBLIC, month=month)
        .select_related("department", "region")
        .prefetch_related("deductions")
        .order_by("score", "department__name", "id")
    )
    return month, rows, months


def public_warning_row(s: EfficiencyScore) -> dict[str, Any]:
    """One row of the public list: unit, month, score, why and the kinds of deductions. No person,
    no case, no complainant or rater appears here."""
    return {
        "department": s.department.name,
        "region": s.region.name,
        "month": s.month,
        "score": s.score,
        "reason": warning_reason_text(s),
        "frozen": s.frozen,
        "items": [
            {"source": str(d.get_source_display()), "count": d.count, "points": d.points} for d in s.deductions.all()
        ],
    }


def public_warnings(month: date | None = None) -> tuple[date | None, list[dict[str, Any]], list[date]]:
    """SUP-3 level 3, for everyone (the API): every row of the month's public list."""
    month, rows, months = public_warning_scores(month)
    return month, [public_warning_row(s) for s in rows], months


def leader_overview(user: Any, month: date, region: Region | None = None) -> dict[str, Any]:
    """The leader's one page (陈书记): the index by unit, the public warning list, the bottom-ranked
    units with their rectifications, and the month's complaints and ratings figures; scoped."""
    from xiaoneng.complaints.selectors import complaints_for, department_stats
    from xiaoneng.oversight.selectors import rectifications_for
    from xiaoneng.ratings.selectors import rating_metrics, ratings_for

    rows = index_rows(user, month, region)
    public = [s for s in rows if s.warning == WarningLevel.PUBLIC]
    policy = policy_for(getattr(user, "tenant_id", None) or (rows[0].tenant_id if rows else None))
    bottom = [s for s in rows[-3:] if s.score < policy.base][::-1] if rows else []
    bottom_ids = [s.department_id for s in bottom]
    rects: dict[int, list[Rectification]] = defaultdict(list)
    for r in (
        rectifications_for(user)
        .filter(department_id__in=bottom_ids)
        .select_related("clock")
        .order_by("status", "-created_at")[:60]
    ):
        rects[r.department_id].append(r)
    bottom_out = []
    for s in bottom:
        items = rects.get(s.department_id, [])
        bottom_out.append(
            {
                "score": s,
                "rectifications": items[:5],
                "open": sum(1 for r in items if r.status != RectificationStatus.CLOSED),
                "closed": sum(1 for r in items if r.status == RectificationStatus.CLOSED),
            }
        )
    end = _add_months(month, 1)
    from datetime import timedelta

    last = end - timedelta(days=1)
    cqs = complaints_for(user)
    rqs = ratings_for(user)
    if region is not None:
        in_region = Q(region__path=region.path) | Q(region__path__startswith=region.path + "/")
        cqs = cqs.filter(in_region)
        rqs = rqs.filter(
            Q(department__region__path=region.path) | Q(department__region__path__startswith=region.path + "/")
        )
    cfig = department_stats(cqs, start=month, end=last)
    rfig = rating_metrics(rqs, start=month, end=last)
    lo, hi = month_bounds(month)
    # this month's cards, the one definition (selectors.card_counts): the same numbers as the
    # dashboard, the bulletin and the index's deductions
    cards = card_counts(user, months=[month], region=region)
    c_tot = {
        k: sum(getattr(f, k) for f in cfig)
        for k in ("total", "due_reply", "replied", "on_time", "callbacks", "satisfied")
    }
    r_tot = {
        k: sum(getattr(m, k) for m in rfig) for k in ("total", "active", "satisfied", "bad", "rectified", "called_back")
    }
    substantiated = cqs.filter(
        kind=ComplaintKind.EFFICIENCY, substantiated=True, replied_at__gte=lo, replied_at__lt=hi
    ).count()
    return {
        "rows": rows,
        "public": public,
        "bottom": bottom_out,
        "policy": policy,
        "average": _q(sum((s.score for s in rows), Decimal(0)) / len(rows)) if rows else None,
        "complaints": {
            **c_tot,
            "substantiated": substantiated,
            # on time ÷ replies due, late ones still open included (complaints.selectors.reply_late_q)
            "on_time_rate": _pct(c_tot["on_time"], c_tot["due_reply"]) if c_tot["due_reply"] else None,
            "satisfaction_rate": _pct(c_tot["satisfied"], c_tot["callbacks"]) if c_tot["callbacks"] else None,
            "by_department": cfig[:10],
        },
        "ratings": {
            **r_tot,
            "satisfaction_rate": _pct(r_tot["satisfied"], r_tot["total"]) if r_tot["total"] else None,
            "rectification_rate": _pct(r_tot["rectified"], r_tot["bad"]) if r_tot["bad"] else None,
            "by_department": rfig[:10],
        },
        "alerts": {k: cards[k] for k in ("remind", "yellow", "red")},
    }
