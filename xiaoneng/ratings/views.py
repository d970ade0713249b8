"""Pages of ratings and surveys: the public rating page (web, SMS link, QR code), the window terminal,
the office's bad-review handling, the department's view (rater hidden), RAT-4 figures, surveys."""

from __future__ import annotations

import io
from datetime import date, timedelta

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.http import AuthedRequest
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role

from .choices import Handling, Level, QuestionKind, RespondentGroup, Source, SurveyStatus
from .models import InHallService, Rating, SurveyLink
from .selectors import rater_shown, rating_for, rating_metrics, ratings_for, survey_results, surveys_for
from .services import (
    OFFICE_ROLES,
    hall_service_record,
    rating_appeal,
    rating_appeal_decide,
    rating_callback,
    rating_submit,
    rating_target,
    rating_token,
    rating_verify,
    rectification_of,
    survey_create,
    survey_link_create,
    survey_question_add,
    survey_respond,
    survey_set_status,
)


def _msgs(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(m for ms in exc.message_dict.values() for m in ms)
    return "；".join(exc.messages)


# --- public rating -------------------------------------------------------------------------------


def rate(request: HttpRequest, token: str) -> HttpResponse:
    """RAT-1: rate a completed case or a window service from the web, an SMS link or a QR code."""
    source = request.GET.get("via", Source.WEB)
    if source not in (Source.WEB, Source.SMS, Source.QR):
        source = Source.WEB
    try:
        case, service = rating_target(token)
    except ValidationError as e:
        return render(request, "ratings/rate.html", {"error": _msgs(e)}, status=404)
    target = case if case is not None else service
    existing = Rating.objects.filter(case=case) if case is not None else Rating.objects.filter(service=service)
    done = existing.exists()
    error = ""
    if request.method == "POST" and not done:
        try:
            rating_submit(
                level=request.POST.get("level", ""),  # type: ignore[arg-type]
                source=request.POST.get("via", source),
                case=case,
                service=service,
                comment=request.POST.get("comment", ""),
                actor=request.user,
            )
        except ValidationError as e:
            error = _msgs(e)
        else:
            return render(request, "ratings/thanks.html", {})
    return render(
        request,
        "ratings/rate.html",
        {
            "target": target,
            "department": target.department,  # type: ignore[union-attr]
            "title": case.title if case is not None else service.service_name,  # type: ignore[union-attr]
            "levels": Level.choices,
            "via": source,
            "done": done,
            "error": error,
        },
    )


def _qr_svg(url: str) -> HttpResponse:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, title=_("扫码评价"))
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


def qr(request: HttpRequest, token: str) -> HttpResponse:
    try:
        rating_target(token)
    except ValidationError as e:
        raise PermissionDenied(_msgs(e)) from e
    return _qr_svg(request.build_absolute_uri(reverse("ratings:rate", args=[token])) + "?via=qr")


@login_required
def case_qr(request: AuthedRequest, case_pk: int) -> HttpResponse:
    """The QR code a decision notice prints: it opens the rating page of that case."""
    if not (request.user.is_staff_member or request.user.is_superuser):
        raise PermissionDenied
    from xiaoneng.cases.selectors import case_for_user

    case = case_for_user(request.user, case_pk)
    token = rating_token(case=case)
    return _qr_svg(request.build_absolute_uri(reverse("ratings:rate", args=[token])) + "?via=qr")


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """An applicant's completed cases with their rating link (voluntary)."""
    from xiaoneng.cases.models import Case

    from .services import _completed_case_statuses

    if request.user.role != Role.APPLICANT:
        raise PermissionDenied
    cases = Case.objects.filter(applicant=request.user, status__in=_completed_case_statuses()).select_related("rating")
    rows = [(c, rating_token(case=c), getattr(c, "rating", None)) for c in cases[:100]]
    return render(request, "ratings/mine.html", {"rows": rows})


