"""Pages of ratings and surveys: the public rating page (web, SMS link, QR code), the window terminal,
the office's bad-review handling, the department's view (rater hidden), RAT-4 figures, surveys."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook

from xiaoneng.cases.models import Case
from xiaoneng.cases.permissions import access_case_by_id
from xiaoneng.core.http import AuthedRequest
from xiaoneng.core.pagination import paginate
from xiaoneng.core.throttle import client_address
from xiaoneng.orgs.choices import Role
from xiaoneng.ratings.actions.bad_reviews import rating_appeal, rating_appeal_decide, rating_callback, rating_verify
from xiaoneng.ratings.actions.rating import hall_service_record, rating_submit
from xiaoneng.ratings.actions.surveys import (
    survey_create,
    survey_link_create,
    survey_question_add,
    survey_respond,
    survey_set_status,
)
from xiaoneng.ratings.choices import BAD_LEVELS, Handling, Level, QuestionKind, RespondentGroup, Source, SurveyStatus
from xiaoneng.ratings.limits import completed_case_statuses, rectification_days
from xiaoneng.ratings.links import rating_target, rating_token
from xiaoneng.ratings.models import InHallService, Rating, SurveyLink
from xiaoneng.ratings.permissions import (
    access_hall_service_by_id,
    access_rating_by_id,
    access_survey_by_id,
    is_department_user,
    is_office_user,
    is_staff_user,
)
from xiaoneng.ratings.selectors import (
    rater_shown,
    rating_metrics,
    ratings_for,
    rectification_of,
    survey_results,
    survey_scores,
    surveys_for,
)


def _msgs(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(m for ms in exc.message_dict.values() for m in ms)
    return "；".join(exc.messages)


# --- public rating -------------------------------------------------------------------------------


def _field_errors(exc: ValidationError) -> dict[str, str]:
    """The service's messages by field (level, reason, comment, …; "" for the others)."""
    if not hasattr(exc, "error_dict"):
        return {"": "；".join(exc.messages)}
    return {field if field != "__all__" else "": "；".join(msgs) for field, msgs in exc.message_dict.items()}


def _rating_form(request: HttpRequest) -> dict[str, Any]:
    """What the rater entered, kept on the page after an error (issue 9)."""
    p = request.POST if request.method == "POST" else {}
    return {"level": str(p.get("level", ""))[:2], "comment": p.get("comment", ""), "reason": p.get("reason", "")}


