# mypy: disable-error-code="union-attr"
"""The enterprise demo loads on top of the orgs, catalog and cases demos through the services, is
idempotent and lawful: every open clock of the app is due in the future (nothing overdue), each
problem's status agrees with its clocks, visits lie within their pairing, the enterprise account reads
its own rows, and the monitoring reports reach the warning index's selector."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from xiaoneng.cases import demo as cases_demo
from xiaoneng.cases.models import Case
from xiaoneng.catalog import demo as catalog_demo
from xiaoneng.enterprise import demo
from xiaoneng.enterprise.choices import ApprovalStatus, ProblemStatus, ReportStatus
from xiaoneng.enterprise.models import (
    AgentProject,
    MonitoringPoint,
    MonitoringPointReport,
    Pairing,
    Problem,
    ProjectApproval,
    Visit,
)
from xiaoneng.enterprise.selectors import monitoring_reports_for, overdue_problems, problems_for
from xiaoneng.enterprise.services import APPROVAL_CLOCK_KIND, ASSIGN_CLOCK_KIND, REPLY_CLOCK_KIND, SOLVE_CLOCK_KIND
from xiaoneng.orgs import demo as orgs_demo
from xiaoneng.orgs.models import User
from xiaoneng.workdays.choices import OPEN_CLOCK_STATUSES, ClockStatus
from xiaoneng.workdays.models import Clock

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_is_lawful():
    out = io.StringIO()
    orgs_demo.load(out)
    catalog_demo.load(out)
    cases_demo.load(out)
    demo.load(out)
    demo.load(out)
    assert "enterprise demo: already loaded" in out.getvalue()
    assert (Pairing.objects.count(), Visit.objects.count(), Problem.objects.count()) == (2, 3, 3)
    assert (AgentProject.objects.count(), MonitoringPoint.objects.count()) == (1, 2)
    # nothing overdue: every open clock of the app is due after today
    today = timezone.localdate()
    kinds = (ASSIGN_CLOCK_KIND, SOLVE_CLOCK_KIND, APPROVAL_CLOCK_KIND, REPLY_CLOCK_KIND)
    open_clocks = Clock.objects.filter(kind__in=kinds, status__in=OPEN_CLOCK_STATUSES)
    assert open_clocks.count() == 3  # assign, solve, the pending approval
    assert not open_clocks.filter(due_date__lte=today).exists()
    office = User.objects.get(username="supervisor")
    assert not overdue_problems(office).exists()
    # each problem's status agrees with its clocks (ENT-3, ENT-4)
    by_status = {p.status: p for p in Problem.objects.select_related("clock", "assign_clock")}
    assert set(by_status) == {ProblemStatus.RAISED, ProblemStatus.ASSIGNED, ProblemStatus.CLOSED}
    assert by_status[ProblemStatus.RAISED].assign_clock.status == ClockStatus.RUNNING
    assert by_status[ProblemStatus.RAISED].clock is None
    assert by_status[ProblemStatus.ASSIGNED].assign_clock.status == ClockStatus.STOPPED
    assert by_status[ProblemStatus.ASSIGNED].clock.status == ClockStatus.RUNNING
    closed = by_status[ProblemStatus.CLOSED]
    assert closed.clock.status == ClockStatus.STOPPED
    assert closed.solved_at is not None
    assert closed.clock.due_date is not None
    assert closed.solved_at.date() <= closed.clock.due_date  # solved within its clock
    assert closed.satisfaction == 1
    # visits within their pairing's period (ENT-2)
    for v in Visit.objects.select_related("pairing"):
        assert v.pairing.started_on <= v.visited_on <= today
    # approvals: the pending one on the item's committed clock, the approved one stopped (ENT-5)
    for a in ProjectApproval.objects.select_related("clock"):
        expected = ClockStatus.RUNNING if a.status == ApprovalStatus.PENDING else ClockStatus.STOPPED
        assert a.clock.status == expected, a.item_name
    pending = ProjectApproval.objects.get(status=ApprovalStatus.PENDING)
    assert pending.item_name == "食品经营许可"
    # linked to the enterprise's own case of that item when the cases demo made one
    own_case = Case.objects.filter(applicant__username="company", item=pending.item_id).first()
    assert pending.case_id == (own_case.pk if own_case else None)
    # the enterprise account reads its own problems (ENT-6), the point's account its reports
    company = User.objects.get(username="company")
    assert problems_for(company).count() == 2
    monitor = User.objects.get(username="monitor")
    assert monitor.check_password(orgs_demo.DEMO_PASSWORD)
    assert monitoring_reports_for(monitor).count() == 2
    # both reports count in the warning index's source (ENT-7), one closed, one waiting without a clock
    reports = monitoring_reports_for(office).filter(monitoring_point__isnull=False)
    assert sorted(reports.values_list("status", flat=True)) == [ReportStatus.CLOSED, ReportStatus.SUBMITTED]
    assert MonitoringPointReport.objects.get(status=ReportStatus.SUBMITTED).clock is None