def public_stats(request: HttpRequest) -> HttpResponse:
    """RAT-4, published per department and month with sample sizes."""
    today = timezone.localdate()
    start = today.replace(day=1)
    month = request.GET.get("month", "")
    if month:
        try:
            y, m = (int(x) for x in month.split("-"))
            start = date(y, m, 1)
        except ValueError:
            pass
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    rows = rating_metrics(Rating.objects.all(), start=start, end=end)
    return render(request, "ratings/public_stats.html", {"rows": rows, "month": start.strftime("%Y-%m")})


# --- staff ---------------------------------------------------------------------------------------


def _staff(request: AuthedRequest) -> None:
    if not (request.user.is_superuser or request.user.role in OFFICE_ROLES or request.user.role in DEPARTMENT_ROLES):
        raise PermissionDenied


def _office(request: AuthedRequest) -> None:
    if not (request.user.is_superuser or request.user.role in OFFICE_ROLES):
        raise PermissionDenied


@login_required
def rating_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    qs = ratings_for(request.user)
    which = request.GET.get("which", "bad")
    if which == "bad":
        qs = qs.filter(level__lte=Level.UNSATISFIED)
    elif which == "appeal":
        qs = qs.filter(appeal_status="pending")
    rows = [(r, rater_shown(request.user, r)) for r in qs[:200]]
    return render(request, "ratings/list.html", {"rows": rows, "which": which})


