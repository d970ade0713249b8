"""Every write to ratings and surveys (conventions §2).

RAT-1 one rating per completed case / in-hall service, five levels, voluntary, rater protected;
RAT-2 no rating within 7 natural days → 基本满意 marked defaulted (periodic task);
RAT-3 a bad review is verified with the rater, rectified within its Clock (5 working days by default,
XIAONENG_BAD_REVIEW_RECTIFICATION_DAYS), and the rater is called back; an upheld appeal removes it.
"""

from __future__ import annotations

__all__ = [
    "RATING_WINDOW_DAYS",
    "hall_service_record",
    "rating_appeal",
    "rating_appeal_decide",
    "rating_callback",
    "rating_invite_cases",
    "rating_link",
    "rating_submit",
    "rating_target",
    "rating_token",
    "rating_verify",
    "ratings_default",
    "survey_create",
    "survey_link_create",
    "survey_question_add",
    "survey_respond",
    "survey_set_status",
]

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.scoping import restrict
from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import User

from .choices import (
    BAD_LEVELS,
    AppealStatus,
    Handling,
    Level,
    QuestionKind,
    RespondentGroup,
    Source,
    SurveyStatus,
)
from .models import (
    Answer,
    InHallService,
    Question,
    Rating,
    RatingInvitation,
    Survey,
    SurveyLink,
    SurveyResponse,
)

RATING_WINDOW_DAYS = 7  # RAT-2: natural days
OFFICE_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})
_SALT = "xiaoneng.ratings"


def _rectification_days() -> int:
    return int(getattr(settings, "XIAONENG_BAD_REVIEW_RECTIFICATION_DAYS", 5))  # RAT-3 default


def _completed_case_statuses() -> tuple[str, ...]:
    from xiaoneng.cases.choices import Status

    return (Status.DELIVERED, Status.CLOSED)


def _can_office(actor: Any, rating: Rating | None = None) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    if actor.role not in OFFICE_ROLES:
        return False
    return rating is None or restrict(Rating.objects.filter(pk=rating.pk), actor).exists()


def _office_users(rating: Rating) -> list[User]:
    from xiaoneng.oversight.selectors import region_supervisors

    return list(region_supervisors(rating.department.region.path))


# --- tokens (SMS link, QR code, terminal) ----------------------------------------------------------


def rating_token(*, case: Any = None, service: InHallService | None = None) -> str:
    """A signed token naming what is to be rated; printed as a QR code or sent by SMS."""
    if case is not None:
        return signing.dumps({"k": "case", "id": case.pk}, salt=_SALT, compress=True)
    if service is not None:
        return signing.dumps({"k": "svc", "id": service.pk}, salt=_SALT, compress=True)
    raise ValueError("a case or a service")


def public_base_url() -> str:
    """The public site's address, for links that leave the site (a QR code on paper, an SMS):
    settings.XIAONENG_PUBLIC_URL (from the environment value of that name)."""
    return str(settings.XIAONENG_PUBLIC_URL).rstrip("/")


def rating_link(*, case: Any = None, service: InHallService | None = None, via: str = Source.WEB) -> str:
    """RAT-1: the absolute address of the rating page of a case or window service, marked with the
    channel it is printed on or sent by (`?via=qr` on the decision notice, `?via=sms` in an SMS)."""
    token = rating_token(case=case, service=service)
    return f"{public_base_url()}{reverse('ratings:rate', args=[token])}?via={via}"


def _sms_invite(*, phone: str, department_name: str, what: str, link: str) -> None:
    """Send the rating invitation after the commit, from the task worker with retries (issue 9: no SMS
    gateway call inside the web request); a carrier outage must not undo the service."""
    from xiaoneng.core.services import sms_send_later

    text = _("【%(dept)s】您办理的“%(what)s”已办结，欢迎对本次服务作出评价（自愿，评价人信息受保护）：%(link)s") % {
        "dept": department_name,
        "what": what[:40],
        "link": link,
    }
    sms_send_later(phone=phone, text=text)


def _invite(*, case: Any = None, service: InHallService | None = None, phone: str, now: datetime) -> bool:
    """RAT-1: one SMS invitation per case or window service (the RatingInvitation row is the guard)."""
    target = case if case is not None else service
    assert target is not None
    try:
        with transaction.atomic():
            inv = RatingInvitation.objects.create(
                tenant_id=target.department.tenant_id, case=case, service=service, sent_at=now
            )
            event_append(subject=target, action="rating.invited", after={"channel": Source.SMS, "invitation": inv.pk})
            _sms_invite(
                phone=phone,
                department_name=target.department.name,
                what=case.version.name if case is not None else service.service_name,  # type: ignore[union-attr]
                link=rating_link(case=case, service=service, via=Source.SMS),
            )
    except IntegrityError:  # already invited (a concurrent run)
        return False
    return True


