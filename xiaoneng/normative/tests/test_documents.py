"""The life of a normative document: review on a Clock (NOR-1 … NOR-3), publication (NOR-4), filing on
a Clock (NOR-5), evaluation, expiry and the public list (NOR-6), roles (NOR-7)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoneng.core.models import Event
from xiaoneng.normative.inputs import add_months
from xiaoneng.normative.models import NormativeDocument
from xiaoneng.normative.selectors import documents_due_for_evaluation, late_filings, public_documents
from xiaoneng.normative.services import (
    FILING_CLOCK_KIND,
    REVIEW_CLOCK_KIND,
    document_evaluate,
    document_file,
    document_review,
)
from xiaoneng.normative.tests.conftest import publish, submit
from xiaoneng.workdays.choices import ClockStatus, ClockUnit


def _actions(document: NormativeDocument) -> list[str]:
    return list(
        Event.objects.filter(subject_id=str(document.pk), action__startswith="normative.").values_list(
            "action", flat=True
        )
    )


def test_submission_starts_a_15_working_day_review_clock(world, draft):
    # NOR-2: 国办发〔2018〕115号 — at most 15 working days
    clock = draft.review_clock
    assert clock.kind == REVIEW_CLOCK_KIND
    assert clock.unit == ClockUnit.WORKING_DAYS
    assert clock.limit == 15
    assert clock.status == ClockStatus.RUNNING
    assert draft.status == "reviewing"
    assert _actions(draft) == ["normative.submitted"]


def test_only_the_drafting_departments_staff_submit(world):
    # NOR-7
    for key in ("other_clerk", "legal", "supervisor", "applicant"):
        with pytest.raises(PermissionDenied):
            submit(world, actor=world.user(key))
    assert not NormativeDocument.objects.exists()


def test_legal_office_passes_and_the_head_publishes_with_validity_and_filing_clock(world, approved):
    # NOR-3, NOR-4, NOR-5, NOR-6
    assert approved.status == "approved"
    assert approved.review_outcome == "passed"
    approved.review_clock.refresh_from_db()
    assert approved.review_clock.status == ClockStatus.STOPPED
    today = timezone.localdate()
    doc = publish(world, approved, effective_from=today + timedelta(days=30))
    start = today + timedelta(days=30)
    assert doc.status == "published"
    assert doc.number == "青市监规〔2026〕1号"
    # NOR-4 default validity: 5 years, ending the day before the fifth anniversary
    assert doc.valid_until == add_months(start, 60) - timedelta(days=1)
    # NOR-6: evaluation 6 months before the end
    assert doc.evaluation_due_on == add_months(doc.valid_until, -6)
    clock = doc.filing_clock
    assert clock is not None
    assert clock.kind == FILING_CLOCK_KIND
    assert clock.unit == ClockUnit.NATURAL_DAYS
    assert clock.limit == 30
    # CLK-2: counted from the day after publication
    assert clock.due_date == today + timedelta(days=30)
    assert _actions(doc) == ["normative.submitted", "normative.reviewed", "normative.published"]


def test_amended_pass_needs_the_changes_and_a_refusal_its_reasons(world, draft):
    # NOR-3
    with pytest.raises(ValidationError):
        document_review(actor=world.user("legal"), document=draft, outcome="amended", opinion="")
    with pytest.raises(ValidationError):
        document_review(actor=world.user("legal"), document=draft, outcome="failed", opinion="  ")
    with pytest.raises(ValidationError):
        document_review(actor=world.user("legal"), document=draft, outcome="maybe", opinion="x")
    doc = document_review(
        actor=world.user("legal"), document=draft, outcome="amended", opinion="删除第八条关于收取保证金的规定"
    )
    assert doc.status == "approved"
    assert doc.review_outcome == "amended"


def test_a_failed_review_blocks_publication(world, draft):
    # NOR-1: 未经合法性审核或者经审核不合法的，不得发布
    with pytest.raises(ValidationError):
        publish(world, draft)  # not reviewed yet
    doc = document_review(
        actor=world.user("legal"), document=draft, outcome="failed", opinion="设定了行政许可，超越权限"
    )
    assert doc.status == "rejected"
    with pytest.raises(ValidationError):
        publish(world, doc)
    assert NormativeDocument.objects.get().number == ""


@pytest.mark.parametrize("key", ["clerk", "dept_head", "other_clerk", "supervisor", "county_supervisor"])
def test_only_the_legal_office_reviews(world, draft, key):
    # NOR-1
    with pytest.raises(PermissionDenied):
        document_review(actor=world.user(key), document=draft, outcome="passed", opinion="")


@pytest.mark.parametrize("key", ["clerk", "legal", "other_clerk", "supervisor"])
def test_only_the_drafting_head_publishes(world, approved, key):
    with pytest.raises(PermissionDenied):
        publish(world, approved, actor=world.user(key))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", ""),
        ("number", "号" * 300),
        ("published_on", date(1, 1, 1)),
        ("published_on", date(9999, 12, 31)),
        ("published_on", "2026-01-01"),
        ("effective_from", date(9999, 12, 31)),
        ("effective_from", date(1, 1, 1)),
        ("valid_years", 0),
        ("valid_years", 6),
        ("valid_years", -1),
        ("valid_years", float("nan")),
        ("valid_years", True),
    ],
)
def test_bad_publication_input_is_refused_and_nothing_written(world, approved, field, value):
    with pytest.raises(ValidationError):
        publish(world, approved, **{field: value})
    approved.refresh_from_db()
    assert approved.status == "approved"
    assert approved.number == ""
    assert approved.filing_clock is None


def test_a_document_number_is_unique_in_the_jurisdiction(world, published):
    # NOR-4
    other = submit(world, title="另一件文件")
    document_review(actor=world.user("legal"), document=other, outcome="passed", opinion="")
    with pytest.raises(ValidationError, match="文号"):
        publish(world, other)


def test_filing_on_time_stops_the_clock(world, published):
    # NOR-5
    doc = document_file(
        actor=world.user("dept_head"),
        document=published,
        filed_with="government",
        filed_on=timezone.localdate(),
        filing_ref="备2026-001",
    )
    assert doc.filed_on == timezone.localdate()
    clock = doc.filing_clock
    assert clock is not None
    clock.refresh_from_db()
    assert clock.status == ClockStatus.STOPPED
    assert not late_filings(world.user("supervisor")).exists()
    with pytest.raises(ValidationError):  # only once
        document_file(actor=world.user("legal"), document=doc, filed_with="congress", filed_on=timezone.localdate())


def test_late_filing_is_an_overdue_clock_supervision_sees(world, approved):
    # NOR-5: published 40 days ago and not filed: the clock is past due
    today = timezone.localdate()
    NormativeDocument.objects.filter(pk=approved.pk).update(reviewed_at=timezone.now() - timedelta(days=60))
    approved.refresh_from_db()
    doc = publish(world, approved, published_on=today - timedelta(days=40), effective_from=today - timedelta(days=10))
    assert doc.filing_clock is not None
    assert doc.filing_clock.due_date == today - timedelta(days=10)
    assert list(late_filings(world.user("supervisor"))) == [doc]
    assert not late_filings(world.user("other_county_supervisor")).exists()
    # filed late: still listed as late
    document_file(actor=world.user("legal"), document=doc, filed_with="government", filed_on=today)
    assert list(late_filings(world.user("supervisor"))) == [doc]


@pytest.mark.parametrize("filed_on", [date(1, 1, 1), date(9999, 12, 31), None, "x"])
def test_bad_filing_dates_are_refused(world, published, filed_on):
    with pytest.raises(ValidationError):
        document_file(actor=world.user("dept_head"), document=published, filed_with="government", filed_on=filed_on)
    with pytest.raises(ValidationError):
        document_file(
            actor=world.user("dept_head"), document=published, filed_with="nowhere", filed_on=timezone.localdate()
        )
    published.refresh_from_db()
    assert published.filed_on is None


def test_public_list_shows_documents_in_force_and_marks_expired_and_repealed(world, published):
    # NOR-6
    today = timezone.localdate()
    assert not public_documents().exists()  # not yet in force (effective in 30 days)
    assert list(public_documents(effective_only=False)) == [published]
    assert list(public_documents(today=today + timedelta(days=31))) == [published]
    assert published.validity_label(today) == "尚未施行"
    after = published.valid_until + timedelta(days=1)
    assert not public_documents(today=after).exists()
    assert published.validity_label(after) == "已失效"
    # a draft is never public
    submit(world, title="草案不公开")
    assert public_documents(effective_only=False).count() == 1


def test_evaluation_continues_within_five_years_or_repeals(world, published):
    # NOR-6
    head = world.user("dept_head")
    old_end = published.valid_until
    with pytest.raises(ValidationError):
        document_evaluate(
            actor=head, document=published, outcome="continue", note="继续", valid_until=add_months(old_end, 61)
        )
    with pytest.raises(ValidationError):
        document_evaluate(actor=head, document=published, outcome="continue", note="继续", valid_until=date(9999, 1, 1))
    doc = document_evaluate(
        actor=head, document=published, outcome="continue", note="评估后继续有效", valid_until=add_months(old_end, 36)
    )
    assert doc.valid_until == add_months(old_end, 36)
    assert doc.last_evaluation == "continue"
    with pytest.raises(PermissionDenied):
        document_evaluate(actor=world.user("clerk"), document=doc, outcome="repeal", note="废止")
    doc = document_evaluate(actor=head, document=doc, outcome="repeal", note="上位法已修改，予以废止")
    assert doc.status == "repealed"
    assert doc.repealed_on == timezone.localdate()
    assert not public_documents(today=timezone.localdate() + timedelta(days=40)).exists()
    assert doc.validity_label(timezone.localdate()) == "已废止"
    assert _actions(doc)[-2:] == ["normative.evaluated", "normative.evaluated"]


def test_an_expired_document_cannot_be_continued(world, published):
    NormativeDocument.objects.filter(pk=published.pk).update(
        published_on=date(2018, 12, 1),
        effective_from=date(2019, 1, 1),
        valid_until=date(2023, 12, 31),
        evaluation_due_on=date(2023, 6, 30),
    )
    published.refresh_from_db()
    assert list(documents_due_for_evaluation(world.user("dept_head"))) == [published]
    with pytest.raises(ValidationError, match="失效"):
        document_evaluate(
            actor=world.user("dept_head"),
            document=published,
            outcome="continue",
            note="x",
            valid_until=timezone.localdate() + timedelta(days=100),
        )


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2028, 2, 29), -12) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 15), 60) == date(2031, 1, 15)
