"""Composite scores and rank bands of a scheme (EVA-1, B8). Reads only; `services.scheme_compute`
writes the results.

Per unit: every leaf indicator that applies to its category gives a Measure (data providers,
self-assessment, the panel's mean, the survey's mean); each group combines its children by weight
(`intervals.combine`); the roots combine into the composite with its 95% interval. Units are ranked
within their category; overlapping intervals share a band (`intervals.bands`). The bottom band (末位)
exists only when the category has more than one band: when every interval overlaps nobody is last.
"""

from __future__ import annotations

__all__ = ["UnitScore", "scheme_scores", "weight_errors"]

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from xiaoneng.evaluation.choices import IndicatorKind, UnitCategory
from xiaoneng.evaluation.indicators import Period, measure_all, provider
from xiaoneng.evaluation.intervals import Measure, bands, combine, mean_from_moments
from xiaoneng.evaluation.models import EvaluatedUnit, Indicator, PanelScore, Scheme, SelfAssessment, SurveyTarget
from xiaoneng.ratings.choices import QuestionKind
from xiaoneng.ratings.models import Answer


def weight_errors(scheme: Scheme) -> list[str]:
    """EVA-1: within one parent and for each unit category, the applicable weights sum to 100.
    Also: a group needs children, a data indicator a registered source. Translated messages."""
    indicators = list(scheme.indicators.all())
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for ind in indicators:
        children[ind.parent_id].append(ind)
    names = {ind.pk: ind.name for ind in indicators}
    categories = sorted({u.category for u in scheme.units.all()}) or [c.value for c in UnitCategory]
    errors: list[str] = []
    if not indicators:
        return [_("方案还没有指标。")]
    for parent_id, kids in children.items():
        for cat in categories:
            applicable = [k for k in kids if k.applies_to(cat)]
            if not applicable:
                continue
            total = sum((k.weight for k in applicable), Decimal(0))
            if total != Decimal(100):
                errors.append(
                    _("“%(parent)s”下适用于%(category)s的指标权重合计为%(sum)s，应为100。")
                    % {
                        "parent": names.get(parent_id, _("一级指标")) if parent_id else _("一级指标"),
                        "category": UnitCategory(cat).label,
                        "sum": total.normalize(),
                    }
                )
    for ind in indicators:
        if ind.kind == IndicatorKind.GROUP and not children.get(ind.pk):
            errors.append(_("指标分组“%(name)s”下没有指标。") % {"name": ind.name})
        if ind.kind == IndicatorKind.DATA and provider(ind.data_key) is None:
            errors.append(_("指标“%(name)s”的数据来源不存在。") % {"name": ind.name})
    return errors


@dataclass
class UnitScore:
    unit: EvaluatedUnit
    measure: Measure
    coverage: float
    details: list[dict[str, Any]] = field(default_factory=list)
    band: int = 0
    rank: int = 0
    rank_to: int = 0
    bottom: bool = False


def _self_measures(scheme: Scheme) -> dict[tuple[int, int], Measure]:
    out = {}
    for ind_id, dept_id, score in SelfAssessment.objects.filter(indicator__scheme=scheme).values_list(
        "indicator_id", "department_id", "score"
    ):
        v = float(score)
        # self-reported: no sampling error, and no claim to precision either
        out[(ind_id, dept_id)] = Measure(value=v, n=1, lower=v, upper=v, method="self")
    return out


def _panel_measures(scheme: Scheme) -> dict[tuple[int, int], Measure]:
    rows = (
        PanelScore.objects.filter(indicator__scheme=scheme)
        .order_by()
        .values("indicator_id", "department_id")
        .annotate(n=Count("id"), s=Sum("score"), ss=Sum(F("score") * F("score")))
    )
    return {
        (r["indicator_id"], r["department_id"]): mean_from_moments(r["n"], float(r["s"]), float(r["ss"])) for r in rows
    }


