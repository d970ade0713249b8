"""Every write of normative documents (conventions §2): submit, review, publish, file, evaluate.
Each action checks permission, validates, writes, appends the Event and notifies on commit."""

from __future__ import annotations

__all__ = [
    "FILING_CLOCK_KIND",
    "REVIEW_CLOCK_KIND",
    "document_evaluate",
    "document_file",
    "document_publish",
    "document_review",
    "document_submit",
]

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.core.services import notify
from xiaoneng.core.trail import event_append
from xiaoneng.normative.choices import (
    DOCUMENT_TRANSITIONS,
    DocumentStatus,
    EvaluationOutcome,
    FilingBody,
    ReviewOutcome,
)
from xiaoneng.normative.inputs import add_months, check_choice, check_date, check_text
from xiaoneng.normative.models import NormativeDocument
from xiaoneng.normative.permissions import can_file, can_publish, can_review, can_submit, in_region
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import Department, User
from xiaoneng.workdays.choices import ClockUnit
from xiaoneng.workdays.services import clock_start, clock_stop

REVIEW_CLOCK_KIND = "normative.review"
FILING_CLOCK_KIND = "normative.filing"
MAX_VALID_YEARS = 5  # NOR-4


def review_days() -> int:
    # NOR-2 default: 国办发〔2018〕115号 — at most 15 working days
    return int(getattr(settings, "XIAONENG_NORMATIVE_REVIEW_DAYS", 15))


def filing_days() -> int:
    # NOR-5 default: filed within 30 days of publication
    return int(getattr(settings, "XIAONENG_NORMATIVE_FILING_DAYS", 30))


def evaluation_months_before() -> int:
    # NOR-6 default: evaluated 6 months before the validity ends
    return int(getattr(settings, "XIAONENG_NORMATIVE_REVIEW_MONTHS_BEFORE", 6))


def _transition(document: NormativeDocument, action: str) -> str:
    sources, target = DOCUMENT_TRANSITIONS[action]
    if document.status not in sources:
        raise ValidationError(
            _("文件当前状态为“%(status)s”，不能执行该操作。") % {"status": document.get_status_display()},
            code="state",
        )
    return target


def _url(document: NormativeDocument) -> str:
    return reverse("normative:document", args=[document.pk])


def _locked(document: NormativeDocument) -> NormativeDocument:
    return (
        NormativeDocument.objects.select_for_update(of=("self",))
        .select_related("department__region", "review_clock", "filing_clock")
        .get(pk=document.pk)
    )


def _legal_office(department: Department) -> list[User]:
    """The legal office staff whose region contains the department (NOR-1)."""
    people = User.objects.filter(role=Role.LEGAL, is_active=True).select_related("region")
    return [u for u in people if in_region(u, department)]


def _local_instant(day: date) -> datetime:
    """Noon of `day` in local time: the instant a dated act (publication, filing) is taken to happen."""
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def document_submit(*, actor: Any, department: Department, title: str, summary: str) -> NormativeDocument:
    """NOR-1, NOR-2: the drafting department submits a draft for the legal office's review, which
    runs on a working-day Clock."""
    if not can_submit(actor, department):
        raise PermissionDenied(_("只有起草单位的工作人员可以报送规范性文件草案。"))
    name = check_text(title, label=_("文件名称"), max_length=200)
    text = check_text(summary, label=_("主要内容"))
    with transaction.atomic():
        document = NormativeDocument.objects.create(
            tenant_id=department.tenant_id, department=department, title=name, summary=text, submitted_by=actor
        )
        document.review_clock = clock_start(
            owner=document,
            kind=REVIEW_CLOCK_KIND,
            label=_("规范性文件合法性审核：%(title)s") % {"title": name[:60]},
            limit=review_days(),
            statutory_limit=15,
            legal_basis=_("国办发〔2018〕115号"),
            department=department,
            actor=actor,
        )
        document.save(update_fields=["review_clock", "updated_at"])
        event_append(
            subject=document,
            action="normative.submitted",
            actor=actor,
            after={"status": document.status, "title": name, "department": department.pk},
        )
        notify(
            recipients=_legal_office(department),
            title=_("规范性文件待合法性审核：%(title)s") % {"title": name[:60]},
            body=_("起草单位：%(dept)s。") % {"dept": department.name},
            url=_url(document),
        )
    return document


