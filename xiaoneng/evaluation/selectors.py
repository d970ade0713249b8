"""Permission-scoped reads of evaluation: schemes, results, the warning index, commitments."""

from __future__ import annotations

__all__ = [
    "commitment_result",
    "commitments_for",
    "commitments_public",
    "panel_membership",
    "result_order",
    "results_for",
    "schemes_for",
    "talks_for",
    "warning_public",
    "warnings_for",
]

from typing import Any

from django.db.models import Case, F, IntegerField, OrderBy, Q, QuerySet, Value, When

from xiaoneng.core.scoping import restrict
from xiaoneng.evaluation.choices import CommitmentStatus, SchemeStatus, VoteChoice, WarningLevel
from xiaoneng.evaluation.intervals import Measure, mean_interval, wilson
from xiaoneng.evaluation.models import Commitment, PanelMember, Scheme, UnitResult, WarningIndex, WarningTalk


def schemes_for(user: Any) -> QuerySet[Scheme]:
    """Schemes of the user's region (office, leaders), closed ones for everyone, and for department
    staff and panel members the published schemes that evaluate their department or seat them."""
    qs = restrict(Scheme.objects.select_related("region"), user)
    if getattr(user, "is_authenticated", False) and not user.is_superuser:
        extra = Q(panel__user=user)
        if user.department_id:
            extra |= Q(units__department_id=user.department_id)
        qs = (qs | Scheme.objects.filter(extra, status__in=[SchemeStatus.PUBLISHED, SchemeStatus.CLOSED])).distinct()
    return qs.order_by("-year", "id")


def panel_membership(user: Any, scheme: Scheme) -> PanelMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return PanelMember.objects.filter(scheme=scheme, user=user).select_related("home_department").first()


def result_order() -> list[str | OrderBy | Case]:
    """Results by category, then rank; a unit without data (rank 0, not ranked) after the ranked ones."""
    unranked_last = Case(When(rank=0, then=Value(1)), default=Value(0), output_field=IntegerField())
    return ["category", unranked_last, "rank", F("score").desc(nulls_last=True), "department_id"]


def results_for(user: Any, scheme: Scheme) -> QuerySet[UnitResult]:
    """A scheme's results as `user` may read them: the office and leaders of the region everything;
    department staff their own unit's row while the scheme is open, every row once it is closed."""
    qs = scheme.results.select_related("department").order_by(*result_order())
    if scheme.status == SchemeStatus.CLOSED:
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser or (user.is_region_scoped and restrict(Scheme.objects.filter(pk=scheme.pk), user).exists()):
        return qs
    if user.department_id:
        return qs.filter(department_id=user.department_id)
    return qs.none()


def talks_for(user: Any) -> QuerySet[WarningTalk]:
    return restrict(WarningTalk.objects.select_related("department", "result__scheme", "rectification"), user)


def warnings_for(user: Any) -> QuerySet[WarningIndex]:
    return restrict(WarningIndex.objects.select_related("department"), user)


def warning_public() -> QuerySet[WarningIndex]:
    """SUP-3 level 3: the public warning list (预警公示)."""
    return WarningIndex.objects.filter(level=WarningLevel.PUBLIC).select_related("department")


def commitments_for(user: Any) -> QuerySet[Commitment]:
    return restrict(Commitment.objects.select_related("department"), user)


def commitments_public() -> QuerySet[Commitment]:
    return Commitment.objects.filter(
        status__in=[CommitmentStatus.PUBLISHED, CommitmentStatus.VOTING, CommitmentStatus.ASSESSED]
    ).select_related("department")


def commitment_result(c: Commitment) -> dict[str, Measure]:
    """年底评诺 figures with their uncertainty: the public's "fulfilled" rate (Wilson; 基本兑现 counts
    half) and the panel's mean (t), and the share of the target reached by the last progress report."""
    votes = list(c.votes.values_list("choice", flat=True))
    fulfilled2 = sum(2 if v == VoteChoice.FULFILLED else 1 if v == VoteChoice.PARTLY else 0 for v in votes)
    # half-votes: a Wilson interval on 2n half-trials would overstate the sample; use n votes with
    # the rounded count of full equivalents
    vote = wilson(round(fulfilled2 / 2), len(votes)) if votes else Measure.none()
    panel = mean_interval([float(s) for s in c.panel_scores.values_list("score", flat=True)])
    return {"vote": vote, "panel": panel}
