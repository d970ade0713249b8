"""Workbench and public pages of the evaluation app. Every write goes through services; every read
through selectors/permissions (404 outside scope, 403 for the wrong role)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.evaluation import services
from xiaoneng.evaluation.choices import (
    AwardKind,
    CommitmentKind,
    CommitmentStatus,
    IndicatorKind,
    SchemeStatus,
    Severity,
    UnitCategory,
    VoteChoice,
    WarningLevel,
)
from xiaoneng.evaluation.indicators import WARNING_SOURCES, provider, providers
from xiaoneng.evaluation.models import Indicator, Scheme, SurveyTarget, UnitResult
from xiaoneng.evaluation.permissions import (
    access_commitment_by_id,
    access_scheme_by_id,
    access_talk_by_id,
    is_office_for,
    require_staff,
)
from xiaoneng.evaluation.reports import rank_text, report_pdf, report_xlsx
from xiaoneng.evaluation.scoring import weight_errors
from xiaoneng.evaluation.selectors import (
    commitment_result,
    commitments_for,
    commitments_public,
    panel_membership,
    result_order,
    results_for,
    schemes_for,
    warning_public,
    warnings_for,
)
from xiaoneng.orgs.models import Department
from xiaoneng.ratings.choices import QuestionKind, RespondentGroup
from xiaoneng.ratings.models import Question
from xiaoneng.ratings.selectors import surveys_for


def _errors(request: AuthedRequest, e: ValidationError) -> None:
    messages.error(request, "；".join(e.messages))


def _month(value: str) -> date | None:
    try:
        y, m = value.split("-")[:2]
        d = date(int(y), int(m), 1)
    except (ValueError, AttributeError):
        return None
    return d if 2000 <= d.year <= 2100 else None


# --- schemes -------------------------------------------------------------------------------------


@login_required
def scheme_list(request: AuthedRequest) -> HttpResponse:
    require_staff(request.user)
    status = 200
    if request.method == "POST":
        region = request.user.region
        if region is None:
            raise PermissionDenied
        try:
            s = services.scheme_create(
                actor=request.user, region=region, year=request.POST.get("year", ""), name=request.POST.get("name", "")
            )
            return redirect("evaluation:scheme", pk=s.pk)
        except ValidationError as e:
            _errors(request, e)
            status = 400
    page = paginate(request, schemes_for(request.user))
    return render(
        request,
        "evaluation/schemes.html",
        {
            "page": page,
            "items": page.object_list,
            "may_create": request.user.region_id and is_office_for(request.user, request.user.region),
            # a refused scheme comes back with what was typed
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


def _tree(indicators: list[Indicator]) -> list[tuple[int, Indicator, Any]]:
    """(depth, indicator, the data source's label): the page names a source, never its registry key."""
    kids: dict[int | None, list[Indicator]] = {}
    for i in indicators:
        kids.setdefault(i.parent_id, []).append(i)
    out: list[tuple[int, Indicator, Any]] = []

    def walk(pid: int | None, depth: int) -> None:
        for i in kids.get(pid, []):
            p = provider(i.data_key) if i.data_key else None
            out.append((depth, i, p.label if p is not None else (_("（未知数据来源）") if i.data_key else "")))
            walk(i.pk, depth + 1)

    walk(None, 0)
    return out


@login_required
def scheme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = access_scheme_by_id(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            _scheme_action(request, scheme, action)
        except ValidationError as e:
            # a refused form answers on the page, with the message and what was typed kept
            _errors(request, e)
            return _scheme_page(request, access_scheme_by_id(request.user, pk), kept={action: request.POST}, status=400)
        except PermissionDenied as e:
            # a panel member's conflict of interest, a head of a unit outside the scheme: said on the
            # page they came from; every other refusal is the 403 page
            if action not in {"panel", "self"} or not str(e):
                raise
            messages.error(request, str(e))
            return _scheme_page(request, scheme, kept={action: request.POST}, status=403)
        return redirect("evaluation:scheme", pk=scheme.pk)
    return _scheme_page(request, scheme)


def _scheme_page(
    request: AuthedRequest, scheme: Scheme, *, kept: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """The scheme page. `kept` maps the action of a refused form to what was posted: that form is
    filled again with it (a file input cannot be refilled: the browser forbids it)."""
    user = request.user
    office = is_office_for(user, scheme.region)
    member = panel_membership(user, scheme)
    results = list(results_for(user, scheme))
    indicators = list(scheme.indicators.all())
    units = list(scheme.units.select_related("department", "self_clock"))
    my_unit = next((u for u in units if u.department_id == user.department_id), None)
    chart = [
        {"name": r.department.name, "score": float(r.score), "lower": float(r.lower or 0), "upper": float(r.upper or 0)}
        for r in results
        if r.score is not None
    ]
    return render(
        request,
        "evaluation/scheme.html",
        {
            "scheme": scheme,
            "office": office,
            "tree": _tree(indicators),
            "units": units,
            "errors": weight_errors(scheme) if office and scheme.status == SchemeStatus.DRAFT else [],
            "results": [(r, rank_text(r), _detail_rows(r)) for r in results],
            "chart": chart,
            "member": member,
            "panel_indicators": [i for i in indicators if i.kind == IndicatorKind.PANEL],
            "self_indicators": [
                i for i in indicators if i.kind == IndicatorKind.SELF and my_unit and i.applies_to(my_unit.category)
            ],
            "my_unit": my_unit if user.role == "dept_head" else None,
            "groups": [i for i in indicators if i.kind == IndicatorKind.GROUP],
            "kinds": IndicatorKind.choices,
            "categories": UnitCategory.choices,
            "providers": providers(),
            "departments": _departments(user).order_by("name")[:500] if office else [],
            "award_kinds": AwardKind.choices,
            "talks": scheme.results.filter(talk__isnull=False).select_related("talk", "department")
            if office or user.role == "leader"
            else [],
            "may_award": user.is_superuser or user.role in {"supervisor", "leader"},
            "today": timezone.localdate().isoformat(),
            "kept": kept or {},
            **_survey_context(user, scheme, indicators, office),
        },
        status=status,
    )


def _detail_rows(r: UnitResult) -> list[tuple[dict[str, Any], str]]:
    """A result's indicator rows, each with, for a survey, its answers per respondent group
    (人大代表 4、企业 6 …, in the groups' order) — the sample behind the score, group by group."""
    order = {g: i for i, g in enumerate(RespondentGroup.values)}
    labels = dict(RespondentGroup.choices)
    out = []
    for d in r.details:
        groups = ""
        raw = d.get("raw") or {}
        if d.get("kind") == IndicatorKind.SURVEY and raw:
            groups = "、".join(
                f"{labels.get(g, g)} {n}" for g, n in sorted(raw.items(), key=lambda kv: order.get(kv[0], len(order)))
            )
        out.append((d, groups))
    return out


def _survey_context(user: Any, scheme: Scheme, indicators: list[Indicator], office: bool) -> dict[str, Any]:
    """EVA-1 社会测评, for the office: the surveys tied to the scheme's units, and what it may tie
    (the surveys of its region and their rating questions: one question per unit in a questionnaire
    listing many units)."""
    survey_indicators = [i for i in indicators if i.kind == IndicatorKind.SURVEY]
    if not survey_indicators or not office:
        return {"survey_indicators": [], "survey_targets": [], "surveys": [], "survey_questions": []}
    targets = list(
        SurveyTarget.objects.filter(indicator__scheme=scheme)
        .select_related("indicator", "survey", "department", "question")
        .order_by("indicator__order", "indicator_id", "department__name", "id")
    )
    surveys = list(surveys_for(user).order_by("-created_at", "-id")[:100])
    questions = (
        list(
            Question.objects.filter(survey__in=surveys, kind=QuestionKind.RATING)
            .select_related("survey")
            .order_by("survey_id", "order", "id")[:500]
        )
        if surveys
        else []
    )
    return {
        "survey_indicators": survey_indicators,
        "survey_targets": targets,
        "surveys": surveys,
        "survey_questions": questions,
    }


def _scheme_action(request: AuthedRequest, scheme: Any, action: str) -> None:
    P, user = request.POST, request.user
    if action == "indicator":
        parent = scheme.indicators.filter(pk=P.get("parent") or 0).first() if P.get("parent") else None
        services.indicator_add(
            actor=user,
            scheme=scheme,
            name=P.get("name", ""),
            kind=P.get("kind", ""),
            weight=P.get("weight", ""),
            parent=parent,
            category=P.get("category", ""),
            data_key=P.get("data_key", "") if P.get("kind") == IndicatorKind.DATA else "",
            description=P.get("description", ""),
        )
        messages.success(request, _("指标已添加。"))
    elif action == "unit":
        dept = _departments(user).filter(pk=_int(P.get("department"))).first()
        if dept is None:
            raise ValidationError(_("请选择单位。"))
        services.unit_add(actor=user, scheme=scheme, department=dept, category=P.get("category", ""))
        messages.success(request, _("单位已加入考评名单。"))
    elif action == "publish":
        services.scheme_publish(actor=user, scheme=scheme)
        messages.success(request, _("方案已发布，各单位开始自评。"))
    elif action == "self":
        ind = get_object_or_404(Indicator, pk=_int(P.get("indicator")), scheme=scheme)
        services.self_assessment_submit(
            actor=user,
            indicator=ind,
            score=P.get("score", ""),
            statement=P.get("statement", ""),
            evidence=request.FILES.get("evidence"),
        )
        messages.success(request, _("自评已提交。"))
    elif action == "panel":
        ind = get_object_or_404(Indicator, pk=_int(P.get("indicator")), scheme=scheme)
        unit = scheme.units.filter(department_id=_int(P.get("department"))).select_related("department").first()
        if unit is None:
            raise ValidationError(_("请选择被考评单位。"))
        services.panel_score_submit(
            actor=user,
            indicator=ind,
            department=unit.department,
            score=P.get("score", ""),
            comment=P.get("comment", ""),
        )
        messages.success(request, _("评分已提交。"))
    elif action == "survey":
        ind = scheme.indicators.filter(pk=_int(P.get("indicator")), kind=IndicatorKind.SURVEY).first()
        if ind is None:
            raise ValidationError({"indicator": _("请选择社会测评指标。")})
        survey = surveys_for(user).filter(pk=_int(P.get("survey"))).first()
        if survey is None:
            raise ValidationError({"survey": _("请选择问卷。")})
        unit = scheme.units.filter(department_id=_int(P.get("department"))).select_related("department").first()
        if unit is None:
            raise ValidationError(_("请选择被考评单位。"))
        question = None
        if P.get("question"):
            question = survey.questions.filter(pk=_int(P.get("question")), kind=QuestionKind.RATING).first()
            if question is None:
                raise ValidationError({"question": _("题目不属于该问卷。")})
        services.survey_target_add(
            actor=user, indicator=ind, survey=survey, department=unit.department, question=question
        )
        messages.success(request, _("问卷已关联被考评单位。"))
    elif action == "compute":
        services.scheme_compute(actor=user, scheme=scheme)
        messages.success(request, _("考评结果已计算。"))
    elif action == "bottom":
        talks = services.scheme_bottom_act(actor=user, scheme=scheme)
        messages.success(request, _("已为%(n)d个末位单位安排诫勉谈话并开具整改。") % {"n": len(talks)})
    elif action == "award":
        result = get_object_or_404(UnitResult, scheme=scheme, department_id=_int(P.get("department")))
        services.award_grant(
            actor=user,
            scheme=scheme,
            department=result.department,
            kind=P.get("kind", ""),
            citation=P.get("citation", ""),
        )
        messages.success(request, _("表彰已评定。"))
    elif action == "close":
        services.scheme_close(actor=user, scheme=scheme)
        messages.success(request, _("考评结果已公布。"))
    else:
        raise ValidationError(_("未知操作。"))


def _departments(user: Any) -> Any:
    """The departments of the user's region subtree (those the office may name)."""
    if user.region_id is None:
        return Department.objects.none()
    path = user.region.path
    return Department.objects.select_related("region").filter(
        Q(region__path=path) | Q(region__path__startswith=path + "/")
    )


def _int(v: Any) -> int:
    try:
        n = int(str(v))
    except (TypeError, ValueError):
        return 0
    return n if 0 < n < 2**63 else 0


@login_required
@require_POST
def talk_hold(request: AuthedRequest, pk: int) -> HttpResponse:
    talk = access_talk_by_id(request.user, pk)
    try:
        services.warning_talk_hold(
            actor=request.user, talk=talk, held_on=request.POST.get("held_on", ""), note=request.POST.get("note", "")
        )
        messages.success(request, _("谈话已记录。"))
    except ValidationError as e:
        _errors(request, e)
        scheme = access_scheme_by_id(request.user, talk.result.scheme_id)
        return _scheme_page(request, scheme, kept={"talk": request.POST, "talk_id": talk.pk}, status=400)
    return redirect("evaluation:scheme", pk=talk.result.scheme_id)


def _report_results(request: AuthedRequest, pk: int) -> tuple[Any, list[UnitResult]]:
    scheme = access_scheme_by_id(request.user, pk)
    results = list(results_for(request.user, scheme))
    if not results:
        raise Http404
    return scheme, results


@login_required
def report_pdf_view(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme, results = _report_results(request, pk)
    unit = None
    if request.GET.get("department"):
        unit = next((r for r in results if r.department_id == _int(request.GET["department"])), None)
        if unit is None:
            raise Http404
    resp = HttpResponse(report_pdf(scheme, results, unit=unit), content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="evaluation-{scheme.year}-{scheme.pk}.pdf"'
    return resp


@login_required
def report_xlsx_view(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme, results = _report_results(request, pk)
    resp = HttpResponse(
        report_xlsx(scheme, results), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="evaluation-{scheme.year}-{scheme.pk}.xlsx"'
    return resp


# --- the warning index ---------------------------------------------------------------------------


@login_required
def warning_list(request: AuthedRequest) -> HttpResponse:
    require_staff(request.user)
    user = request.user
    office = user.region_id is not None and is_office_for(user, user.region)
    kept: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            if action in {"monitoring", "interview"}:
                dept = _departments(user).filter(pk=_int(request.POST.get("department"))).first()
                if dept is None:
                    raise ValidationError(_("请选择单位。"))
                if action == "monitoring":
                    services.monitoring_report_record(
                        actor=user,
                        point=request.POST.get("point", ""),
                        department=dept,
                        reported_on=request.POST.get("day", ""),
                        text=request.POST.get("text", ""),
                        severity=request.POST.get("severity", ""),
                    )
                else:
                    services.interview_record(
                        actor=user,
                        department=dept,
                        held_on=request.POST.get("day", ""),
                        reason=request.POST.get("text", ""),
                        severity=request.POST.get("severity", ""),
                    )
                messages.success(request, _("已登记。"))
            elif action == "compute":
                month = _month(request.POST.get("month", ""))
                if month is None:
                    raise ValidationError(_("请选择月份。"))
                services.warning_index_compute(actor=user, region=user.region, month=month)
                messages.success(request, _("预警指数已计算。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            # answered on the page with the message and what was typed kept
            _errors(request, e)
            kept, status = {action: request.POST}, 400
        else:
            return redirect("evaluation:warnings")
    qs = warnings_for(user)
    month = _month(request.GET.get("month", ""))
    if month:
        qs = qs.filter(month=month)
    level = request.GET.get("level", "")
    if level.isdigit() and int(level) in WarningLevel.values:
        qs = qs.filter(level=int(level))
    page = paginate(request, qs)

    return render(
        request,
        "evaluation/warnings.html",
        {
            "page": page,
            "items": page.object_list,
            "office": office,
            "sources": [(k, label) for k, label, _w in WARNING_SOURCES],
            "levels": WarningLevel.choices,
            "level": level,
            "severities": Severity.choices,
            "departments": _departments(user).order_by("name")[:500] if office else [],
            "month": request.GET.get("month", "")[:7],
            "today": timezone.localdate().isoformat(),
            "kept": kept,
        },
        status=status,
    )


def public_warnings(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, warning_public())
    return render(request, "evaluation/public_warnings.html", {"page": page, "items": page.object_list})


# --- commitments ---------------------------------------------------------------------------------


@login_required
def commitment_list(request: AuthedRequest) -> HttpResponse:
    require_staff(request.user)
    if request.method == "POST":
        try:
            c = services.commitment_create(
                actor=request.user,
                year=request.POST.get("year", ""),
                title=request.POST.get("title", ""),
                target=request.POST.get("target", ""),
                target_value=request.POST.get("target_value", ""),
                target_unit=request.POST.get("target_unit", ""),
                kind=request.POST.get("kind", CommitmentKind.ANNUAL),
                window=request.POST.get("window", ""),
                higher_is_better=request.POST.get("higher_is_better", "1") == "1",
            )
            return redirect("evaluation:commitment", pk=c.pk)
        except (ValidationError, PermissionDenied) as e:
            if isinstance(e, PermissionDenied):
                raise
            _errors(request, e)
    page = paginate(request, commitments_for(request.user))
    return render(
        request,
        "evaluation/commitments.html",
        {
            "page": page,
            "items": page.object_list,
            "may_create": request.user.role == "dept_head",
            "kinds": CommitmentKind.choices,
            "year": timezone.localdate().year,
            # a refused commitment comes back with what was typed
            "posted": request.POST if request.method == "POST" else {},
        },
    )


@login_required
def commitment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    c = access_commitment_by_id(request.user, pk)
    user = request.user
    posted: Any = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "publish":
                services.commitment_publish(actor=user, commitment=c)
            elif action == "progress":
                services.commitment_progress_report(
                    actor=user,
                    commitment=c,
                    reported_on=request.POST.get("reported_on", ""),
                    actual_value=request.POST.get("actual_value", ""),
                    text=request.POST.get("text", ""),
                    evidence=request.FILES.get("evidence"),
                )
            elif action == "open_vote":
                services.commitment_voting_open(actor=user, commitment=c)
            elif action == "panel":
                services.commitment_panel_score(actor=user, commitment=c, score=request.POST.get("score", ""))
            elif action == "assess":
                services.commitment_assess(actor=user, commitment=c)
            else:
                raise ValidationError(_("未知操作。"))
            messages.success(request, _("已保存。"))
        except ValidationError as e:
            _errors(request, e)
            # a refused report or score answers on the page with what was typed kept
            posted = request.POST
            c = access_commitment_by_id(user, pk)
        else:
            return redirect("evaluation:commitment", pk=c.pk)
    return render(
        request,
        "evaluation/commitment.html",
        {
            "c": c,
            "posted": posted,
            "progress": c.progress.all(),
            "result": commitment_result(c),
            "office": is_office_for(user, c.department.region),
            "mine": user.department_id == c.department_id,
            "is_head": user.role == "dept_head" and user.department_id == c.department_id,
            "today": timezone.localdate().isoformat(),
            "statuses": CommitmentStatus,
        },
    )


def public_commitments(request: AuthedRequest) -> HttpResponse:
    qs = commitments_public()
    year = request.GET.get("year", "")
    if year.isdigit() and 2000 <= int(year) <= 2100:
        qs = qs.filter(year=int(year))
    page = paginate(request, qs)
    return render(
        request, "evaluation/public_commitments.html", {"page": page, "items": page.object_list, "year": year[:4]}
    )


def public_commitment(request: AuthedRequest, pk: int) -> HttpResponse:
    c = get_object_or_404(commitments_public(), pk=_int(pk))
    user = request.user
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"/login/?next={request.path}")
        action = request.POST.get("action", "")
        try:
            if action == "send_code":
                services.phone_code_send(actor=user)
                messages.success(request, _("验证码已发送到您的手机。"))
            elif action == "verify":
                services.phone_code_verify(actor=user, code=request.POST.get("code", ""))
                messages.success(request, _("手机号已验证，可以投票。"))
            elif action == "vote":
                services.commitment_vote(actor=user, commitment=c, choice=request.POST.get("choice", ""))
                messages.success(request, _("投票成功，感谢参与。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            _errors(request, e)
        return redirect("evaluation:public_commitment", pk=c.pk)
    voted = user.is_authenticated and c.votes.filter(voter=user).exists()
    return render(
        request,
        "evaluation/public_commitment.html",
        {
            "c": c,
            "progress": c.progress.all(),
            "result": commitment_result(c),
            "voting": c.status == CommitmentStatus.VOTING,
            "citizen": user.is_authenticated and user.role == "applicant",
            "verified": bool(services.verified_phone(user)) if user.is_authenticated else False,
            "voted": voted,
            "choices": VoteChoice.choices,
        },
    )


def public_results(request: AuthedRequest) -> HttpResponse:

    schemes = list(
        Scheme.objects.filter(status=SchemeStatus.CLOSED).select_related("region").order_by("-year", "id")[:50]
    )
    scheme = next((s for s in schemes if str(s.pk) == request.GET.get("scheme", "")), schemes[0] if schemes else None)
    results = list(scheme.results.select_related("department").order_by(*result_order())) if scheme else []
    awards = list(scheme.awards.select_related("department")) if scheme else []
    chart = [
        {"name": r.department.name, "score": float(r.score), "lower": float(r.lower or 0), "upper": float(r.upper or 0)}
        for r in results
        if r.score is not None
    ]
    return render(
        request,
        "evaluation/public_results.html",
        {
            "schemes": schemes,
            "scheme": scheme,
            "results": [(r, rank_text(r)) for r in results],
            "awards": awards,
            "chart": chart,
        },
    )
