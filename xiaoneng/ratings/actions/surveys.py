"""Surveys (社会测评): built, published and closed by the efficiency office; answered anonymously
through links per respondent group, with limits against ballot stuffing."""

from __future__ import annotations

__all__ = [
    "survey_create",
    "survey_link_create",
    "survey_question_add",
    "survey_respond",
    "survey_set_status",
]

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.trail import event_append
from xiaoneng.orgs.models import User
from xiaoneng.ratings.choices import QuestionKind, RespondentGroup, SurveyStatus
from xiaoneng.ratings.models import Answer, Question, Survey, SurveyLink, SurveyResponse
from xiaoneng.ratings.permissions import survey_office_required


def survey_create(*, actor: User, title: str, description: str = "", max_per_hour: int = 20) -> Survey:
    survey_office_required(actor)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError({"title": _("请填写问卷标题（不超过200个字）。")})
    if max_per_hour < 1:
        raise ValidationError({"max_per_hour": _("每小时提交上限至少为1。")})
    region = actor.region
    if region is None:
        raise ValidationError(_("您的账户未设置所属辖区。"))
    with transaction.atomic():
        s = Survey.objects.create(
            tenant_id=region.tenant_id or region.pk,
            region=region,
            title=title,
            description=(description or "").strip(),
            created_by=actor,
            max_per_hour=max_per_hour,
        )
        event_append(subject=s, action="survey.created", actor=actor, after={"title": title})
    return s


def survey_question_add(
    *, survey: Survey, actor: User, kind: str, text: str, options: list[str] | None = None, required: bool = True
) -> Question:
    survey_office_required(actor, survey)
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError(_("问卷发布后不能再修改题目。"))
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("请选择题型。")})
    text = (text or "").strip()
    if not text or len(text) > 300:
        raise ValidationError({"text": _("请填写题目（不超过300个字）。")})
    opts = [o.strip() for o in (options or []) if o and o.strip()]
    if kind == QuestionKind.CHOICE and len(opts) < 2:
        raise ValidationError({"options": _("选择题至少需要两个选项。")})
    if kind != QuestionKind.CHOICE:
        opts = []
    with transaction.atomic():
        order = survey.questions.count() + 1
        q = Question.objects.create(survey=survey, order=order, kind=kind, text=text, options=opts, required=required)
        event_append(
            subject=survey, action="survey.question_added", actor=actor, after={"question": text, "kind": kind}
        )
    return q


def survey_link_create(
    *, survey: Survey, actor: User, group: str, label: str = "", single_use: bool = False
) -> SurveyLink:
    survey_office_required(actor, survey)
    if group not in RespondentGroup.values:
        raise ValidationError({"group": _("请选择测评群体。")})
    with transaction.atomic():
        link = SurveyLink.objects.create(
            survey=survey,
            group=group,
            label=(label or "").strip()[:100],
            token=secrets.token_urlsafe(16),
            single_use=single_use,
        )
        event_append(
            subject=survey, action="survey.link_created", actor=actor, after={"group": group, "single_use": single_use}
        )
    return link


def survey_set_status(*, survey: Survey, actor: User, status: str) -> Survey:
    survey_office_required(actor, survey)
    allowed = {
        SurveyStatus.DRAFT: {SurveyStatus.OPEN},
        SurveyStatus.OPEN: {SurveyStatus.CLOSED},
        SurveyStatus.CLOSED: set(),
    }
    if status not in allowed[SurveyStatus(survey.status)]:
        raise ValidationError(_("问卷状态不能这样变更。"))
    if status == SurveyStatus.OPEN and not survey.questions.exists():
        raise ValidationError(_("问卷至少需要一道题目才能发布。"))
    with transaction.atomic():
        before = survey.status
        survey.status = status
        survey.save(update_fields=["status", "updated_at"])
        event_append(
            subject=survey, action="survey.status", actor=actor, before={"status": before}, after={"status": status}
        )
    return survey


def _h(*parts: str) -> str:
    return hashlib.sha256(("|".join([settings.SECRET_KEY, *parts])).encode()).hexdigest()


def survey_respond(*, link: SurveyLink, answers: dict[str, str], session_key: str, ip: str) -> SurveyResponse:
    """An anonymous response. Against ballot stuffing: a single-use link answers once; otherwise one
    response per (session + address) per survey; and at most `max_per_hour` per address per hour."""
    survey = link.survey
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError(_("该问卷当前不接受答卷。"))
    ip_hash = _h("ip", ip or "")
    fingerprint = _h("link", link.token) if link.single_use else _h("sess", str(survey.pk), session_key or "", ip or "")
    since = timezone.now() - timedelta(hours=1)
    if (
        SurveyResponse.objects.filter(survey=survey, ip_hash=ip_hash, created_at__gte=since).count()
        >= survey.max_per_hour
    ):
        raise ValidationError(_("提交过于频繁，请稍后再试。"))
    rows: list[Answer] = []
    errors: dict[str, str] = {}
    for q in survey.questions.all():
        raw = (answers.get(f"q{q.pk}") or "").strip()
        if not raw:
            if q.required:
                errors[f"q{q.pk}"] = _("请回答：%(q)s") % {"q": q.text}
            continue
        a = Answer(question=q)
        if q.kind == QuestionKind.RATING:
            if raw not in {"1", "2", "3", "4", "5"}:
                errors[f"q{q.pk}"] = _("评分须为1至5分：%(q)s") % {"q": q.text}
                continue
            a.score = int(raw)
        elif q.kind == QuestionKind.CHOICE:
            if raw not in q.options:
                errors[f"q{q.pk}"] = _("请从选项中选择：%(q)s") % {"q": q.text}
                continue
            a.choice = raw
        else:
            if len(raw) > 2000:
                errors[f"q{q.pk}"] = _("回答不能超过2000个字：%(q)s") % {"q": q.text}
                continue
            a.text = raw
        rows.append(a)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            resp = SurveyResponse.objects.create(
                survey=survey, link=link, group=link.group, fingerprint=fingerprint, ip_hash=ip_hash
            )
            for a in rows:
                a.response = resp
            Answer.objects.bulk_create(rows)
            # the trail of the response itself (its own chain: answers never contend on the survey);
            # nothing that identifies the respondent
            event_append(
                subject=resp,
                action="survey.responded",
                after={"group": link.group, "answers": len(rows)},
                tenant_id=survey.tenant_id,
            )
    except IntegrityError as e:
        raise ValidationError(_("您已提交过本问卷，感谢参与。")) from e
    return resp
