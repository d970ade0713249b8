"""The actions of the efficiency index (conventions §2): compute a month's scores, grade a quarter
(不合格 opens a Rectification), the hourly refresh, and save a jurisdiction's scoring policy.
"""

from __future__ import annotations

__all__ = [
    "ComputeResult",
    "efficiency_compute",
    "efficiency_grade_quarter",
    "efficiency_policy_save",
    "efficiency_refresh",
]

import time as _time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.complaints.choices import Kind as ComplaintKind
from xiaoneng.complaints.choices import Status as ComplaintStatus
from xiaoneng.complaints.models import Complaint
from xiaoneng.core.actors import SYSTEM
from xiaoneng.core.services import tracking_number_next
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.models import Department, Region
from xiaoneng.oversight.choices import RectificationStatus
from xiaoneng.oversight.models import Rectification
from xiaoneng.oversight.selectors import overdue_task_assignments
from xiaoneng.oversight.services import rectification_open
from xiaoneng.ratings.choices import BAD_LEVELS, SATISFIED_LEVELS
from xiaoneng.ratings.models import Rating
from xiaoneng.supervision.alerts.selectors import alert_cards
from xiaoneng.supervision.choices import Grade, IrregularityStatus, WarningLevel
from xiaoneng.supervision.efficiency.scoring import (
    UnitFacts,
    grade_for,
    policy_for,
    round_tenth,
    score_unit,
    warning_message,
)
from xiaoneng.supervision.messages import render_zh
from xiaoneng.supervision.models import Alert, Deduction, EfficiencyPolicy, EfficiencyScore, Irregularity, QuarterGrade
from xiaoneng.supervision.periods import month_bounds, month_start, previous_month, quarter_months, quarter_of
from xiaoneng.workdays.deadline import local_date


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
    # supervised tasks (督查督办) whose share fell overdue in the month: oversight's public selector
    for share_id, dept_id in overdue_task_assignments(tenant=tenant, start=lo, end=hi, now=now):
        facts[dept_id].tasks_overdue.append(share_id)
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
        Region.objects.select_for_update(of=("self",)).filter(pk=tenant.pk).first()
        existing = {
            s.department_id: s
            for s in EfficiencyScore.objects.select_for_update(of=("self",))
            .filter(tenant=tenant, month=month)
            .order_by("id")
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
            s.warning_reason = (render_zh(message) if message else "")[:200]
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


def efficiency_grade_quarter(*, tenant: Region, year: int, quarter: int, actor: Any = SYSTEM) -> list[QuarterGrade]:
    """SUP-5: grade every unit for the quarter from its monthly scores; a 不合格 grade carries a
    supervision recommendation (监察建议) and opens a Rectification (oversight), once per grade."""

    if quarter not in (1, 2, 3, 4):
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
        mean = round_tenth(sum(scores, Decimal(0)) / len(scores))
        grade = grade_for(mean, policy)
        with transaction.atomic():
            g, _created = QuarterGrade.objects.select_for_update(of=("self",)).get_or_create(
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
