"""Permission-scoped reads of normative documents, the public list (NOR-6) and the late filings that
supervision reads (NOR-5)."""

from __future__ import annotations

__all__ = ["documents_due_for_evaluation", "documents_for", "late_filings", "public_documents"]

from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from xiaoneng.core.scoping import restrict
from xiaoneng.normative.choices import DocumentStatus
from xiaoneng.normative.models import PUBLIC_STATUSES, NormativeDocument
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES
from xiaoneng.workdays.models import Clock


def documents_for(user: Any) -> QuerySet[NormativeDocument]:
    """Every document the user may see in the workbench (NOR-7): published ones for everyone, drafts
    for their department or the region's legal office and supervisors."""
    return restrict(NormativeDocument.objects.select_related("department", "review_clock", "filing_clock"), user)


def public_documents(*, effective_only: bool = True, today: date | None = None) -> QuerySet[NormativeDocument]:
    """NOR-6: the public list. By default only documents in force today (published, effective, within
    their validity); with `effective_only=False` also those expired, not yet in force or repealed."""
    today = today or timezone.localdate()
    qs = NormativeDocument.objects.filter(status__in=PUBLIC_STATUSES).select_related("department")
    if effective_only:
        qs = qs.filter(status=DocumentStatus.PUBLISHED, effective_from__lte=today, valid_until__gte=today)
    return qs.order_by("-published_on", "-id")


def documents_due_for_evaluation(user: Any, *, today: date | None = None) -> QuerySet[NormativeDocument]:
    """NOR-6: published documents whose evaluation date has come (评估清理)."""
    today = today or timezone.localdate()
    return documents_for(user).filter(status=DocumentStatus.PUBLISHED, evaluation_due_on__lte=today)


def late_filings(user: Any) -> QuerySet[NormativeDocument]:
    """NOR-5, for supervision: published documents whose filing clock is still open past its due date
    (or was met late: filed after the due date)."""
    today = timezone.localdate()
    open_late = Q(filing_clock__status__in=OPEN_CLOCK_STATUSES, filing_clock__due_date__lt=today)
    filed_late = Q(filed_on__isnull=False, filing_clock__due_date__lt=F("filed_on"))
    # scoped by the clocks (no public part): published documents are public, their filing is not
    clocks = restrict(Clock.objects.filter(kind="normative.filing"), user).values("pk")
    return documents_for(user).filter(open_late | filed_late, filing_clock__in=clocks)