def document_review(*, actor: Any, document: NormativeDocument, outcome: str, opinion: str) -> NormativeDocument:
    """NOR-3: the legal office's conclusion. 修改后通过 states the changes; 不予通过 states the reasons."""
    if not can_review(actor, document):
        raise PermissionDenied(_("只有法制审核机构可以审核规范性文件。"))
    result = check_choice(outcome, choices=ReviewOutcome, label=_("审核结论"))
    needs_text = result in (ReviewOutcome.PASSED_AMENDED, ReviewOutcome.FAILED)
    label = _("不予通过的理由") if result == ReviewOutcome.FAILED else _("审核意见")
    text = check_text(opinion, label=label, required=needs_text)
    with transaction.atomic():
        d = _locked(document)
        target = _transition(d, "reject" if result == ReviewOutcome.FAILED else "approve")
        before = d.status
        d.status = target
        d.review_outcome = result
        d.review_opinion = text
        d.reviewed_by = actor
        d.reviewed_at = timezone.now()
        d.save(update_fields=["status", "review_outcome", "review_opinion", "reviewed_by", "reviewed_at", "updated_at"])
        if d.review_clock is not None:
            clock_stop(clock=d.review_clock, actor=actor)
        event_append(
            subject=d,
            action="normative.reviewed",
            actor=actor,
            before={"status": before},
            after={"status": d.status, "outcome": result},
            reason=text,
        )
        notify(
            recipients=[d.submitted_by],
            title=_("规范性文件审核结论：%(outcome)s") % {"outcome": ReviewOutcome(result).label},
            body=text,
            url=_url(d),
        )
    return d


def document_publish(
    *,
    actor: Any,
    document: NormativeDocument,
    number: str,
    published_on: Any,
    effective_from: Any,
    valid_years: Any = MAX_VALID_YEARS,
) -> NormativeDocument:
    """NOR-4: publish an approved document with its number, dates and validity; NOR-5 starts the
    filing Clock from the publication date; NOR-6 sets the evaluation date."""
    if not can_publish(actor, document):
        raise PermissionDenied(_("只有起草单位负责人可以发布规范性文件。"))
    code = check_text(number, label=_("文号"), max_length=60)
    today = timezone.localdate()
    if not isinstance(valid_years, int) or isinstance(valid_years, bool) or not 1 <= valid_years <= MAX_VALID_YEARS:
        raise ValidationError(_("有效期应为1至%(n)d年。") % {"n": MAX_VALID_YEARS}, code="valid_years")
    with transaction.atomic():
        d = _locked(document)
        target = _transition(d, "publish")
        reviewed = timezone.localdate(d.reviewed_at) if d.reviewed_at else today
        day = check_date(published_on, label=_("发布日期"), earliest=reviewed, latest=today)
        start = check_date(effective_from, label=_("施行日期"), earliest=day, latest=day + timedelta(days=366))
        if NormativeDocument.objects.filter(tenant_id=d.tenant_id, number=code).exclude(pk=d.pk).exists():
            raise ValidationError(_("该文号已被使用。"), code="number_taken")
        d.status = target
        d.number = code
        d.published_on = day
        d.effective_from = start
        d.valid_until = add_months(start, 12 * valid_years) - timedelta(days=1)
        d.evaluation_due_on = add_months(d.valid_until, -evaluation_months_before())
        d.filing_clock = clock_start(
            owner=d,
            kind=FILING_CLOCK_KIND,
            label=_("规范性文件报送备案：%(number)s") % {"number": code},
            limit=filing_days(),
            unit=ClockUnit.NATURAL_DAYS,
            started_at=_local_instant(day),
            legal_basis=_("法规规章备案条例 第三条；国办发〔2018〕37号"),
            department=d.department,
            actor=actor,
        )
        d.save(
            update_fields=[
                "status",
                "number",
                "published_on",
                "effective_from",
                "valid_until",
                "evaluation_due_on",
                "filing_clock",
                "updated_at",
            ]
        )
        event_append(
            subject=d,
            action="normative.published",
            actor=actor,
            before={"status": DocumentStatus.APPROVED},
            after={
                "status": d.status,
                "number": code,
                "published_on": day.isoformat(),
                "effective_from": start.isoformat(),
                "valid_until": d.valid_until.isoformat(),
            },
        )
    return d