def rating_invite_cases(*, now: datetime | None = None) -> int:
    """RAT-1: every case completed within the rating window (7 natural days, RAT-2), not yet rated nor
    invited, whose applicant left a mobile number gets one SMS with the link to its rating page.
    Idempotent (periodic task `ratings.invite`)."""
    from xiaoneng.cases.models import Case

    now = now or timezone.now()
    cases = (
        Case.objects.filter(status__in=_completed_case_statuses(), rating__isnull=True)
        .annotate(done_at=Coalesce("delivered_at", "closed_at"))
        .filter(done_at__gt=now - timedelta(days=RATING_WINDOW_DAYS), done_at__lte=now)
        .exclude(pk__in=RatingInvitation.objects.filter(case__isnull=False).values("case_id"))
        .select_related("department", "applicant", "version")
    )
    sent = 0
    for case in cases.iterator():
        phone = _mobile(case.applicant_phone) or _mobile(getattr(case.applicant, "phone", "") or "")
        if phone and _invite(case=case, phone=phone, now=now):
            sent += 1
    return sent


def _mobile(phone: str) -> str:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    return phone if len(phone) == 11 and phone.isdigit() and phone.startswith("1") else ""


def rating_target(token: str) -> tuple[Any, InHallService | None]:
    """(case, None) or (None, service) for a valid token; ValidationError otherwise."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=timedelta(days=90))
    except signing.BadSignature as e:
        raise ValidationError(_("评价链接无效或已过期。")) from e
    if data.get("k") == "case":
        from xiaoneng.cases.models import Case

        case = Case.objects.filter(pk=data.get("id")).select_related("department").first()
        if case is None:
            raise ValidationError(_("评价链接无效或已过期。"))
        return case, None
    service = InHallService.objects.filter(pk=data.get("id")).select_related("department").first()
    if service is None:
        raise ValidationError(_("评价链接无效或已过期。"))
    return None, service


# --- rating ------------------------------------------------------------------------------------------


def hall_service_record(
    *, actor: User, service_name: str, window: str = "", person_phone: str = "", case: Any = None
) -> InHallService:
    """A window clerk records a service so that the person can rate it at the terminal or by SMS."""
    if actor.role not in DEPARTMENT_ROLES or actor.department_id is None:
        raise PermissionDenied(_("只有窗口工作人员可以登记窗口服务。"))
    service_name = (service_name or "").strip()
    if not service_name:
        raise ValidationError({"service_name": _("请填写服务内容。")})
    if len(service_name) > 200:
        raise ValidationError({"service_name": _("服务内容不能超过200个字。")})
    phone = (person_phone or "").strip()
    if phone and (len(phone) != 11 or not phone.isdigit() or not phone.startswith("1")):
        raise ValidationError({"person_phone": _("手机号格式不正确。")})
    department = actor.department
    assert department is not None
    with transaction.atomic():
        svc = InHallService.objects.create(
            tenant_id=department.tenant_id,
            department_id=actor.department_id,
            clerk=actor,
            window=window.strip()[:30],
            service_name=service_name,
            served_at=timezone.now(),
            person_phone=phone,
            case=case,
        )
        event_append(subject=svc, action="hall_service.recorded", actor=actor, after={"service": service_name})
        if phone:
            # RAT-1: the person may also rate later from the SMS link (the terminal is one channel)
            _invite(service=svc, phone=phone, now=svc.served_at)
    return svc


def rating_submit(
    *,
    level: int,
    source: str,
    case: Any = None,
    service: InHallService | None = None,
    comment: str = "",
    reason: str = "",
    actor: Any = None,
    rater_phone: str = "",
) -> Rating:
    """RAT-1: one rating per completed case or in-hall service; voluntary; the rater is protected.
    A bad review (不满意/非常不满意) must state the problem in `reason` (国办发〔2019〕51号: 差评须
    说明问题) and goes to the efficiency office for verification (RAT-3). Every input rule is checked
    in one round, so the rater sees all that is missing at once (issue 9)."""
    errors: dict[str, list[str]] = {}
    try:
        level = int(level)
    except (TypeError, ValueError, OverflowError):
        level = 0
    if level not in Level.values:
        errors.setdefault("level", []).append(_("请选择五个评价等级之一。"))
    if source not in Source.values or source == Source.DEFAULT:
        errors.setdefault("source", []).append(_("评价渠道不正确。"))
    comment = (comment or "").strip() if isinstance(comment, str) else ""
    if len(comment) > 1000:
        errors.setdefault("comment", []).append(_("评价意见不能超过1000个字。"))
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if level in BAD_LEVELS:
        if not reason:  # RAT-1 / 国办发〔2019〕51号
            errors.setdefault("reason", []).append(_("选择“不满意”或“非常不满意”时，请说明遇到的问题。"))
        elif len(reason) > 1000:
            errors.setdefault("reason", []).append(_("差评原因不能超过1000个字。"))
    else:
        reason = ""  # only a bad review carries a reason
    if errors:
        raise ValidationError(errors)
    if (case is None) == (service is None):
        raise ValidationError(_("请选择要评价的办件或窗口服务。"))
    if case is not None:
        if case.status not in _completed_case_statuses():
            raise ValidationError(_("办件办结后才能评价。"))
        department = case.department
        user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        if user is not None and user.role == Role.APPLICANT and case.applicant_id not in (None, user.pk):
            raise PermissionDenied(_("只能评价本人的办件。"))
    else:
        assert service is not None
        department = service.department
        user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        if user is not None and user.role in DEPARTMENT_ROLES:
            user = None  # a terminal at the window: the clerk's session is not the rater
    existing = Rating.objects.filter(case=case) if case is not None else Rating.objects.filter(service=service)
    if existing.exists():
        raise ValidationError(_("该服务已经评价过了（每项服务只能评价一次）。"))
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                tenant_id=department.tenant_id,
                case=case,
                service=service,
                department=department,
                level=level,
                comment=comment,
                reason=reason,
                source=source,
                rated_at=timezone.now(),
                rater=user,
                rater_phone=rater_phone or (user.phone if user is not None and user.phone else "")[:11],
                handling=Handling.PENDING if level in (Level.UNSATISFIED, Level.VERY_UNSATISFIED) else Handling.NONE,
            )
            event_append(subject=rating, action="rating.submitted", after={"level": level, "source": source})
            if rating.handling == Handling.PENDING:
                notify(
                    recipients=_office_users(rating),
                    title=_("收到差评，请核实：%(dept)s") % {"dept": department.name},
                    body=reason,
                    url=reverse("ratings:detail", args=[rating.pk]),
                )
    except IntegrityError as e:  # a concurrent rating of the same target won (unique constraint)
        raise ValidationError(_("该服务已经评价过了（每项服务只能评价一次）。")) from e
    return rating


def ratings_default(*, now: datetime | None = None) -> int:
    """RAT-2: a completed case or in-hall service with no rating within 7 natural days is recorded as
    基本满意, marked as defaulted. Idempotent (the one-per-target constraint)."""
    from xiaoneng.cases.models import Case

    now = now or timezone.now()
    cutoff = now - timedelta(days=RATING_WINDOW_DAYS)
    made = 0
    cases = (
        Case.objects.filter(status__in=_completed_case_statuses(), rating__isnull=True)
        .annotate(done_at=Coalesce("delivered_at", "closed_at"))
        .filter(done_at__lte=cutoff)
        .select_related("department")
    )
    services = InHallService.objects.filter(rating__isnull=True, served_at__lte=cutoff).select_related("department")
    targets: list[tuple[Any, InHallService | None]] = [(c, None) for c in cases.iterator()]
    targets += [(None, s) for s in services.iterator()]
    for case, service in targets:
        department = case.department if case is not None else service.department  # type: ignore[union-attr]
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    tenant_id=department.tenant_id,
                    case=case,
                    service=service,
                    department=department,
                    level=Level.BASIC,
                    source=Source.DEFAULT,
                    defaulted=True,
                    rated_at=now,
                )
                event_append(subject=rating, action="rating.defaulted", after={"level": Level.BASIC})
        except IntegrityError:
            continue
        made += 1
    return made


def _locked(rating: Rating) -> Rating:
    return Rating.objects.select_for_update().select_related("department__region").get(pk=rating.pk)


def rating_verify(*, rating: Rating, actor: User, note: str) -> Rating:
    """RAT-3: the office verifies the bad review with the rater, then a Rectification opens with its
    own Clock (5 working days by default)."""
    if not _can_office(actor, rating):
        raise PermissionDenied(_("只有效能办可以核实差评。"))
    note = (note or "").strip()
    if len(note) < 4:
        raise ValidationError({"note": _("请填写与评价人核实的情况（至少4个字）。")})
    from xiaoneng.oversight.services import rectification_open

    with transaction.atomic():
        r = _locked(rating)
        if r.handling != Handling.PENDING or r.removed:
            raise ValidationError(_("该评价不在待核实状态。"))
        r.handling = Handling.RECTIFYING
        r.verification_note = note
        r.verified_at = timezone.now()
        r.save(update_fields=["handling", "verification_note", "verified_at", "updated_at"])
        rectification_open(
            department=r.department,
            title=_("差评整改：%(level)s") % {"level": r.get_level_display()},
            problem=_("服务对象评价“%(level)s”：%(comment)s\n核实情况：%(note)s")
            % {"level": r.get_level_display(), "comment": r.comment or "—", "note": note},
            source=r,
            limit=_rectification_days(),
            actor=actor,
        )
        event_append(subject=r, action="rating.verified", actor=actor, after={"handling": r.handling}, reason=note)
    return r


def rectification_of(rating: Rating) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from xiaoneng.oversight.models import Rectification

    ct = ContentType.objects.get_for_model(Rating)
    return Rectification.objects.filter(source_type=ct, source_id=str(rating.pk)).select_related("clock").first()


def rating_callback(*, rating: Rating, actor: User, note: str, satisfied: bool) -> Rating:
    """RAT-3: after the rectification is verified, the office calls the rater back."""
    if not _can_office(actor, rating):
        raise PermissionDenied(_("只有效能办可以回访评价人。"))
    note = (note or "").strip()
    if len(note) < 4:
        raise ValidationError({"note": _("请填写回访记录（至少4个字）。")})
    rect = rectification_of(rating)
    if rect is None or rect.status != "closed":
        raise ValidationError(_("整改核验销号后才能回访评价人。"))
    with transaction.atomic():
        r = _locked(rating)
        if r.handling != Handling.RECTIFYING:
            raise ValidationError(_("该评价不在整改中，不能回访。"))
        r.handling = Handling.CALLED_BACK
        r.rectified = True
        r.callback_at = timezone.now()
        r.callback_note = note
        r.callback_satisfied = satisfied
        r.save(
            update_fields=["handling", "rectified", "callback_at", "callback_note", "callback_satisfied", "updated_at"]
        )
        event_append(subject=r, action="rating.called_back", actor=actor, after={"satisfied": satisfied}, reason=note)
    return r


def rating_appeal(*, rating: Rating, actor: User, reason: str) -> Rating:
    """RAT-3: the department appeals a mistaken or malicious review, with reasons."""
    if actor.role not in DEPARTMENT_ROLES or actor.department_id != rating.department_id:
        raise PermissionDenied(_("只有被评价部门可以申诉。"))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("请写明申诉理由（至少10个字）。")})
    with transaction.atomic():
        r = _locked(rating)
        if r.removed or r.appeal_status or not r.is_bad:
            raise ValidationError(_("该评价不能申诉（只能对差评申诉一次）。"))
        r.appeal_status = AppealStatus.PENDING
        r.appeal_reason = reason
        r.save(update_fields=["appeal_status", "appeal_reason", "updated_at"])
        event_append(subject=r, action="rating.appealed", actor=actor, reason=reason)
        notify(
            recipients=_office_users(r),
            title=_("差评申诉待审核：%(dept)s") % {"dept": r.department.name},
            url=reverse("ratings:detail", args=[r.pk]),
        )
    return r


def rating_appeal_decide(*, rating: Rating, actor: User, uphold: bool, note: str) -> Rating:
    """The office reviews the appeal: upheld removes the review from every published figure."""
    if not _can_office(actor, rating):
        raise PermissionDenied(_("只有效能办可以审核申诉。"))
    note = (note or "").strip()
    if len(note) < 4:
        raise ValidationError({"note": _("请填写审核意见（至少4个字）。")})
    with transaction.atomic():
        r = _locked(rating)
        if r.appeal_status != AppealStatus.PENDING:
            raise ValidationError(_("该评价没有待审核的申诉。"))
        r.appeal_status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
        r.appeal_note = note
        fields = ["appeal_status", "appeal_note", "updated_at"]
        if uphold:
            r.removed = True
            if r.handling == Handling.PENDING:
                r.handling = Handling.NONE
            fields += ["removed", "handling"]
        r.save(update_fields=fields)
        event_append(subject=r, action="rating.appeal_decided", actor=actor, after={"upheld": uphold}, reason=note)
    return r


# --- surveys -------------------------------------------------------------------------------------


def _survey_office(actor: Any, survey: Survey | None = None) -> None:
    ok = (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and (actor.is_superuser or (actor.role in OFFICE_ROLES and actor.region_id is not None))
    )
    if ok and survey is not None and not actor.is_superuser:
        ok = restrict(Survey.objects.filter(pk=survey.pk), actor).exists()
    if not ok:
        raise PermissionDenied(_("只有效能办可以管理社会测评问卷。"))


def survey_create(*, actor: User, title: str, description: str = "", max_per_hour: int = 20) -> Survey:
    _survey_office(actor)
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
    _survey_office(actor, survey)
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
    _survey_office(actor, survey)
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
    _survey_office(actor, survey)
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
