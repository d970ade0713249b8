"""Every write of the evaluation app (conventions §2): keyword-only, typed, atomic; each checks
permission, validates, writes, appends the Event and schedules side effects on commit.

Schemes (EVA-1): scheme_create, indicator_add, unit_add, scheme_publish (weights validated, one
self-assessment Clock per unit), self_assessment_submit, panel_member_add, panel_score_submit
(conflict of interest refused), survey_target_add, scheme_compute, scheme_bottom_act (末位: 诫勉谈话 +
Rectification), warning_talk_hold, award_grant (ACC-2: blocked by the negative list / accountability),
scheme_close. Warning index (SUP-3): monitoring_report_record, interview_record, warning_index_compute.
Commitments (seed 004): commitment_create, commitment_publish, commitment_progress_report,
commitment_voting_open, phone_code_send, phone_code_verify, commitment_vote, commitment_panel_score,
commitment_assess.
"""

from __future__ import annotations

__all__ = [
    "award_blockers",
    "award_grant",
    "commitment_assess",
    "commitment_create",
    "commitment_panel_score",
    "commitment_progress_report",
    "commitment_publish",
    "commitment_vote",
    "commitment_voting_open",
    "indicator_add",
    "interview_record",
    "monitoring_report_record",
    "panel_member_add",
    "panel_score_submit",
    "phone_code_send",
    "phone_code_verify",
    "scheme_bottom_act",
    "scheme_close",
    "scheme_compute",
    "scheme_create",
    "scheme_publish",
    "self_assessment_submit",
    "survey_target_add",
    "unit_add",
    "warning_index_compute",
    "warning_talk_hold",
]

import math
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.params import MAX_YEAR, MIN_YEAR
from xiaoneng.core.services import sms_send_later
from xiaoneng.core.trail import event_append, trail_batch
from xiaoneng.core.uploads import upload_check
from xiaoneng.enterprise.services import monitoring_report_record as record
from xiaoneng.evaluation.choices import (
    AWARD_ROLES,
    COMMITMENT_TRANSITIONS,
    SCHEME_TRANSITIONS,
    AwardKind,
    CommitmentKind,
    CommitmentStatus,
    IndicatorKind,
    PanelGroup,
    SchemeStatus,
    Severity,
    TalkStatus,
    UnitCategory,
    VoteChoice,
    WarningLevel,
)
from xiaoneng.evaluation.indicators import WARNING_SOURCES, Period, measure_all, provider
from xiaoneng.evaluation.intervals import combine
from xiaoneng.evaluation.models import (
    Award,
    Commitment,
    CommitmentPanelScore,
    CommitmentProgress,
    CommitmentVote,
    EvaluatedUnit,
    Indicator,
    Interview,
    PanelMember,
    PanelScore,
    PhoneVerification,
    Scheme,
    SelfAssessment,
    SurveyTarget,
    UnitResult,
    WarningIndex,
    WarningTalk,
)
from xiaoneng.evaluation.permissions import in_region, is_office_for, require_office
from xiaoneng.evaluation.scoring import scheme_scores, weight_errors
from xiaoneng.evaluation.selectors import commitment_result
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, Region
from xiaoneng.oversight.selectors import disqualified_units
from xiaoneng.oversight.services import rectification_open
from xiaoneng.workdays.services import clock_start, clock_stop

SELF_CLOCK_KIND = "evaluation.self_assessment"
TWO = Decimal("0.01")
CODE_MINUTES = 10
CODE_ATTEMPTS = 5
CODE_RESEND_SECONDS = 60
# SUP-3 defaults for the warning index: a source below 80 is a 单项预警; an index below 85 a 综合预警;
# below 75, or a 综合预警 two months running, the public list (预警公示).
SINGLE_BELOW, COMPOSITE_BELOW, PUBLIC_BELOW = 80.0, 85.0, 75.0


# --- input checks (bad input → a translated ValidationError, nothing written) --------------------