@login_required
def rating_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    r = rating_for(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        p = request.POST
        try:
            if action == "verify":
                rating_verify(rating=r, actor=request.user, note=p.get("note", ""))
                messages.success(request, _("已核实并开具整改事项。"))
            elif action == "callback":
                rating_callback(
                    rating=r, actor=request.user, note=p.get("note", ""), satisfied=p.get("satisfied") == "yes"
                )
                messages.success(request, _("回访已记录。"))
            elif action == "appeal":
                rating_appeal(rating=r, actor=request.user, reason=p.get("reason", ""))
                messages.success(request, _("申诉已提交。"))
            elif action == "decide":
                rating_appeal_decide(
                    rating=r, actor=request.user, uphold=p.get("uphold") == "yes", note=p.get("note", "")
                )
                messages.success(request, _("申诉已审核。"))
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            messages.error(request, _msgs(e))
        return redirect("ratings:detail", pk=r.pk)
    office = request.user.is_superuser or request.user.role in OFFICE_ROLES
    return render(
        request,
        "ratings/detail.html",
        {
            "r": r,
            "rater": rater_shown(request.user, r),
            "rect": rectification_of(r),
            "office": office,
            "is_department": request.user.role in DEPARTMENT_ROLES,
            "Handling": Handling,
        },
    )


@login_required
def terminal(request: AuthedRequest) -> HttpResponse:
    """The window clerk records a service; the terminal page then shows the rating panel."""
    if request.user.role not in DEPARTMENT_ROLES:
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            svc = hall_service_record(
                actor=request.user,
                service_name=request.POST.get("service_name", ""),
                window=request.POST.get("window", ""),
                person_phone=request.POST.get("person_phone", ""),
            )
        except ValidationError as e:
            error = _msgs(e)
        else:
            return redirect("ratings:terminal_rate", pk=svc.pk)
    recent = InHallService.objects.filter(department_id=request.user.department_id or 0).select_related("rating")[:20]
    return render(request, "ratings/terminal.html", {"recent": recent, "error": error})


@login_required
def terminal_rate(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.user.role not in DEPARTMENT_ROLES:
        raise PermissionDenied
    svc = get_object_or_404(InHallService.objects.filter(department_id=request.user.department_id or 0), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            rating_submit(
                level=request.POST.get("level", ""),  # type: ignore[arg-type]
                source=Source.TERMINAL,
                service=svc,
                comment=request.POST.get("comment", ""),
                actor=request.user,
            )
        except ValidationError as e:
            error = _msgs(e)
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect("ratings:terminal")
    token = rating_token(service=svc)
    return render(
        request,
        "ratings/terminal_rate.html",
        {
            "svc": svc,
            "levels": Level.choices,
            "error": error,
            "token": token,
            "rated": Rating.objects.filter(service=svc).exists(),
        },
    )


# --- surveys -------------------------------------------------------------------------------------


@login_required
def surveys(request: AuthedRequest) -> HttpResponse:
    _office(request)
    if request.method == "POST":
        try:
            max_per_hour = int(request.POST.get("max_per_hour") or 20)
        except ValueError:
            max_per_hour = 0
        try:
            s = survey_create(
                actor=request.user,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                max_per_hour=max_per_hour,
            )
        except ValidationError as e:
            messages.error(request, _msgs(e))
        else:
            return redirect("ratings:survey_detail", pk=s.pk)
    return render(request, "ratings/surveys.html", {"surveys": surveys_for(request.user)})


@login_required
def survey_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _office(request)
    s = get_object_or_404(surveys_for(request.user), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        p = request.POST
        try:
            if action == "question":
                survey_question_add(
                    survey=s,
                    actor=request.user,
                    kind=p.get("kind", ""),
                    text=p.get("text", ""),
                    options=p.get("options", "").replace("，", ",").split(","),
                    required=p.get("required") == "on",
                )
            elif action == "link":
                survey_link_create(
                    survey=s,
                    actor=request.user,
                    group=p.get("group", ""),
                    label=p.get("label", ""),
                    single_use=p.get("single_use") == "on",
                )
            elif action in ("open", "close"):
                survey_set_status(
                    survey=s, actor=request.user, status=SurveyStatus.OPEN if action == "open" else SurveyStatus.CLOSED
                )
            else:
                raise ValidationError(_("未知操作。"))
        except ValidationError as e:
            messages.error(request, _msgs(e))
        return redirect("ratings:survey_detail", pk=s.pk)
    return render(
        request,
        "ratings/survey_detail.html",
        {
            "s": s,
            "questions": s.questions.all(),
            "links": s.links.all(),
            "kinds": QuestionKind.choices,
            "groups": RespondentGroup.choices,
        },
    )


@login_required
def survey_results_page(request: AuthedRequest, pk: int) -> HttpResponse:
    _office(request)
    s = get_object_or_404(surveys_for(request.user), pk=pk)
    results = survey_results(s)
    group_labels = dict(RespondentGroup.choices)
    for g in results["groups"]:
        g["label"] = str(group_labels.get(g["group"], g["group"]))
    return render(request, "ratings/survey_results.html", {"s": s, "results": results})


@login_required
def survey_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every answer to Excel (one row per response, one column per question)."""
    from openpyxl import Workbook

    _office(request)
    s = get_object_or_404(surveys_for(request.user), pk=pk)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("答卷")
    questions = list(s.questions.all())
    ws.append([_("答卷编号"), _("测评群体"), _("提交时间"), *[q.text for q in questions]])
    group_labels = dict(RespondentGroup.choices)
    for resp in s.responses.prefetch_related("answers").order_by("id"):
        by_q = {a.question_id: a for a in resp.answers.all()}
        row = [
            resp.pk,
            str(group_labels.get(resp.group, resp.group)),
            timezone.localtime(resp.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for q in questions:
            a = by_q.get(q.pk)
            row.append("" if a is None else (a.score if a.score is not None else a.choice or a.text))
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    download = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    download["Content-Disposition"] = f'attachment; filename="survey-{s.pk}.xlsx"'
    return download


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def survey_respond_page(request: HttpRequest, token: str) -> HttpResponse:
    """Anonymous answer page reached by a distribution link."""
    link = get_object_or_404(SurveyLink.objects.select_related("survey"), token=token)
    survey = link.survey
    error = ""
    if request.method == "POST":
        if not request.session.session_key:
            request.session.save()
        try:
            survey_respond(
                link=link,
                answers={k: request.POST.get(k, "") for k in request.POST if k.startswith("q")},
                session_key=request.session.session_key or "",
                ip=_client_ip(request),
            )
        except ValidationError as e:
            error = _msgs(e)
        else:
            return render(request, "ratings/survey_thanks.html", {"survey": survey})
    return render(
        request,
        "ratings/survey_respond.html",
        {
            "survey": survey,
            "link": link,
            "questions": survey.questions.all(),
            "error": error,
            "open": survey.status == SurveyStatus.OPEN,
        },
    )
