"""SUP-2.9 (INS-7): an inspection, a first-violation notice or a penalty on an enterprise without a
valid prior filing raises one supervision irregularity (idempotent), the department head is told,
the flag shows on supervision's pages and API in scope, and it is rectified through the spine."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import TestCase

from xiaoneng.core.models import Notification
from xiaoneng.inspections.actions.filings import filing_approve, filing_submit
from xiaoneng.inspections.actions.first_violations import first_violation_notice_issue
from xiaoneng.inspections.actions.penalties import baseline_set, penalty_decide
from xiaoneng.inspections.actions.records import inspection_record
from xiaoneng.inspections.choices import Exemption
from xiaoneng.inspections.models import Inspection, PenaltyDecision
from xiaoneng.inspections.tests.conftest import ENTERPRISE, OTHER_ENTERPRISE, entry_for, filing_args, notice_args
from xiaoneng.oversight.models import Rectification
from xiaoneng.supervision.choices import IrregularityRule, IrregularityStatus
from xiaoneng.supervision.irregularities.detect import irregularities_detect
from xiaoneng.supervision.irregularities.rules import RULES
from xiaoneng.supervision.irregularities.services import irregularity_confirm, irregularity_rectify
from xiaoneng.supervision.models import Irregularity

RULE = IrregularityRule.UNFILED_INSPECTION.value
TIERS = [{"tier": "general", "circumstance": "一般情形", "fine_min": "1000", "fine_max": "5000"}]


def detect() -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return irregularities_detect(lag=timedelta(0))


def _record(world: Any, iw: Any, **kw: Any) -> Inspection:
    args: dict[str, Any] = {
        "actor": world.user("clerk"),
        "department": world.dept,
        "item": iw.inspection_item,
        "enterprise_name": "青溪市好味餐饮有限公司",
        "credit_code": ENTERPRISE,
        "inspected_on": iw.today,
        "summary": "接群众举报后现场检查",
        "officials": [world.user("clerk"), world.user("reviewer")],
    }
    args.update(kw)
    return inspection_record(**args)


def _flags(obj: Any) -> list[Irregularity]:
    return list(
        Irregularity.objects.filter(rule=RULE, subject_type__model=obj._meta.model_name, subject_id=str(obj.pk))
    )


def _penalty(world: Any, iw: Any, code: str = ENTERPRISE) -> PenaltyDecision:
    baseline = baseline_set(actor=world.user("legal"), item=iw.penalty_item, basis="食品安全法", tiers=TIERS)
    return penalty_decide(
        actor=world.user("dept_head"),
        tier=baseline.tiers.get(),
        enterprise_name="青溪市好味餐饮有限公司",
        credit_code=code,
        facts="销售过期食品",
        amount="2000",
        officials=[world.user("clerk"), world.user("reviewer")],
    )


def test_unfiled_inspection_is_flagged_once_and_the_head_is_told(world, iw):
    # given an enterprise inspection recorded without a filing (INS-7)
    inspection = _record(world, iw)
    # when the detector runs, twice, and once more from the start of the trail
    first = detect()
    detect()
    irregularities_detect(from_start=True, lag=timedelta(0))
    # then exactly one SUP-2.9 flag names the inspection, for the inspecting department
    (flag,) = _flags(inspection)
    assert first.raised == 1
    assert flag.department_id == world.dept.pk
    assert flag.region_id == world.dept.region_id
    assert flag.status == IrregularityStatus.OPEN
    assert "青溪市好味餐饮有限公司" in flag.detail
    # and the department head got the notice, which names the rule, never its ID
    note = Notification.objects.get(recipient=world.user("dept_head"), title__contains="违规预警")
    assert str(RULES[RULE].name) in note.title
    assert RULE not in note.title + note.body


def test_filed_and_exempt_inspections_are_not_flagged(world, iw):
    filing = filing_approve(
        actor=world.user("dept_head"),
        filing=filing_submit(**filing_args(world, iw, planned_date=iw.today)),
        note="同意",
    )
    filed = _record(world, iw, filing=filing, item=None, enterprise_name="", credit_code="")
    exempt = _record(world, iw, credit_code=OTHER_ENTERPRISE, exemption=Exemption.WORK_SAFETY)
    assert detect().raised == 0
    assert _flags(filed) == []
    assert _flags(exempt) == []
    assert not Irregularity.objects.filter(rule=RULE).exists()


def test_penalty_without_any_filing_is_flagged_with_one_it_is_not(world, iw):
    unfiled = _penalty(world, iw, code=OTHER_ENTERPRISE)
    filing = filing_approve(
        actor=world.user("dept_head"),
        filing=filing_submit(**filing_args(world, iw, planned_date=iw.today)),
        note="同意",
    )
    _record(world, iw, filing=filing, item=None, enterprise_name="", credit_code="")
    filed = penalty_decide(
        actor=world.user("dept_head"),
        tier=unfiled.tier,
        enterprise_name="青溪市好味餐饮有限公司",
        credit_code=ENTERPRISE,
        facts="销售过期食品",
        amount="3000",
        officials=[world.user("clerk"), world.user("reviewer")],
    )
    detect()
    assert len(_flags(unfiled)) == 1
    assert _flags(filed) == []


def test_notice_on_an_unfiled_inspection_is_flagged(world, iw):
    inspection = _record(world, iw)
    notice = first_violation_notice_issue(**notice_args(world, entry_for(world, iw), inspection=inspection))
    detect()
    assert len(_flags(inspection)) == 1
    assert len(_flags(notice)) == 1


def test_flag_is_seen_in_scope_on_pages_and_api_and_rectified_through_the_spine(world, iw, client):
    inspection = _record(world, iw)
    detect()
    (flag,) = _flags(inspection)
    # the efficiency office of the city sees it on the list, the detail (linked to the inspection) and the API
    client.force_login(world.user("supervisor"))
    listing = client.get("/supervision/irregularities/", {"rule": RULE})
    assert listing.status_code == 200
    assert flag.subject_label in listing.content.decode()
    detail = client.get(f"/supervision/irregularities/{flag.pk}/").content.decode()
    assert f'href="/inspections/records/{inspection.pk}/"' in detail
    assert RULE not in detail.replace(f"rule={RULE}", "")  # the rule's name, not its ID
    api = client.get("/api/supervision/irregularities", {"rule": RULE}).json()
    assert [(r["id"], r["subject_type"], r["subject_id"]) for r in api] == [
        (flag.pk, "inspections.inspection", str(inspection.pk))
    ]
    rules = client.get("/supervision/irregularities/rules/").content.decode()
    assert str(RULES[RULE].name) in rules
    # another county's office and another department see nothing
    client.force_login(world.user("other_county_supervisor"))
    assert client.get("/api/supervision/irregularities", {"rule": RULE}).json() == []
    assert client.get(f"/supervision/irregularities/{flag.pk}/").status_code == 404
    client.force_login(world.user("other_clerk"))
    assert client.get(f"/supervision/irregularities/{flag.pk}/").status_code in (403, 404)
    # confirmed and turned into a rectification for the inspecting department (the oversight spine)
    office = world.user("supervisor")
    irregularity_confirm(irregularity=flag, actor=office, note="核实未备案")
    rect = irregularity_rectify(irregularity=flag, actor=office, measures="补办备案制度培训")
    assert isinstance(rect, Rectification)
    assert rect.department_id == world.dept.pk


@pytest.mark.parametrize("username", ["clerk", "dept_head", "applicant"])
def test_department_staff_and_applicants_cannot_open_the_flag(world, iw, client, username):
    _record(world, iw)
    detect()
    (flag,) = Irregularity.objects.filter(rule=RULE)
    client.force_login(world.user(username))
    # the department may read its own flags or not, but never handle them
    r = client.post(f"/supervision/irregularities/{flag.pk}/", {"action": "confirm", "note": "x"})
    assert r.status_code in (302, 403, 404)
    flag.refresh_from_db()
    assert flag.status == IrregularityStatus.OPEN