def _text(value: Any, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError({field: _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": max_length}})
    return text


def _number(value: Any, field: str, label: str, *, low: Decimal | None, high: Decimal | None) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("%(label)s须是数字。") % {"label": label}}) from None
    if not d.is_finite():
        raise ValidationError({field: _("%(label)s须是数字。") % {"label": label}})
    if (low is not None and d < low) or (high is not None and d > high):
        raise ValidationError(
            {field: _("%(label)s须在%(low)s至%(high)s之间。") % {"label": label, "low": low, "high": high}}
        )
    return d.quantize(TWO)


def _score(value: Any, field: str = "score") -> Decimal:
    return _number(value, field, _("分数"), low=Decimal(0), high=Decimal(100))


def _year(value: Any) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({"year": _("年度须是四位数字。")}) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": _("年度须在%(min)d年至%(max)d年之间。") % {"min": MIN_YEAR, "max": MAX_YEAR}})
    return year


def _day(raw: Any, field: str, label: str) -> date:
    value: date
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValidationError({field: _("%(label)s格式不正确，应为年-月-日。") % {"label": label}}) from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(
            {
                field: _("%(label)s的年份须在%(min)d年至%(max)d年之间。")
                % {"label": label, "min": MIN_YEAR, "max": MAX_YEAR}
            }
        )
    if value > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天。") % {"label": label}})
    return value


def _choice(value: Any, choices: Any, field: str, label: str) -> str:
    v = str(value or "")
    if v not in choices.values:
        raise ValidationError({field: _("请选择有效的%(label)s。") % {"label": label}})
    return v


def _file(upload: Any, field: str) -> None:
    if upload is None:
        return
    try:
        upload_check(upload)
    except ValidationError as e:
        raise ValidationError({field: e.messages}) from None


def _transition(table: dict[str, tuple[frozenset[str], str]], current: str, action: str, label: str) -> str:
    sources, target = table[action]
    if current not in sources:
        raise ValidationError(_("当前状态为“%(status)s”，不能执行该操作。") % {"status": label}, code="state")
    return target


def _locked_scheme(scheme: Scheme) -> Scheme:
    return Scheme.objects.select_for_update(of=("self",)).select_related("region").get(pk=scheme.pk)


def _fresh(scheme: Scheme) -> Scheme:
    """The scheme as it is now (a caller's object may hold an old status)."""
    return Scheme.objects.select_related("region").get(pk=scheme.pk)


def _editable(scheme: Scheme) -> None:
    if scheme.status != SchemeStatus.DRAFT:
        raise ValidationError(_("方案已发布，指标和名单不能再修改。"), code="state")


# --- schemes (EVA-1) -----------------------------------------------------------------------------


def scheme_create(*, actor: Any, region: Any, year: Any, name: str) -> Scheme:
    require_office(actor, region)
    year = _year(year)
    name = _text(name, "name", _("方案名称"), max_length=100)
    if Scheme.objects.filter(region=region, year=year).exists():
        raise ValidationError({"year": _("该辖区该年度已有考评方案。")})
    with transaction.atomic():
        scheme = Scheme.objects.create(
            tenant_id=region.tenant_id, region=region, year=year, name=name, created_by=actor
        )
        event_append(
            subject=scheme, action="evaluation.scheme.created", actor=actor, after={"year": year, "name": name}
        )
    return scheme


def indicator_add(
    *,
    actor: Any,
    scheme: Scheme,
    name: str,
    kind: str,
    weight: Any,
    parent: Indicator | None = None,
    category: str = "",
    data_key: str = "",
    description: str = "",
    order: int = 1,
) -> Indicator:
    scheme = _fresh(scheme)
    require_office(actor, scheme.region)
    _editable(scheme)
    name = _text(name, "name", _("指标名称"), max_length=100)
    kind = _choice(kind, IndicatorKind, "kind", _("指标类型"))
    w = _number(weight, "weight", _("权重"), low=Decimal("0.01"), high=Decimal(100))
    if category:
        category = _choice(category, UnitCategory, "category", _("单位类别"))
    if parent is not None and (parent.scheme_id != scheme.pk or parent.kind != IndicatorKind.GROUP):
        raise ValidationError({"parent": _("上级指标必须是本方案的指标分组。")})
    data_key = (data_key or "").strip()
    if kind == IndicatorKind.DATA:
        if provider(data_key) is None:
            raise ValidationError({"data_key": _("请选择有效的数据来源。")})
    elif data_key:
        raise ValidationError({"data_key": _("只有数据指标需要选择数据来源。")})
    description = _text(description, "description", _("考评标准"), max_length=2000, required=False)
    with transaction.atomic():
        ind = Indicator.objects.create(
            scheme=scheme,
            parent=parent,
            name=name,
            kind=kind,
            weight=w,
            category=category,
            data_key=data_key,
            description=description,
            order=max(1, min(int(order or 1), 999)),
        )
        event_append(
            subject=scheme,
            action="evaluation.indicator.added",
            actor=actor,
            after={"indicator": ind.pk, "name": name, "kind": kind, "weight": str(w), "category": category},
        )
    return ind


def unit_add(*, actor: Any, scheme: Scheme, department: Any, category: str) -> EvaluatedUnit:
    scheme = _fresh(scheme)
    require_office(actor, scheme.region)
    _editable(scheme)
    category = _choice(category, UnitCategory, "category", _("单位类别"))
    if not (
        department.region.path == scheme.region.path or department.region.path.startswith(scheme.region.path + "/")
    ):
        raise ValidationError({"department": _("该单位不属于本辖区。")})
    if EvaluatedUnit.objects.filter(scheme=scheme, department=department).exists():
        raise ValidationError({"department": _("该单位已在考评名单中。")})
    with transaction.atomic():
        unit = EvaluatedUnit.objects.create(scheme=scheme, department=department, category=category)
        event_append(
            subject=scheme,
            action="evaluation.unit.added",
            actor=actor,
            after={"department": department.pk, "category": category},
        )
    return unit


def scheme_publish(*, actor: Any, scheme: Scheme) -> Scheme:
    """EVA-1: the weights must add up before the scheme runs; each unit's self-assessment becomes a
    Clock of `self_days` working days."""
    require_office(actor, scheme.region)
    errors = weight_errors(scheme)
    if not scheme.units.exists():
        errors.append(_("方案还没有被考评单位。"))
    if errors:
        raise ValidationError(errors, code="weights")
    with transaction.atomic():
        s = _locked_scheme(scheme)
        target = _transition(SCHEME_TRANSITIONS, s.status, "publish", s.get_status_display())
        s.status = target
        s.save(update_fields=["status", "updated_at"])
        has_self = s.indicators.filter(kind=IndicatorKind.SELF).exists()
        if has_self:
            for unit in s.units.select_related("department"):
                unit.self_clock = clock_start(
                    owner=unit,
                    kind=SELF_CLOCK_KIND,
                    label=_("绩效考评自评：%(name)s") % {"name": s.name[:60]},
                    limit=s.self_days,
                    department=unit.department,
                    tenant_id=s.tenant_id,
                    actor=actor,
                )
                unit.save(update_fields=["self_clock", "updated_at"])
        event_append(
            subject=s,
            action="evaluation.scheme.published",
            actor=actor,
            before={"status": "draft"},
            after={"status": target},
        )
    return s


def _unit_for(scheme: Scheme, department_id: int | None) -> EvaluatedUnit:
    unit = (
        EvaluatedUnit.objects.filter(scheme=scheme, department_id=department_id or 0)
        .select_related("department")
        .first()
    )
    if unit is None:
        raise PermissionDenied(_("本单位不在该方案的考评名单中。"))
    return unit


def _running(scheme: Scheme) -> None:
    if scheme.status != SchemeStatus.PUBLISHED:
        raise ValidationError(_("方案不在考评中。"), code="state")


def self_assessment_submit(
    *, actor: Any, indicator: Indicator, score: Any, statement: str, evidence: Any = None
) -> SelfAssessment:
    """A department head scores their own unit on a self-assessment indicator, with a statement and
    evidence; when every self indicator of the unit is in, its self-assessment Clock stops."""
    scheme = Scheme.objects.select_related("region").get(pk=indicator.scheme_id)
    if getattr(actor, "role", None) != Role.DEPT_HEAD:
        raise PermissionDenied(_("只有部门负责人可以填报本单位自评。"))
    unit = _unit_for(scheme, actor.department_id)
    _running(scheme)
    if indicator.kind != IndicatorKind.SELF or not indicator.applies_to(unit.category):
        raise ValidationError({"indicator": _("该指标不是本单位的自评指标。")})
    value = _score(score)
    statement = _text(statement, "statement", _("自评说明"), max_length=4000)
    _file(evidence, "evidence")
    with transaction.atomic():
        if SelfAssessment.objects.filter(indicator=indicator, department=unit.department).exists():
            raise ValidationError({"indicator": _("该指标已自评。")})
        sa = SelfAssessment(
            indicator=indicator, department=unit.department, score=value, statement=statement, submitted_by=actor
        )
        if evidence is not None:
            sa.evidence.save(evidence.name or "evidence", evidence, save=False)
        sa.save()
        event_append(
            subject=scheme,
            action="evaluation.self.submitted",
            actor=actor,
            after={
                "indicator": indicator.pk,
                "department": unit.department_id,
                "score": str(value),
                "evidence": bool(sa.evidence),
            },
        )
        needed = [i for i in scheme.indicators.filter(kind=IndicatorKind.SELF) if i.applies_to(unit.category)]
        done = set(
            SelfAssessment.objects.filter(indicator__in=needed, department=unit.department).values_list(
                "indicator_id", flat=True
            )
        )
        if all(i.pk in done for i in needed):
            unit.self_submitted_at = timezone.now()
            unit.save(update_fields=["self_submitted_at", "updated_at"])
            if unit.self_clock_id:
                clock_stop(clock=unit.self_clock_id, actor=actor)
    return sa


def panel_member_add(*, actor: Any, scheme: Scheme, user: Any, group: str, home_department: Any = None) -> PanelMember:
    require_office(actor, scheme.region)
    group = _choice(group, PanelGroup, "group", _("成员类别"))
    home = home_department if home_department is not None else getattr(user, "department", None)
    if PanelMember.objects.filter(scheme=scheme, user=user).exists():
        raise ValidationError({"user": _("该成员已在评议组中。")})
    with transaction.atomic():
        m = PanelMember.objects.create(scheme=scheme, user=user, group=group, home_department=home)
        event_append(
            subject=scheme,
            action="evaluation.panel.added",
            actor=actor,
            after={"user": user.pk, "group": group, "home": getattr(home, "pk", None)},
        )
    return m


def panel_score_submit(
    *, actor: Any, indicator: Indicator, department: Any, score: Any, comment: str = ""
) -> PanelScore:
    """A panel member scores one unit on a panel indicator. Conflict of interest: a member may not
    score the department they belong to (their home department), nor twice."""
    scheme = Scheme.objects.select_related("region").get(pk=indicator.scheme_id)
    member = (
        PanelMember.objects.filter(scheme=scheme, user=actor).first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if member is None:
        raise PermissionDenied(_("只有评议组成员可以评分。"))
    if department.pk in {member.home_department_id, getattr(actor, "department_id", None)}:
        raise PermissionDenied(_("评议组成员须回避本单位，不能为本单位评分。"))
    _running(scheme)
    unit = _unit_for(scheme, department.pk)
    if indicator.kind != IndicatorKind.PANEL or not indicator.applies_to(unit.category):
        raise ValidationError({"indicator": _("该指标不是该单位的评议指标。")})
    value = _score(score)
    comment = _text(comment, "comment", _("评议意见"), max_length=2000, required=False)
    try:
        with transaction.atomic():
            ps = PanelScore.objects.create(
                indicator=indicator, department=department, member=member, score=value, comment=comment
            )
            event_append(
                subject=scheme,
                action="evaluation.panel.scored",
                actor=actor,
                after={"indicator": indicator.pk, "department": department.pk, "score": str(value)},
            )
    except IntegrityError:
        raise ValidationError({"score": _("您已对该单位该指标评分。")}) from None
    return ps


def survey_target_add(
    *, actor: Any, indicator: Indicator, survey: Any, department: Any, question: Any = None
) -> SurveyTarget:
    scheme = Scheme.objects.select_related("region").get(pk=indicator.scheme_id)
    require_office(actor, scheme.region)
    if indicator.kind != IndicatorKind.SURVEY:
        raise ValidationError({"indicator": _("只有社会测评指标可以关联问卷。")})
    _unit_for(scheme, department.pk)
    if question is not None and question.survey_id != survey.pk:
        raise ValidationError({"question": _("题目不属于该问卷。")})
    if not in_region(actor, survey.region) and not actor.is_superuser:
        raise ValidationError({"survey": _("该问卷不属于本辖区。")})
    try:
        with transaction.atomic():
            t = SurveyTarget.objects.create(
                indicator=indicator, survey=survey, department=department, question=question
            )
            event_append(
                subject=scheme,
                action="evaluation.survey.linked",
                actor=actor,
                after={
                    "indicator": indicator.pk,
                    "survey": survey.pk,
                    "department": department.pk,
                    "question": getattr(question, "pk", None),
                },
            )
    except IntegrityError:
        raise ValidationError({"survey": _("该问卷已关联该单位。")}) from None
    return t


def _dec(v: float | None) -> Decimal | None:
    return None if v is None or math.isnan(v) else Decimal(str(round(v, 2))).quantize(TWO)


def scheme_compute(*, actor: Any, scheme: Scheme) -> list[UnitResult]:
    """Compute (or recompute) every unit's composite, interval and rank band and store them."""
    scheme = _fresh(scheme)
    require_office(actor, scheme.region)
    if scheme.status == SchemeStatus.DRAFT:
        raise ValidationError(_("方案尚未发布，不能计算结果。"), code="state")
    if scheme.status == SchemeStatus.CLOSED:
        raise ValidationError(_("结果已公布，不能重新计算。"), code="state")
    scored = scheme_scores(scheme, actor)
    now = timezone.now()
    with transaction.atomic():
        s = _locked_scheme(scheme)
        existing = {r.department_id: r for r in s.results.all()}
        out = []
        for sc in scored:
            fields = {
                "category": sc.unit.category,
                "score": _dec(sc.measure.value),
                "lower": _dec(sc.measure.lower),
                "upper": _dec(sc.measure.upper),
                "rank": sc.rank,
                "rank_to": sc.rank_to,
                "band": sc.band,
                "bottom": sc.bottom,
                "coverage": _dec(sc.coverage) or Decimal(0),
                "details": sc.details,
            }
            r = existing.get(sc.unit.department_id)
            if r is None:
                r = UnitResult.objects.create(scheme=s, department_id=sc.unit.department_id, **fields)
            else:
                for k, v in fields.items():
                    setattr(r, k, v)
                r.save(update_fields=[*fields, "updated_at"])
            out.append(r)
        s.computed_at = now
        s.save(update_fields=["computed_at", "updated_at"])
        event_append(
            subject=s,
            action="evaluation.scheme.computed",
            actor=actor,
            after={"units": len(out), "bottom": [r.department_id for r in out if r.bottom]},
        )
    return out


def scheme_bottom_act(*, actor: Any, scheme: Scheme) -> list[WarningTalk]:
    """EVA-1 末位: each unit in the bottom band gets a warning talk (诫勉谈话) to hold and a
    Rectification (oversight's spine, one per result: running this twice opens nothing new)."""
    scheme = _fresh(scheme)

    require_office(actor, scheme.region)
    if scheme.computed_at is None:
        raise ValidationError(_("请先计算考评结果。"), code="state")
    talks = []
    with transaction.atomic():
        for r in scheme.results.filter(bottom=True).select_related("department__region"):
            if WarningTalk.objects.filter(result=r).exists():
                continue
            rect = rectification_open(
                department=r.department,
                title=_("绩效考评末位整改：%(name)s") % {"name": scheme.name[:80]},
                problem=_("%(year)s年度绩效考评中，%(dept)s综合得分%(score)s，位列末位档次，须限期整改。")
                % {"year": scheme.year, "dept": r.department.name, "score": r.score},
                source=r,
                actor=actor,
            )
            talk = WarningTalk.objects.create(
                tenant_id=scheme.tenant_id, result=r, department=r.department, rectification=rect
            )
            event_append(
                subject=talk,
                action="evaluation.talk.planned",
                actor=actor,
                after={"department": r.department_id, "rectification": rect.pk, "scheme": scheme.pk},
            )
            talks.append(talk)
    return talks


def warning_talk_hold(*, actor: Any, talk: WarningTalk, held_on: Any, note: str) -> WarningTalk:
    require_office(actor, talk.department.region)
    day = _day(held_on, "held_on", _("谈话日期"))
    note = _text(note, "note", _("谈话记录"), max_length=4000)
    with transaction.atomic():
        t = WarningTalk.objects.select_for_update(of=("self",)).get(pk=talk.pk)
        if t.status != TalkStatus.PLANNED:
            raise ValidationError(_("该谈话已记录。"), code="state")
        t.status, t.held_on, t.note, t.talked_by = TalkStatus.HELD, day, note, actor
        t.save(update_fields=["status", "held_on", "note", "talked_by", "updated_at"])
        event_append(
            subject=t, action="evaluation.talk.held", actor=actor, after={"held_on": day.isoformat()}, reason=note
        )
    return t


def award_blockers(scheme: Scheme, department: Any) -> list[str]:
    """ACC-2 (四个一律: 一律取消评先评优资格): why `department` may not be awarded for the scheme's year:
    oversight's `disqualified_units(period)` (the negative list, 容错 exemptions respected), and any
    other accountability record of the unit decided in the year that was not exempted."""

    reasons: list[str] = []
    if department.pk in disqualified_units((scheme.start, scheme.end), tenant=scheme.tenant_id):
        reasons.append(_("该单位在考评年度内有负面清单情形，取消评先评优资格。"))
    model = apps.get_model("oversight", "AccountabilityRecord")
    others = model.objects.filter(department_id=department.pk, decided_at__year=scheme.year).exclude(status="exempted")
    if not reasons and others.exists():
        reasons.append(_("该单位在考评年度内有问责记录，取消评先评优资格。"))
    return reasons


def award_grant(*, actor: Any, scheme: Scheme, department: Any, kind: str, citation: str = "") -> Award:
    scheme = _fresh(scheme)
    if not (
        getattr(actor, "is_authenticated", False)
        and (actor.is_superuser or (actor.role in AWARD_ROLES and in_region(actor, scheme.region)))
    ):
        raise PermissionDenied(_("只有效能办或领导可以评定表彰。"))
    kind = _choice(kind, AwardKind, "kind", _("奖项"))
    citation = _text(citation, "citation", _("表彰理由"), max_length=300, required=False)
    result = scheme.results.filter(department=department).first()
    if result is None or result.score is None:
        raise ValidationError({"department": _("该单位没有考评结果。")})
    if result.bottom:
        raise ValidationError({"department": _("末位单位不能评先评优。")})
    blockers = award_blockers(scheme, department)
    if blockers:
        raise ValidationError({"department": blockers})
    try:
        with transaction.atomic():
            award = Award.objects.create(
                tenant_id=scheme.tenant_id,
                scheme=scheme,
                department=department,
                kind=kind,
                citation=citation,
                granted_by=actor,
            )
            event_append(
                subject=award,
                action="evaluation.award.granted",
                actor=actor,
                after={"kind": kind, "department": department.pk},
            )
    except IntegrityError:
        raise ValidationError({"kind": _("该单位已获得该奖项。")}) from None
    return award


def scheme_close(*, actor: Any, scheme: Scheme) -> Scheme:
    """Publish the results (the ranking becomes public)."""
    scheme = _fresh(scheme)
    require_office(actor, scheme.region)
    if scheme.computed_at is None:
        raise ValidationError(_("请先计算考评结果。"), code="state")
    with transaction.atomic():
        s = _locked_scheme(scheme)
        target = _transition(SCHEME_TRANSITIONS, s.status, "close", s.get_status_display())
        s.status = target
        s.save(update_fields=["status", "updated_at"])
        event_append(subject=s, action="evaluation.scheme.closed", actor=actor, after={"status": target})
    return s


# --- the warning index (SUP-3, seed 002) ---------------------------------------------------------


def monitoring_report_record(
    *, actor: Any, point: str, department: Any, reported_on: Any, text: str, severity: Any
) -> Any:
    """A 发展环境监测点 report the office records by hand. The reports live in the enterprise app
    (issue 13, ENT-7): this checks the office as before and calls its action."""

    require_office(actor, department.region)
    day = _day(reported_on, "reported_on", _("报告日期"))
    return record(actor=actor, point=point, department=department, reported_on=day, text=text, severity=severity)


def interview_record(*, actor: Any, department: Any, held_on: Any, reason: str, severity: Any) -> Interview:
    require_office(actor, department.region)
    day = _day(held_on, "held_on", _("约谈日期"))
    reason = _text(reason, "reason", _("约谈事由"), max_length=4000)
    try:
        sev = int(severity)
    except (TypeError, ValueError):
        sev = -1
    if sev not in Severity.values:
        raise ValidationError({"severity": _("请选择有效的严重程度。")})
    with transaction.atomic():
        r = Interview.objects.create(
            tenant_id=department.tenant_id,
            department=department,
            held_on=day,
            reason=reason,
            severity=sev,
            held_by=actor,
        )
        event_append(
            subject=r,
            action="evaluation.interview.recorded",
            actor=actor,
            after={"department": department.pk, "severity": sev},
        )
    return r


def warning_index_compute(
    *, actor: Any, region: Any, month: date, departments: list[Any] | None = None
) -> list[WarningIndex]:
    """SUP-3 with the five sources of seed 002 (电子监察, 终端评议, 定点监测, 行风热线, 纠风约谈): each a
    0–100 score for the month; the index is their weighted mean (a source without data leaves its
    weight to the others). Levels: a source below 80 → 单项预警; the index below 85 → 综合预警; below
    75, or 综合预警 two months running → 预警公示 (the public list)."""

    require_office(actor, region)
    month = month.replace(day=1)
    if not MIN_YEAR <= month.year <= MAX_YEAR:
        raise ValidationError({"month": _("月份超出范围。")})
    end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    units = (
        departments
        if departments is not None
        else list(Department.objects.filter(region__path__startswith=region.path).select_related("region"))
    )
    period = Period(start=month, end=end, region=region, viewer=actor)
    data = measure_all([k for k, _l, _w in WARNING_SOURCES], units, period)
    prev_month = (month - timedelta(days=1)).replace(day=1)
    previous = dict(
        WarningIndex.objects.filter(department__in=units, month=prev_month).values_list("department_id", "level")
    )
    now = timezone.now()
    out = []
    with transaction.atomic(), trail_batch():
        for u in units:
            parts: list[tuple[float, Any]] = []
            sources: dict[str, Any] = {}
            for key, _label, weight in WARNING_SOURCES:
                m = data.get(key, {}).get(u.pk)
                if m is None:
                    continue
                parts.append((float(weight), m))
                sources[key] = m.as_dict()
            m, _cov = combine(parts)
            index = m.value if m.value is not None else 100.0
            level = WarningLevel.NONE
            if any(pm.value is not None and pm.value < SINGLE_BELOW for _w, pm in parts):
                level = WarningLevel.SINGLE
            if index < COMPOSITE_BELOW:
                level = WarningLevel.COMPOSITE
                if index < PUBLIC_BELOW or previous.get(u.pk, 0) >= WarningLevel.COMPOSITE:
                    level = WarningLevel.PUBLIC
            row, _created = WarningIndex.objects.update_or_create(
                department=u,
                month=month,
                defaults={
                    "tenant_id": u.tenant_id,
                    "index": _dec(index) or Decimal(0),
                    "level": level,
                    "sources": sources,
                    "computed_at": now,
                },
            )
            if level >= WarningLevel.SINGLE:
                event_append(
                    subject=row,
                    action="evaluation.warning.raised",
                    actor=actor,
                    after={"level": int(level), "index": str(row.index)},
                )
            out.append(row)
    return out


# --- public commitments (seed 004: 年初承诺, 过程践诺, 年底评诺) ----------------------------------------


def _require_department_head(actor: Any, department: Any) -> None:
    if not (
        getattr(actor, "is_authenticated", False)
        and actor.role == Role.DEPT_HEAD
        and actor.department_id == department.pk
    ):
        raise PermissionDenied(_("只有本单位负责人可以填报承诺。"))


def commitment_create(
    *,
    actor: Any,
    year: Any,
    title: str,
    target: str,
    target_value: Any,
    target_unit: str,
    kind: str = CommitmentKind.ANNUAL,
    window: str = "",
    higher_is_better: bool = True,
) -> Commitment:
    department = getattr(actor, "department", None)
    if department is None:
        raise PermissionDenied(_("只有本单位负责人可以填报承诺。"))
    _require_department_head(actor, department)
    year = _year(year)
    kind = _choice(kind, CommitmentKind, "kind", _("承诺类型"))
    title = _text(title, "title", _("承诺事项"), max_length=200)
    target = _text(target, "target", _("量化目标"), max_length=2000)
    value = _number(target_value, "target_value", _("目标值"), low=Decimal(0), high=Decimal("9999999999"))
    unit = _text(target_unit, "target_unit", _("计量单位"), max_length=20)
    window = _text(window, "window", _("窗口"), max_length=30, required=kind == CommitmentKind.SERVICE)
    with transaction.atomic():
        c = Commitment.objects.create(
            tenant_id=department.tenant_id,
            department=department,
            year=year,
            kind=kind,
            window=window,
            title=title,
            target=target,
            target_value=value,
            target_unit=unit,
            higher_is_better=bool(higher_is_better),
            created_by=actor,
        )
        event_append(
            subject=c,
            action="evaluation.commitment.created",
            actor=actor,
            after={"title": title, "year": year, "kind": kind},
        )
    return c


def _commitment_move(c: Commitment, action: str, actor: Any, **fields: Any) -> Commitment:
    with transaction.atomic():
        locked = Commitment.objects.select_for_update(of=("self",)).get(pk=c.pk)
        before = locked.status
        target = _transition(COMMITMENT_TRANSITIONS, locked.status, action, locked.get_status_display())
        locked.status = target
        for k, v in fields.items():
            setattr(locked, k, v)
        locked.save(update_fields=["status", *fields, "updated_at"])
        event_append(
            subject=locked,
            action=f"evaluation.commitment.{action}",
            actor=actor,
            before={"status": before},
            after={"status": target},
        )
    return locked


def commitment_publish(*, actor: Any, commitment: Commitment) -> Commitment:
    """年初承诺: the department head publishes it (public pages)."""
    commitment = Commitment.objects.select_related("department__region").get(pk=commitment.pk)
    _require_department_head(actor, commitment.department)
    return _commitment_move(commitment, "publish", actor, published_at=timezone.now())


def commitment_progress_report(
    *, actor: Any, commitment: Commitment, reported_on: Any, actual_value: Any, text: str, evidence: Any = None
) -> CommitmentProgress:
    """过程践诺: the value reached so far, with evidence."""
    commitment = Commitment.objects.select_related("department__region").get(pk=commitment.pk)
    if not (
        getattr(actor, "is_authenticated", False)
        and actor.role in {Role.DEPT_HEAD, Role.CLERK, Role.REVIEWER}
        and actor.department_id == commitment.department_id
    ):
        raise PermissionDenied(_("只有承诺单位可以报告践诺情况。"))
    if commitment.status not in {CommitmentStatus.PUBLISHED, CommitmentStatus.VOTING}:
        raise ValidationError(_("只有已公开的承诺可以报告践诺情况。"), code="state")
    day = _day(reported_on, "reported_on", _("报告日期"))
    value = _number(actual_value, "actual_value", _("完成值"), low=Decimal(0), high=Decimal("9999999999"))
    text = _text(text, "text", _("践诺情况"), max_length=4000)
    _file(evidence, "evidence")
    with transaction.atomic():
        p = CommitmentProgress(
            commitment=commitment, reported_on=day, actual_value=value, text=text, submitted_by=actor
        )
        if evidence is not None:
            p.evidence.save(evidence.name or "evidence", evidence, save=False)
        p.save()
        event_append(
            subject=commitment,
            action="evaluation.commitment.progress",
            actor=actor,
            after={"value": str(value), "on": day.isoformat()},
        )
    return p


def commitment_voting_open(*, actor: Any, commitment: Commitment) -> Commitment:
    """年底评诺 opens (the efficiency office)."""
    commitment = Commitment.objects.select_related("department__region").get(pk=commitment.pk)
    require_office(actor, commitment.department.region)
    return _commitment_move(commitment, "open_vote", actor)


def _hash_code(code: str) -> str:
    return make_password(code)


def phone_code_send(*, actor: Any) -> PhoneVerification | None:
    """Send a 6-digit code to the citizen's account phone (at most one a minute). Returns None when
    the account has no mobile number."""
    if not getattr(actor, "is_authenticated", False) or actor.role != Role.APPLICANT:
        raise PermissionDenied(_("请以公众账号登录后验证手机号。"))
    if not actor.phone:
        raise ValidationError({"phone": _("您的账号没有登记手机号，请先在个人信息中填写。")})
    now = timezone.now()
    last = PhoneVerification.objects.filter(user=actor).order_by("-created_at").first()
    if last is not None and (now - last.created_at).total_seconds() < CODE_RESEND_SECONDS:
        raise ValidationError({"phone": _("验证码已发送，请1分钟后再获取。")})
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        v = PhoneVerification.objects.create(
            user=actor, phone=actor.phone, code_hash=_hash_code(code), expires_at=now + timedelta(minutes=CODE_MINUTES)
        )
        sms_send_later(
            phone=actor.phone,
            text=_("【%(site)s】您正在验证手机号以参加评诺投票，验证码%(code)s，%(minutes)d分钟内有效。")
            % {"site": getattr(settings, "XIAONENG_SITE_NAME", "效能"), "code": code, "minutes": CODE_MINUTES},
        )
    return v


def phone_code_verify(*, actor: Any, code: str) -> PhoneVerification:
    bad = ValidationError({"code": _("验证码不正确或已失效，请重新获取。")})
    if not getattr(actor, "is_authenticated", False) or actor.role != Role.APPLICANT:
        raise PermissionDenied(_("请以公众账号登录后验证手机号。"))
    code = str(code or "").strip()
    with transaction.atomic():
        v = (
            PhoneVerification.objects.select_for_update(of=("self",))
            .filter(user=actor, verified_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if v is None or v.expires_at <= timezone.now() or v.attempts >= CODE_ATTEMPTS or v.phone != actor.phone:
            raise bad
        ok = len(code) == 6 and code.isdigit() and check_password(code, v.code_hash)
        if ok:
            v.verified_at = timezone.now()
            v.save(update_fields=["verified_at", "updated_at"])
        else:
            # counted, then refused: the count is committed with this transaction
            v.attempts += 1
            v.save(update_fields=["attempts", "updated_at"])
    if not ok:
        raise bad
    return v


def verified_phone(user: Any) -> str:
    """The account's mobile number if the person proved they hold it (a verified code for that
    number); "" otherwise."""
    if not getattr(user, "is_authenticated", False) or not user.phone:
        return ""
    ok = PhoneVerification.objects.filter(user=user, phone=user.phone, verified_at__isnull=False).exists()
    return user.phone if ok else ""


def commitment_vote(*, actor: Any, commitment: Commitment, choice: str) -> CommitmentVote:
    """年底评诺 by the public: one vote per verified person (account and verified phone)."""
    commitment = Commitment.objects.select_related("department__region").get(pk=commitment.pk)
    if not getattr(actor, "is_authenticated", False) or actor.role != Role.APPLICANT:
        raise PermissionDenied(_("请以公众账号登录后投票。"))
    phone = verified_phone(actor)
    if not phone:
        raise PermissionDenied(_("请先验证手机号后再投票。"))
    if commitment.status != CommitmentStatus.VOTING:
        raise ValidationError(_("该承诺当前不在评诺投票期。"), code="state")
    choice = _choice(choice, VoteChoice, "choice", _("评价"))
    try:
        with transaction.atomic():
            v = CommitmentVote.objects.create(commitment=commitment, voter=actor, phone=phone, choice=choice)
    except IntegrityError:
        raise ValidationError({"choice": _("您已对该承诺投过票。")}) from None
    return v


def commitment_panel_score(*, actor: Any, commitment: Commitment, score: Any) -> CommitmentPanelScore:
    """年底评诺 by the panel: members of a panel of the commitment's region (or the office), never of
    their own department."""
    commitment = Commitment.objects.select_related("department__region").get(pk=commitment.pk)
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("只有评议组成员可以评分。"))
    region = commitment.department.region
    is_member = PanelMember.objects.filter(
        user=actor, scheme__year=commitment.year, scheme__region__in=_ancestors(region)
    ).exists()
    if not (is_member or is_office_for(actor, region)):
        raise PermissionDenied(_("只有评议组成员可以评分。"))
    home = set(PanelMember.objects.filter(user=actor).values_list("home_department_id", flat=True)) | {
        actor.department_id
    }
    if commitment.department_id in home:
        raise PermissionDenied(_("评议组成员须回避本单位，不能为本单位评分。"))
    if commitment.status != CommitmentStatus.VOTING:
        raise ValidationError(_("该承诺当前不在评诺期。"), code="state")
    value = _score(score)
    try:
        with transaction.atomic():
            s = CommitmentPanelScore.objects.create(commitment=commitment, member=actor, score=value)
            event_append(
                subject=commitment,
                action="evaluation.commitment.panel_scored",
                actor=actor,
                after={"score": str(value)},
            )
    except IntegrityError:
        raise ValidationError({"score": _("您已对该承诺评分。")}) from None
    return s


def _ancestors(region: Any) -> list[Any]:

    parts = region.path.split("/")
    return list(Region.objects.filter(path__in=["/".join(parts[: i + 1]) for i in range(len(parts))]))


COMMITMENT_VOTE_WEIGHT = Decimal("0.5")  # the public's share of 年底评诺; the panel has the rest


def commitment_assess(*, actor: Any, commitment: Commitment) -> Commitment:
    """年底评诺 closes: the public's fulfilled rate and the panel's mean, half each (either alone
    when the other has no data), stored with the sample sizes."""
    commitment = Commitment.objects.select_related("department__region").get(pk=commitment.pk)

    require_office(actor, commitment.department.region)
    res = commitment_result(commitment)
    vote, panel = res["vote"], res["panel"]
    parts = [(float(COMMITMENT_VOTE_WEIGHT * 100), vote), (float((1 - COMMITMENT_VOTE_WEIGHT) * 100), panel)]
    m, _cov = combine(parts)
    return _commitment_move(
        commitment,
        "assess",
        actor,
        vote_count=vote.n,
        vote_fulfilled=int(vote.raw.get("successes", 0)) if vote.value is not None else 0,
        panel_count=panel.n,
        panel_mean=_dec(panel.value),
        final_score=_dec(m.value),
    )
