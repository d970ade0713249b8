"""Evaluation API: the same scoping and permissions as the pages. Public reads (published
commitments, closed results, the public warning list) need no login."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.params import bounded_int
from xiaoneng.evaluation import services
from xiaoneng.evaluation.indicators import providers
from xiaoneng.evaluation.models import Indicator, Scheme
from xiaoneng.evaluation.permissions import access_scheme_by_id, require_staff
from xiaoneng.evaluation.reports import rank_text
from xiaoneng.evaluation.selectors import commitments_public, results_for, schemes_for, warning_public, warnings_for

router = Router(tags=["evaluation"])


class SchemeOut(Schema):
    id: int
    year: int
    name: str
    status: str
    region: str
    computed_at: datetime | None


class ResultOut(Schema):
    department_id: int
    department: str
    category: str
    score: Decimal | None
    lower: Decimal | None
    upper: Decimal | None
    rank: int
    rank_to: int
    band: int
    # B8: units whose 95% intervals overlap share a band and are shown tied, not ranked apart
    tied: bool
    tied_with: list[int]
    rank_text: str
    bottom: bool
    coverage: Decimal
    details: list[dict[str, Any]]


class ProviderOut(Schema):
    key: str
    label: str


class ScoreIn(Schema):
    indicator_id: int
    department_id: int
    score: str
    comment: str = ""


class SelfIn(Schema):
    indicator_id: int
    score: str
    statement: str


class WarningOut(Schema):
    department_id: int
    department: str
    month: date
    index: Decimal
    level: int
    sources: dict[str, Any]


class CommitmentOut(Schema):
    id: int
    department: str
    year: int
    kind: str
    window: str
    title: str
    target: str
    target_value: Decimal
    target_unit: str
    status: str
    vote_count: int
    panel_count: int
    final_score: Decimal | None


class VoteIn(Schema):
    choice: str


class EvaluationDetailOut(Schema):
    detail: str


def _scheme(s: Scheme) -> SchemeOut:
    return SchemeOut(
        id=s.pk, year=s.year, name=s.name, status=s.status, region=s.region.name, computed_at=s.computed_at
    )


@router.get("/providers", response=list[ProviderOut], summary="Registered data indicators")
def list_providers(request: AuthedRequest) -> list[ProviderOut]:
    require_staff(request.user)
    return [ProviderOut(key=p.key, label=str(p.label)) for p in providers()]


@router.get("/schemes/{pk}", response=SchemeOut)
def get_scheme(request: AuthedRequest, pk: int) -> SchemeOut:
    bounded_int(pk, "pk")
    return _scheme(access_scheme_by_id(request.user, pk))


@router.get(
    "/schemes/{pk}/results",
    response=list[ResultOut],
    summary="Composite scores with 95% intervals and rank bands (overlapping intervals are tied)",
)
def get_results(request: AuthedRequest, pk: int) -> list[ResultOut]:
    """Each unit's composite, its interval and its band. `tied` says that the band holds other
    units (ranks `rank`–`rank_to`), `tied_with` names them (department ids, of the rows the user may
    read) and `rank_text` is the page's wording (第1–2名（并列）, 数据不足，不排名)."""
    bounded_int(pk, "pk")
    scheme = access_scheme_by_id(request.user, pk)
    results = list(results_for(request.user, scheme))
    bands: dict[tuple[str, int], list[int]] = {}
    for r in results:
        if r.rank:
            bands.setdefault((r.category, r.band), []).append(r.department_id)
    return [
        ResultOut(
            department_id=r.department_id,
            department=r.department.name,
            category=r.category,
            score=r.score,
            lower=r.lower,
            upper=r.upper,
            rank=r.rank,
            rank_to=r.rank_to,
            band=r.band,
            tied=r.tied,
            tied_with=[d for d in bands.get((r.category, r.band), []) if d != r.department_id] if r.rank else [],
            rank_text=rank_text(r),
            bottom=r.bottom,
            coverage=r.coverage,
            details=r.details,
        )
        for r in results
    ]