def _survey_measures(scheme: Scheme) -> dict[tuple[int, int], Measure]:
    """Survey answers (1–5) mapped to 0–100 ((x − 1) × 25), pooled over the unit's targets, with the
    t interval over answers. Read from ratings' answers grouped per target."""

    acc: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    groups: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for t in SurveyTarget.objects.filter(indicator__scheme=scheme):
        q = Q(response__survey_id=t.survey_id, question__kind=QuestionKind.RATING, score__isnull=False)
        if t.question_id:
            q &= Q(question_id=t.question_id)
        scaled = (F("score") - 1) * 25
        for r in (
            Answer.objects.filter(q)
            .order_by()
            .values("response__group")
            .annotate(n=Count("id"), s=Sum(scaled), ss=Sum(scaled * scaled))
        ):
            a = acc[(t.indicator_id, t.department_id)]
            a[0] += r["n"]
            a[1] += float(r["s"] or 0)
            a[2] += float(r["ss"] or 0)
            groups[(t.indicator_id, t.department_id)][r["response__group"]] += r["n"]
    out = {}
    for key, (n, s, ss) in acc.items():
        m = mean_from_moments(int(n), s, ss)
        out[key] = Measure(m.value, m.n, m.lower, m.upper, m.method, raw=dict(groups[key]))
    return out


def scheme_scores(scheme: Scheme, viewer: Any) -> list[UnitScore]:
    """Every unit's composite, interval, band and rank (not saved)."""
    units = list(scheme.units.select_related("department"))
    indicators = list(scheme.indicators.all())
    kids: dict[int | None, list[Indicator]] = defaultdict(list)
    for ind in indicators:
        kids[ind.parent_id].append(ind)
    period = Period(start=scheme.start, end=scheme.end, region=scheme.region, viewer=viewer)
    departments = [u.department for u in units]
    data = measure_all([i.data_key for i in indicators if i.kind == IndicatorKind.DATA], departments, period)
    selfs, panel, survey = _self_measures(scheme), _panel_measures(scheme), _survey_measures(scheme)

    def leaf(ind: Indicator, dept_id: int) -> Measure:
        if ind.kind == IndicatorKind.DATA:
            return data.get(ind.data_key, {}).get(dept_id, Measure.none())
        sources: dict[str, dict[tuple[int, int], Measure]] = {
            IndicatorKind.SELF: selfs,
            IndicatorKind.PANEL: panel,
            IndicatorKind.SURVEY: survey,
        }
        source = sources[ind.kind]
        return source.get((ind.pk, dept_id), Measure.none())

    def node(
        ind_id: int | None, unit: EvaluatedUnit, details: list[dict[str, Any]], depth: int
    ) -> tuple[Measure, float]:
        parts = []
        for ind in kids.get(ind_id, []):
            if not ind.applies_to(unit.category):
                continue
            if ind.kind == IndicatorKind.GROUP:
                row: dict[str, Any] = {
                    "id": ind.pk,
                    "name": ind.name,
                    "kind": ind.kind,
                    "weight": float(ind.weight),
                    "depth": depth,
                }
                details.append(row)
                m, cov = node(ind.pk, unit, details, depth + 1)
                row.update(m.as_dict(), coverage=round(cov, 2))
            else:
                m = leaf(ind, unit.department_id)
                details.append(
                    {
                        "id": ind.pk,
                        "name": ind.name,
                        "kind": ind.kind,
                        "weight": float(ind.weight),
                        "depth": depth,
                        **m.as_dict(),
                    }
                )
            parts.append((float(ind.weight), m))
        return combine(parts)

    scored: list[UnitScore] = []
    for unit in units:
        details: list[dict[str, Any]] = []
        m, cov = node(None, unit, details, 0)
        scored.append(UnitScore(unit=unit, measure=m, coverage=cov, details=details))

    by_cat: dict[str, list[UnitScore]] = defaultdict(list)
    for s in scored:
        by_cat[s.unit.category].append(s)
    for group in by_cat.values():
        ranked = [s for s in group if s.measure.value is not None]
        triples = [(s.measure.value or 0.0, s.measure.lower or 0.0, s.measure.upper or 0.0) for s in ranked]
        for s, (band, first, last) in zip(ranked, bands(triples), strict=True):
            s.band, s.rank, s.rank_to = band, first, last
        last_band = max((s.band for s in ranked), default=0)
        for s in ranked:
            s.bottom = last_band > 1 and s.band == last_band
    return scored