def document_file(
    *, actor: Any, document: NormativeDocument, filed_with: str, filed_on: Any, filing_ref: str = ""
) -> NormativeDocument:
    """NOR-5: record the filing (备案) with the next-level government or the standing committee; the
    filing Clock stops on the filing date (late if after its due date)."""
    if not can_file(actor, document):
        raise PermissionDenied(_("只有起草单位负责人或法制审核机构可以登记备案。"))
    body = check_choice(filed_with, choices=FilingBody, label=_("备案机关"))
    ref = check_text(filing_ref, label=_("备案登记号"), max_length=60, required=False)
    today = timezone.localdate()
    with transaction.atomic():
        d = _locked(document)
        _transition(d, "file")
        if d.filed_on is not None:
            raise ValidationError(_("该文件已登记备案。"), code="already_filed")
        if d.published_on is None:  # published
            raise RuntimeError("invariant: d.published_on is not None")
        day = check_date(filed_on, label=_("报送备案日期"), earliest=d.published_on, latest=today)
        d.filed_with = body
        d.filed_on = day
        d.filing_ref = ref
        d.save(update_fields=["filed_with", "filed_on", "filing_ref", "updated_at"])
        if d.filing_clock is not None:
            clock_stop(clock=d.filing_clock, actor=actor, at=min(timezone.now(), _local_instant(day)))
        event_append(
            subject=d,
            action="normative.filed",
            actor=actor,
            after={"filed_with": body, "filed_on": day.isoformat(), "filing_ref": ref},
        )
    return d


def document_evaluate(
    *,
    actor: Any,
    document: NormativeDocument,
    outcome: str,
    note: str,
    valid_until: Any = None,
) -> NormativeDocument:
    """NOR-6 评估清理: continue the document (a new end of validity, at most 5 years after the old one)
    or repeal it (废止, with the reasons)."""
    if not can_publish(actor, document):
        raise PermissionDenied(_("只有起草单位负责人可以评估清理规范性文件。"))
    result = check_choice(outcome, choices=EvaluationOutcome, label=_("评估结论"))
    text = check_text(note, label=_("评估意见"))
    today = timezone.localdate()
    with transaction.atomic():
        d = _locked(document)
        target = _transition(d, "repeal" if result == EvaluationOutcome.REPEAL else "continue")
        before = {"status": d.status, "valid_until": d.valid_until.isoformat() if d.valid_until else None}
        if result == EvaluationOutcome.CONTINUE:
            if d.valid_until is None:
                raise RuntimeError("invariant: d.valid_until is not None")
            if d.valid_until < today:
                raise ValidationError(
                    _("文件已超过有效期而失效，不能延续；需要继续实施的，请重新起草报审。"), code="expired"
                )
            end = check_date(
                valid_until,
                label=_("新的有效期至"),
                earliest=max(d.valid_until, today) + timedelta(days=1),
                latest=add_months(d.valid_until, 12 * MAX_VALID_YEARS),
            )
            d.valid_until = end
            d.evaluation_due_on = add_months(end, -evaluation_months_before())
        else:
            d.repealed_on = today
            d.repeal_reason = text
        d.status = target
        d.last_evaluation = result
        d.last_evaluated_on = today
        d.save(
            update_fields=[
                "status",
                "valid_until",
                "evaluation_due_on",
                "repealed_on",
                "repeal_reason",
                "last_evaluation",
                "last_evaluated_on",
                "updated_at",
            ]
        )
        event_append(
            subject=d,
            action="normative.evaluated",
            actor=actor,
            before=before,
            after={
                "status": d.status,
                "outcome": result,
                "valid_until": d.valid_until.isoformat() if d.valid_until else None,
            },
            reason=text,
        )
    return d