@router.post("/schemes/{pk}/compute", response=SchemeOut, summary="The efficiency office computes the results")
def compute(request: AuthedRequest, pk: int) -> SchemeOut:
    bounded_int(pk, "pk")
    scheme = access_scheme_by_id(request.user, pk)
    services.scheme_compute(actor=request.user, scheme=scheme)
    return _scheme(access_scheme_by_id(request.user, pk))


def _indicator(scheme: Scheme, pk: int) -> Indicator:
    bounded_int(pk, "indicator_id")
    return get_object_or_404(Indicator, pk=pk, scheme=scheme)


@router.post("/schemes/{pk}/panel-scores", response={201: EvaluationDetailOut}, summary="A panel member scores a unit")
def panel_score(request: AuthedRequest, pk: int, payload: ScoreIn) -> Status[EvaluationDetailOut]:
    bounded_int(pk, "pk")
    scheme = access_scheme_by_id(request.user, pk)
    ind = _indicator(scheme, payload.indicator_id)
    bounded_int(payload.department_id, "department_id")
    unit = scheme.units.filter(department_id=payload.department_id).select_related("department").first()
    if unit is None:
        raise ValidationError({"department_id": _("请选择被考评单位。")})
    services.panel_score_submit(
        actor=request.user, indicator=ind, department=unit.department, score=payload.score, comment=payload.comment
    )
    return Status(201, EvaluationDetailOut(detail="ok"))


@router.post(
    "/schemes/{pk}/self-assessments", response={201: EvaluationDetailOut}, summary="A department head self-assesses"
)
def self_assess(request: AuthedRequest, pk: int, payload: SelfIn) -> Status[EvaluationDetailOut]:
    bounded_int(pk, "pk")
    scheme = access_scheme_by_id(request.user, pk)
    ind = _indicator(scheme, payload.indicator_id)
    services.self_assessment_submit(actor=request.user, indicator=ind, score=payload.score, statement=payload.statement)
    return Status(201, EvaluationDetailOut(detail="ok"))


def _warning(w: Any) -> WarningOut:
    return WarningOut(
        department_id=w.department_id,
        department=w.department.name,
        month=w.month,
        index=w.index,
        level=w.level,
        sources=w.sources,
    )


@router.get("/warnings", response=list[WarningOut], summary="The warning index in the user's scope")
def list_warnings(request: AuthedRequest, limit: int = 200) -> list[WarningOut]:
    require_staff(request.user)
    n = bounded_int(limit, "limit", low=1, high=1000) or 200
    return [_warning(w) for w in warnings_for(request.user)[:n]]


@router.get("/public/warnings", response=list[WarningOut], auth=None, summary="The public warning list")
def public_warnings(request: Any) -> list[WarningOut]:
    return [_warning(w) for w in warning_public()[:500]]


def _commitment(c: Any) -> CommitmentOut:
    return CommitmentOut(
        id=c.pk,
        department=c.department.name,
        year=c.year,
        kind=c.kind,
        window=c.window,
        title=c.title,
        target=c.target,
        target_value=c.target_value,
        target_unit=c.target_unit,
        status=c.status,
        vote_count=c.vote_count,
        panel_count=c.panel_count,
        final_score=c.final_score,
    )


@router.get("/public/commitments", response=list[CommitmentOut], auth=None, summary="Published commitments")
def public_commitments(request: Any, year: int | None = None) -> list[CommitmentOut]:
    qs = commitments_public()
    if year is not None:
        bounded_int(year, "year", low=2000, high=2100)
        qs = qs.filter(year=year)
    return [_commitment(c) for c in qs[:500]]


@router.post(
    "/commitments/{pk}/vote", response={201: EvaluationDetailOut}, summary="A verified citizen votes (年底评诺)"
)
def vote(request: AuthedRequest, pk: int, payload: VoteIn) -> Status[EvaluationDetailOut]:
    bounded_int(pk, "pk")
    c = get_object_or_404(commitments_public(), pk=pk)
    services.commitment_vote(actor=request.user, commitment=c, choice=payload.choice)
    return Status(201, EvaluationDetailOut(detail="ok"))


@router.get("/schemes", response=list[SchemeOut], summary="Schemes the user may read")
def list_schemes(request: AuthedRequest) -> list[SchemeOut]:

    return [_scheme(s) for s in schemes_for(request.user)[:200]]