def rate(request: HttpRequest, token: str) -> HttpResponse:
    """RAT-1: rate a completed case or a window service from the web, an SMS link or a QR code. A bad
    review asks for its reason (国办发〔2019〕51号); the POST redirects (no resubmission on refresh)."""
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
    if done and request.GET.get("thanks"):
        return render(request, "ratings/thanks.html", {})
    # a QR code on a decision notice may be scanned before the case is delivered: say so up front
    not_yet = case is not None and case.status not in completed_case_statuses()
    errors: dict[str, str] = {}
    if request.method == "POST" and not done and not not_yet:
        via = request.POST.get("via", source)
        try:
            rating_submit(
                level=request.POST.get("level", ""),  # type: ignore[arg-type]
                source=via,
                case=case,
                service=service,
                comment=request.POST.get("comment", ""),
                reason=request.POST.get("reason", ""),
                actor=request.user,
            )
        except ValidationError as e:
            errors = _field_errors(e)
        else:
            return redirect(reverse("ratings:rate", args=[token]) + "?thanks=1")
    return render(
        request,
        "ratings/rate.html",
        {
            "target": target,
            "department": target.department,  # type: ignore[union-attr]
            # the item only: the page is reached by a link anyone may hold, so it names nobody (RAT-1)
            "title": case.version.name if case is not None else service.service_name,  # type: ignore[union-attr]
            "levels": Level.choices,
            "bad_levels": sorted(str(v) for v in BAD_LEVELS),
            "via": source,
            "done": done,
            "not_yet": not_yet,
            "errors": errors,
            "error": "；".join(errors.values()),
            "given": _rating_form(request),
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
    case = access_case_by_id(request.user, case_pk)
    token = rating_token(case=case)
    return _qr_svg(request.build_absolute_uri(reverse("ratings:rate", args=[token])) + "?via=qr")


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """An applicant's completed cases with their rating link (voluntary)."""
    if request.user.role != Role.APPLICANT:
        raise PermissionDenied
    cases = (
        Case.objects.filter(applicant=request.user, status__in=completed_case_statuses())
        .select_related("rating")
        .order_by("-id")
    )
    page = paginate(request, cases)
    rows = [(c, rating_token(case=c), getattr(c, "rating", None)) for c in page.object_list]
    return render(request, "ratings/mine.html", {"rows": rows, "page": page})


def public_stats(request: HttpRequest) -> HttpResponse:
    """RAT-4, published per department and month with sample sizes."""
    today = timezone.localdate()
    start = today.replace(day=1)
    month = request.GET.get("month", "")
    if month:
        try:
            y, m = (int(x) for x in month[:7].split("-"))
            start = date(max(2000, min(y, today.year)), m, 1)  # year 0001 / 9999 would overflow below
        except ValueError:
            pass
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    rows = rating_metrics(Rating.objects.all(), start=start, end=end)
    page = paginate(request, rows)
    return render(
        request,
        "ratings/public_stats.html",
        {"rows": page.object_list, "page": page, "month": start.strftime("%Y-%m")},
    )


# --- staff ---------------------------------------------------------------------------------------


def _staff(request: AuthedRequest) -> None:
    if not is_staff_user(request.user):
        raise PermissionDenied


def _office(request: AuthedRequest) -> None:
    if not is_office_user(request.user):
        raise PermissionDenied


@login_required
def rating_list(request: AuthedRequest) -> HttpResponse:
    _staff(request)
    qs = ratings_for(request.user).select_related("case__version__item", "service__case__version__item")
    which = request.GET.get("which", "bad")
    if which == "bad":
        qs = qs.filter(level__in=list(BAD_LEVELS))
    elif which == "appeal":
        qs = qs.filter(appeal_status="pending")
    else:
        which = "all"
    page = paginate(request, qs)
    rows = [(r, rater_shown(request.user, r), r.case or (r.service.case if r.service else None)) for r in page]
    return render(request, "ratings/list.html", {"rows": rows, "which": which, "page": page})


@login_required
def rating_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _staff(request)
    r = access_rating_by_id(request.user, pk)
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
    office = is_office_user(request.user)
    return render(
        request,
        "ratings/detail.html",
        {
            "r": r,
            "rater": rater_shown(request.user, r),
            "rect": rectification_of(r),
            "office": office,
            "is_department": is_department_user(request.user),
            "rect_days": rectification_days(),
            "Handling": Handling,
        },
    )


@login_required
def terminal(request: AuthedRequest) -> HttpResponse:
    """The window clerk records a service; the terminal page then shows the rating panel."""
    if not is_department_user(request.user):
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
    if not is_department_user(request.user):
        raise PermissionDenied
    svc = access_hall_service_by_id(request.user, pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            rating_submit(
                level=request.POST.get("level", ""),  # type: ignore[arg-type]
                source=Source.TERMINAL,
                service=svc,
                comment=request.POST.get("comment", ""),
                reason=request.POST.get("reason", ""),
                actor=request.user,
            )
        except ValidationError as e:
            errors = _field_errors(e)
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
            "bad_levels": sorted(str(v) for v in BAD_LEVELS),
            "errors": errors,
            "error": "；".join(errors.values()),
            "given": _rating_form(request),
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
    listed = surveys_for(request.user).annotate(n_responses=Count("responses")).order_by("-created_at", "-id")
    page = paginate(request, listed)
    return render(request, "ratings/surveys.html", {"surveys": page.object_list, "page": page})


@login_required
def survey_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _office(request)
    s = access_survey_by_id(request.user, pk)
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
            "links": s.links.annotate(n_responses=Count("responses")),
            "kinds": QuestionKind.choices,
            "groups": RespondentGroup.choices,
        },
    )


@login_required
def survey_results_page(request: AuthedRequest, pk: int) -> HttpResponse:
    _office(request)
    s = access_survey_by_id(request.user, pk)
    results = survey_results(s)
    group_labels = dict(RespondentGroup.choices)
    for g in results["groups"]:
        g["label"] = str(group_labels.get(g["group"], g["group"]))
    scale = dict(SURVEY_SCALE)
    for q in results["questions"]:
        for g in q.get("group_means", []):  # the score by respondent group (deputies, businesses …)
            g["label"] = str(group_labels.get(g["group"], g["group"]))
        if q["kind"] == QuestionKind.RATING:  # the chart's axis says what each score means
            q["labels"] = [f"{n}分 {scale[n]}" for n in q["labels"]]
    scores = survey_scores(s)
    score_groups = [
        {"label": str(group_labels.get(g, g)), **v} for g, v in scores["groups"].items() if v["score"] is not None
    ]
    return render(
        request,
        "ratings/survey_results.html",
        {"s": s, "results": results, "scores": scores, "score_groups": score_groups},
    )


@login_required
def survey_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every answer to Excel (one row per response, one column per question)."""

    _office(request)
    s = access_survey_by_id(request.user, pk)
    wb = Workbook()
    ws = wb.active
    if ws is None:
        raise RuntimeError("invariant: ws is not None")
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


# the meaning of the 1–5 score of a rating question, shown next to each point
SURVEY_SCALE = [
    ("1", _lazy("非常不满意")),
    ("2", _lazy("不满意")),
    ("3", _lazy("基本满意")),
    ("4", _lazy("满意")),
    ("5", _lazy("非常满意")),
]


def survey_respond_page(request: HttpRequest, token: str) -> HttpResponse:
    """Anonymous answer page reached by a distribution link."""
    link = get_object_or_404(SurveyLink.objects.select_related("survey"), token=token)
    survey = link.survey
    error = ""
    field_errors: dict[str, str] = {}
    if request.method == "POST":
        if not request.session.session_key:
            request.session.save()
        try:
            survey_respond(
                link=link,
                answers={k: request.POST.get(k, "") for k in request.POST if k.startswith("q")},
                session_key=request.session.session_key or "",
                ip=client_address(request),
            )
        except ValidationError as e:
            error = _msgs(e)
            if hasattr(e, "error_dict"):
                field_errors = {k: "；".join(v) for k, v in e.message_dict.items()}
                error = _("有%(n)d道题未回答或回答不正确，请查看标红的题目。") % {"n": len(field_errors)}
        else:
            return render(request, "ratings/survey_thanks.html", {"survey": survey})
    questions = list(survey.questions.all())
    for q in questions:  # what the respondent entered stays after an error
        q.given = request.POST.get(f"q{q.pk}", "") if request.method == "POST" else ""  # type: ignore[attr-defined]
        q.error = field_errors.get(f"q{q.pk}", "")  # type: ignore[attr-defined]
    return render(
        request,
        "ratings/survey_respond.html",
        {
            "survey": survey,
            "link": link,
            "questions": questions,
            "scale": SURVEY_SCALE,
            "error": error,
            "open": survey.status == SurveyStatus.OPEN,
        },
    )
