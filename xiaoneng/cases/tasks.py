"""Periodic tasks of cases (registered in apps.py, enqueued by `manage.py run_scheduler`). Both are
idempotent: each case or task is re-checked under its lock before anything is written."""

from __future__ import annotations

__all__ = ["cases_deemed_acceptance", "cases_deemed_consent", "deemed_acceptance_run", "deemed_consent_run"]

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.tasks import task
from django.utils import timezone

from xiaoneng.cases.actions.intake import case_deem_accepted
from xiaoneng.cases.actions.steps import case_step_deemed_consent
from xiaoneng.cases.choices import Status, TaskStatus
from xiaoneng.cases.clocks import KIND_ACCEPTANCE, KIND_OPINION, KIND_STEP
from xiaoneng.cases.models import Case, StepTask
from xiaoneng.catalog.choices import OnTimeout
from xiaoneng.workdays.choices import ClockStatus
from xiaoneng.workdays.models import Clock


def deemed_acceptance_run(now: datetime | None = None) -> int:
    """CAS-1: every case still awaiting intake whose 5-working-day window has passed is accepted on
    its receipt date. One indexed query over clocks past due."""
    now = now or timezone.now()
    ct = ContentType.objects.get_for_model(Case)
    owner_ids = Clock.objects.filter(
        owner_type=ct, kind=KIND_ACCEPTANCE, status=ClockStatus.RUNNING, due_at__lte=now
    ).values_list("owner_id", flat=True)
    n = 0
    for case in Case.objects.filter(pk__in=list(owner_ids), status=Status.SUBMITTED).order_by("pk"):
        if case_deem_accepted(case=case, now=now):
            n += 1
    return n


def deemed_consent_run(now: datetime | None = None) -> int:
    """CAS-7: every active step past its limit whose definition says deemed consent."""
    now = now or timezone.now()
    ct = ContentType.objects.get_for_model(StepTask)
    owner_ids = Clock.objects.filter(
        owner_type=ct, kind__in=[KIND_STEP, KIND_OPINION], status=ClockStatus.RUNNING, due_at__lte=now
    ).values_list("owner_id", flat=True)
    tasks = StepTask.objects.filter(
        pk__in=list(owner_ids), status=TaskStatus.ACTIVE, step__on_timeout=OnTimeout.DEEMED_CONSENT
    ).order_by("case_id", "pk")
    n = 0
    for t in tasks:
        if case_step_deemed_consent(task=t, now=now) is not None:
            n += 1
    return n


@task()
def cases_deemed_acceptance() -> int:
    return deemed_acceptance_run()


@task()
def cases_deemed_consent() -> int:
    return deemed_consent_run()
