"""The shared factories build their objects through the actions, so what a test gets is what
production has: a published item has its reviewed version in force, an accepted case its clocks, a
complaint its acceptance clock, a clock its due date. Building an unsaved row is refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from xiaoneng.cases.choices import Status as CaseStatus
from xiaoneng.cases.models import Case
from xiaoneng.cases.tests.factories import CaseFactory
from xiaoneng.catalog.choices import VersionStatus
from xiaoneng.catalog.models import Item
from xiaoneng.catalog.tests.factories import PublishedItemFactory
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.tests.factories import ComplaintFactory
from xiaoneng.workdays.choices import ClockStatus
from xiaoneng.workdays.models import Clock
from xiaoneng.workdays.tests.factories import ClockFactory

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_a_published_item_has_its_reviewed_version_in_force():
    item = cast(Item, PublishedItemFactory())
    assert item.published is not None
    assert item.published.status == VersionStatus.PUBLISHED
    assert item.published == item.head


def test_a_case_is_submitted_and_accepted_through_the_intake_actions(world, published_item):
    submitted = cast(Case, CaseFactory(item=published_item, actor=world.user("applicant")))
    assert submitted.status == CaseStatus.SUBMITTED
    assert submitted.acceptance_clock is not None
    accepted = cast(
        Case, CaseFactory(item=published_item, actor=world.user("applicant"), accepted_by=world.user("clerk"))
    )
    assert accepted.status != CaseStatus.SUBMITTED
    assert accepted.tracking_number != submitted.tracking_number


def test_a_complaint_is_received_with_its_clock(world):
    complaint = cast(Complaint, ComplaintFactory(department=world.dept))
    assert complaint.number
    assert complaint.accept_clock is not None


def test_a_clock_counts_working_days_from_the_next_day(world):
    # CLK-2: started on Friday 2026-10-09 the period counts from the next day; Saturday 10 October is a
    # working day swapped for the National Day holiday (调休), so 5 working days are Sat 10, Mon 12 … Thu 15
    clock = cast(Clock, ClockFactory(department=world.dept, limit=5, started_at=datetime(2026, 10, 9, 10, tzinfo=SH)))
    assert clock.status == ClockStatus.RUNNING
    assert clock.due_date == date(2026, 10, 15)


@pytest.mark.parametrize("factory", [ClockFactory, CaseFactory, ComplaintFactory, PublishedItemFactory])
def test_an_unsaved_row_is_refused(factory: Any):
    with pytest.raises(TypeError, match="only made by"):
        factory.build()
