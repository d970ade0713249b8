"""Enterprise inspection filings (INS-1, INS-2, INS-3, INS-4, INS-5), the public verification (INS-6)
and unfiled inspections (INS-7)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaoneng.catalog.tests.factories import make_item
from xiaoneng.core.models import Event
from xiaoneng.inspections.actions.certificates import certificate_revoke
from xiaoneng.inspections.actions.filings import filing_approve, filing_refuse, filing_submit
from xiaoneng.inspections.actions.records import inspection_record
from xiaoneng.inspections.choices import Exemption, FilingStatus
from xiaoneng.inspections.models import InspectionFiling
from xiaoneng.inspections.selectors import filing_verify, unfiled_inspections
from xiaoneng.inspections.tests.conftest import ENTERPRISE, OTHER_ENTERPRISE, filing_args
from xiaoneng.workdays.choices import ClockStatus


def _filed(world, iw, **overrides):
    filing = filing_submit(**filing_args(world, iw, **overrides))
    return filing_approve(actor=world.user("dept_head"), filing=filing, note="同意")


def test_filing_submit_then_head_approves_on_a_clock(world, iw):
    # given an official with a certificate files an inspection
    filing = filing_submit(**filing_args(world, iw))
    # then it has a number, waits for approval on a 2-working-day clock (INS-1) and names the certificates
    assert filing.number.startswith("JC-339100-")
    assert filing.status == FilingStatus.PENDING
    assert filing.clock is not None
    assert filing.clock.kind == "inspections.filing"
    assert filing.clock.limit == 2
    assert filing.clock.status == ClockStatus.RUNNING
    assert sorted(fo.certificate.number for fo in filing.officials.all()) == ["33910000CLE", "33910000REV"]
    # when the head approves
    filing = filing_approve(actor=world.user("dept_head"), filing=filing, note="同意")
    assert filing.clock is not None
    filing.clock.refresh_from_db()
    assert filing.status == FilingStatus.FILED
    assert filing.clock.status == ClockStatus.STOPPED
    actions = list(Event.objects.for_subject(filing).values_list("action", flat=True))
    assert actions == ["inspection_filing.submitted", "inspection_filing.approved"]


def test_refusal_needs_a_reason(world, iw):
    filing = filing_submit(**filing_args(world, iw))
    with pytest.raises(ValidationError):
        filing_refuse(actor=world.user("dept_head"), filing=filing, reason="  ")
    filing = filing_refuse(actor=world.user("dept_head"), filing=filing, reason="本月已检查过")
    assert filing.status == FilingStatus.REFUSED
    with pytest.raises(ValidationError):  # no second decision
        filing_approve(actor=world.user("dept_head"), filing=filing)


def test_only_the_department_head_approves(world, iw):
    filing = filing_submit(**filing_args(world, iw))
    for key in ("clerk", "reviewer", "supervisor", "other_clerk", "legal"):
        with pytest.raises(PermissionDenied):
            filing_approve(actor=world.user(key), filing=filing)


def test_wrong_roles_cannot_file(world, iw):
    for key in ("applicant", "supervisor", "other_clerk", "county_clerk", "legal"):
        with pytest.raises(PermissionDenied):
            filing_submit(**filing_args(world, iw, actor=world.user(key)))


def test_ins2_item_must_be_a_published_inspection_item_of_the_department(world, iw):
    # INS-2 / CAT-1: a licensing item is not a basis for an inspection
    with pytest.raises(ValidationError, match="应选择"):
        filing_submit(**filing_args(world, iw, item=iw.licensing_item))
    with pytest.raises(ValidationError):
        filing_submit(**filing_args(world, iw, item=None))
    # an item that is not published: its draft was never declared

    draft = make_item(world.dept, world.user("dept_head"), name="未公布的检查", item_type="06")
    with pytest.raises(ValidationError, match="不在已公布的权力清单"):
        filing_submit(**filing_args(world, iw, item=draft))


def test_ins3_official_without_a_valid_certificate_is_refused(world, iw):
    # INS-3: dept_head's certificate is revoked; the other_clerk has none

    certificate_revoke(actor=world.user("legal"), certificate=iw.certs["dept_head"], reason="调离执法岗位")
    with pytest.raises(ValidationError, match="没有有效的执法证"):
        filing_submit(**filing_args(world, iw, officials=[world.user("clerk"), world.user("dept_head")]))
    # a certificate expiring before the planned date does not count either
    iw.certs["reviewer"].valid_to = iw.today + timedelta(days=1)
    iw.certs["reviewer"].save(update_fields=["valid_to"])
    with pytest.raises(ValidationError, match="没有有效的执法证"):
        filing_submit(**filing_args(world, iw))


def test_ins3_a_certificate_revoked_before_approval_blocks_the_approval(world, iw):

    filing = filing_submit(**filing_args(world, iw))
    certificate_revoke(actor=world.user("legal"), certificate=iw.certs["reviewer"], reason="注销")
    with pytest.raises(ValidationError, match="没有有效的执法证"):
        filing_approve(actor=world.user("dept_head"), filing=filing)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING


def test_ins4_at_least_two_officials(world, iw):
    with pytest.raises(ValidationError, match="不得少于两人"):
        filing_submit(**filing_args(world, iw, officials=[world.user("clerk")]))
    with pytest.raises(ValidationError, match="不得少于两人"):
        filing_submit(**filing_args(world, iw, officials=[world.user("clerk"), world.user("clerk")]))


@pytest.mark.parametrize(
    "code",
    ["", "123", "91339100MA2XXXXX0X", "91339100MA2XXXXX0" + "I", "x" * 300, ENTERPRISE.lower()[:-1] + "?"],
)
def test_ins5_malformed_credit_codes_are_refused(world, iw, code):
    with pytest.raises(ValidationError, match="统一社会信用代码"):
        filing_submit(**filing_args(world, iw, credit_code=code))


def test_credit_code_in_lower_case_is_accepted_as_upper(world, iw):
    filing = filing_submit(**filing_args(world, iw, credit_code=ENTERPRISE.lower()))
    assert filing.credit_code == ENTERPRISE


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31), "2026-13-01", None])
def test_bad_planned_dates_are_refused(world, iw, day):
    with pytest.raises(ValidationError):
        filing_submit(**filing_args(world, iw, planned_date=day))


def test_ins1_a_filing_is_made_before_the_inspection(world, iw):
    with pytest.raises(ValidationError, match="计划检查日期"):
        filing_submit(**filing_args(world, iw, planned_date=iw.today - timedelta(days=1)))


def test_huge_strings_are_refused_and_nothing_is_written(world, iw):

    with pytest.raises(ValidationError, match="不能超过"):
        filing_submit(**filing_args(world, iw, enterprise_name="企" * 300))
    with pytest.raises(ValidationError, match="不能超过"):
        filing_submit(**filing_args(world, iw, purpose="查" * 5000))
    assert not InspectionFiling.objects.exists()


def test_ins6_verify_needs_number_and_credit_code(world, iw):
    filing = filing_submit(**filing_args(world, iw))
    assert filing_verify(filing.number, OTHER_ENTERPRISE) is None
    assert filing_verify("JC-339100-20000101-00001", ENTERPRISE) is None
    assert filing_verify(filing.number, "") is None
    found = filing_verify(filing.number, ENTERPRISE.lower())
    assert found is not None
    assert found.status == FilingStatus.PENDING
    assert [o.certificate for o in found.officials] == ["33910000CLE", "33910000REV"]
    # only what the enterprise may see: no purpose, no internal ids, no approver
    assert not hasattr(found, "purpose")
    assert not hasattr(found, "decided_by")


def test_ins7_inspection_with_its_filing_is_not_flagged(world, iw):
    filing = _filed(world, iw, planned_date=iw.today)
    inspection = inspection_record(
        actor=world.user("clerk"),
        department=world.dept,
        filing=filing,
        inspected_on=iw.today,
        summary="检查了后厨和进货台账",
        officials=[world.user("clerk"), world.user("reviewer")],
    )
    filing.refresh_from_db()
    assert not inspection.unfiled
    assert filing.status == FilingStatus.DONE
    assert list(unfiled_inspections(world.user("supervisor"))) == []


def test_ins7_inspection_without_filing_is_flagged_unless_exempt(world, iw):
    common = {
        "actor": world.user("clerk"),
        "department": world.dept,
        "item": iw.inspection_item,
        "enterprise_name": "青溪市好味餐饮有限公司",
        "credit_code": ENTERPRISE,
        "inspected_on": iw.today,
        "summary": "接群众举报后现场检查",
        "officials": [world.user("clerk"), world.user("reviewer")],
    }
    flagged = inspection_record(**common)
    exempt = inspection_record(**common, exemption=Exemption.WORK_SAFETY)
    # a pending filing is no prior filing either
    pending = filing_submit(**filing_args(world, iw, planned_date=iw.today))
    on_pending = inspection_record(**{**common, "item": None, "enterprise_name": "", "credit_code": ""}, filing=pending)
    assert flagged.unfiled
    assert not exempt.unfiled
    assert on_pending.unfiled
    assert set(unfiled_inspections(world.user("supervisor"))) == {flagged, on_pending}
    # scoped: another county's office and another department see none of them
    assert not unfiled_inspections(world.user("other_county_supervisor")).exists()
    assert not unfiled_inspections(world.user("other_clerk")).exists()


def test_ins3_inspection_by_an_official_without_certificate_is_refused(world, iw):
    filing = _filed(world, iw, planned_date=iw.today)
    with pytest.raises(ValidationError, match="没有有效的执法证"):
        inspection_record(
            actor=world.user("clerk"),
            department=world.dept,
            filing=filing,
            inspected_on=iw.today,
            summary="x",
            officials=[world.user("clerk"), world.user("other_clerk")],
        )


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31)])
def test_inspection_dates_out_of_range_are_refused(world, iw, day):
    with pytest.raises(ValidationError):
        inspection_record(
            actor=world.user("clerk"),
            department=world.dept,
            item=iw.inspection_item,
            enterprise_name="企业",
            credit_code=ENTERPRISE,
            inspected_on=day,
            summary="x",
            officials=[world.user("clerk"), world.user("reviewer")],
        )


def test_ins7_a_stale_filing_object_is_read_afresh(world, iw):
    # the caller still holds the object from before the approval
    filing = filing_submit(**filing_args(world, iw, planned_date=iw.today))
    filing_approve(actor=world.user("dept_head"), filing=filing)
    inspection = inspection_record(
        actor=world.user("clerk"),
        department=world.dept,
        filing=filing,
        inspected_on=iw.today,
        summary="检查",
        officials=[world.user("clerk"), world.user("reviewer")],
    )
    assert not inspection.unfiled
