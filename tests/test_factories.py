"""The shared factories build their objects through the actions, so what a test gets is what
production has: a published item has its reviewed version in force, an accepted case its clocks, a
complaint its acceptance clock, a clock its due date, and every app's main record its number, clock
and event. Building an unsaved row is refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from xiaoneng.cases.choices import Status as CaseStatus
from xiaoneng.cases.models import Case
from xiaoneng.cases.tests.factories import CaseFactory
from xiaoneng.catalog.choices import VersionStatus
from xiaoneng.catalog.models import Item
from xiaoneng.catalog.tests.factories import PublishedItemFactory
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.tests.factories import ComplaintFactory
from xiaoneng.core.models import Event
from xiaoneng.disclosure.models import DisclosureRequest
from xiaoneng.disclosure.tests.factories import DisclosureRequestFactory
from xiaoneng.enterprise.models import Pairing
from xiaoneng.enterprise.tests.factories import PairingFactory
from xiaoneng.evaluation.choices import SchemeStatus
from xiaoneng.evaluation.models import Scheme
from xiaoneng.evaluation.tests.factories import SchemeFactory
from xiaoneng.inspections.choices import FilingStatus
from xiaoneng.inspections.models import InspectionFiling
from xiaoneng.inspections.tests.factories import InspectionFilingFactory
from xiaoneng.normative.models import NormativeDocument
from xiaoneng.normative.tests.factories import NormativeDocumentFactory
from xiaoneng.oversight.models import Rectification, SupervisedTask
from xiaoneng.oversight.tests.factories import RectificationFactory, SupervisedTaskFactory
from xiaoneng.proposals.models import Proposal
from xiaoneng.proposals.tests.factories import ProposalFactory
from xiaoneng.ratings.choices import Level
from xiaoneng.ratings.models import Rating
from xiaoneng.ratings.tests.factories import DeliveredCaseFactory, RatingFactory
from xiaoneng.supervision.choices import BulletinStatus
from xiaoneng.supervision.models import Bulletin
from xiaoneng.supervision.tests.factories import BulletinFactory
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


def actions(obj: Any) -> list[str]:
    return list(Event.objects.for_subject(obj).order_by("seq").values_list("action", flat=True))


def test_a_rating_is_given_to_a_case_delivered_through_the_case_actions():
    # RAT-1: only a completed case is rated; the factory carries it through submit, accept, deliver
    rating = cast(Rating, RatingFactory(level=Level.VERY_SATISFIED))
    case = rating.case
    assert case is not None
    assert case.status == CaseStatus.DELIVERED
    assert case.delivery_clock is not None
    assert case.delivery_clock.status == ClockStatus.STOPPED
    assert rating.department_id == case.department_id
    assert rating.rater_id == case.applicant_id
    assert rating.level == Level.VERY_SATISFIED
    assert "rating.submitted" in actions(rating)
    # and a second rating of the same case is refused by the action, as in production
    with pytest.raises(ValidationError, match="只能评价一次"):
        RatingFactory(case=case)


def test_a_rectification_is_opened_on_its_clock(world):
    rect = cast(Rectification, RectificationFactory(department=world.dept, actor=world.user("supervisor")))
    assert rect.clock is not None
    assert rect.clock.kind == "oversight.rectification"
    assert rect.clock.status == ClockStatus.RUNNING
    assert actions(rect) == ["rectification.opened"]


def test_a_supervised_task_gives_each_department_its_share_on_a_clock(world):
    # CAS-10: no stated limit, so each share is due in 15 working days
    task = cast(SupervisedTask, SupervisedTaskFactory(departments=[world.dept, world.other_dept]))
    assert task.number
    shares = list(task.assignments.select_related("clock"))
    assert {a.department_id for a in shares} == {world.dept.pk, world.other_dept.pk}
    assert all(a.clock is not None and a.clock.limit == 15 for a in shares)
    assert "task.assigned" in actions(task)


def test_a_disclosure_request_is_received_with_its_number_and_clock(world):
    req = cast(DisclosureRequest, DisclosureRequestFactory(department=world.dept))
    assert req.number
    assert req.clock is not None
    assert req.clock.status == ClockStatus.RUNNING
    assert req.verification_hash
    assert "disclosure.request_received" in actions(req)


def test_a_normative_document_is_submitted_for_review(world):
    doc = cast(NormativeDocument, NormativeDocumentFactory(department=world.dept, actor=world.user("clerk")))
    assert doc.review_clock is not None
    assert doc.review_clock.status == ClockStatus.RUNNING
    assert actions(doc) == ["normative.submitted"]


def test_a_proposal_is_registered_with_the_reply_and_opinion_clocks(world):
    proposal = cast(Proposal, ProposalFactory(lead_department=world.dept, cohandlers=[world.other_dept]))
    assert proposal.reply_clock is not None
    assert proposal.reply_clock.status == ClockStatus.RUNNING
    cohandling = proposal.cohandlings.get()
    assert cohandling.department_id == world.other_dept.pk
    assert cohandling.clock is not None
    assert actions(proposal)[:2] == ["proposal.registered", "proposal.assigned"]


def test_an_inspection_filing_waits_for_approval_on_its_clock(world):
    filing = cast(InspectionFiling, InspectionFilingFactory(department=world.dept))
    assert filing.number.startswith("JC-")
    assert filing.status == FilingStatus.PENDING
    assert filing.clock is not None
    assert filing.clock.kind == "inspections.filing"
    assert filing.officials.count() == 2
    assert actions(filing) == ["inspection_filing.submitted"]


def test_a_pairing_is_created_by_the_office(world):
    pairing = cast(Pairing, PairingFactory(department=world.dept, official=world.user("dept_head")))
    assert pairing.official_id == world.user("dept_head").pk
    assert actions(pairing) == ["enterprise.pairing.created"]


def test_a_scheme_is_created_as_a_draft(world):
    scheme = cast(Scheme, SchemeFactory(region=world.city, actor=world.user("supervisor")))
    assert scheme.status == SchemeStatus.DRAFT
    assert actions(scheme) == ["evaluation.scheme.created"]


def test_a_bulletin_is_drafted_unnumbered(world):
    bulletin = cast(Bulletin, BulletinFactory(region=world.city, actor=world.user("supervisor")))
    assert bulletin.status == BulletinStatus.DRAFT
    assert bulletin.number is None
    assert bulletin.title == "青溪市2026年10月效能通报"
    assert actions(bulletin) == ["bulletin.created"]


@pytest.mark.parametrize(
    "factory",
    [
        ClockFactory,
        CaseFactory,
        ComplaintFactory,
        PublishedItemFactory,
        DeliveredCaseFactory,
        RatingFactory,
        RectificationFactory,
        SupervisedTaskFactory,
        DisclosureRequestFactory,
        NormativeDocumentFactory,
        ProposalFactory,
        InspectionFilingFactory,
        PairingFactory,
        SchemeFactory,
        BulletinFactory,
    ],
)
def test_an_unsaved_row_is_refused(factory: Any):
    with pytest.raises(TypeError, match="only made by"):
        factory.build()
