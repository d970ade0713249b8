# mypy: disable-error-code="union-attr,operator"
# (tests read clocks that the services always set; the Optional is a model-level fact only)
"""One test (at least) per rule the cases app enforces: CAS-1 … CAS-9, CAT-1, CAT-7."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from xiaoneng.cases.actions.decision import case_close, case_decide, case_deliver
from xiaoneng.cases.actions.enquiries import enquiry_register
from xiaoneng.cases.actions.fees import fee_charge_record
from xiaoneng.cases.actions.intake import (
    case_accept,
    case_correct_on_the_spot,
    case_refuse_at_intake,
    case_register_at_window,
)
from xiaoneng.cases.actions.negative import case_negative_report_review, case_negative_report_submit
from xiaoneng.cases.actions.steps import case_step_absent, case_step_decide
from xiaoneng.cases.actions.supplement import case_request_supplement, case_supplement
from xiaoneng.cases.actions.timing import case_extend, case_pause, case_resume
from xiaoneng.cases.choices import NoticeKind, Status, TaskStatus
from xiaoneng.cases.models import Case, FeeCharge, NegativeReport, Opinion, SupplementAttempt, SupplementNotice
from xiaoneng.cases.tasks import deemed_acceptance_run, deemed_consent_run
from xiaoneng.cases.tests.conftest import FORM, accepted, later, pdf, submit
from xiaoneng.catalog.models import Stage
from xiaoneng.catalog.tests.factories import make_item
from xiaoneng.core.models import Event, Notification
from xiaoneng.workdays.choices import ClockStatus, PauseReason
from xiaoneng.workdays.models import Clock

pytestmark = pytest.mark.django_db


def _events(case: Case) -> list[str]:
    return list(Event.objects.for_subject(case).values_list("action", flat=True))


# --- CAT-1 ------------------------------------------------------------------------------------


def test_cat1_case_only_on_published_item_and_pins_its_version(world, cw):
    # given a published item
    case, _code = submit(world, cw.simple)
    # then the case pins the version in force and its process
    assert case.version_id == cw.simple.published_id
    assert case.version.status == "published"
    # when an item was never published (a draft, or one taken out of the catalog)

    draft = make_item(world.dept, world.user("dept_head"), name="未公布事项")
    # then nobody can open a case on it, and nothing is written
    before = Case.objects.count()
    with pytest.raises(ValidationError, match="未公布或已废止") as e:  # CAT-1 (no rule ID in the message)
        submit(world, draft)
    assert e.value.code == "cat1"
    assert Case.objects.count() == before


# --- CAS-1 ------------------------------------------------------------------------------------


def test_cas1_one_time_supplement_notice_pauses_clock_and_second_is_refused_and_recorded(world, cw):
    # given a submitted case
    case, _code = submit(world, cw.simple)
    clerk = world.user("clerk")
    material = cw.simple.published.materials.first()
    # when the clerk lists all missing items once
    sn = case_request_supplement(case=case, actor=clerk, missing=[material.pk, "营业场所平面图"])
    case.refresh_from_db()
    # then the case waits, the acceptance clock is paused for the supplement, a notice is numbered
    assert case.status == Status.SUPPLEMENT_REQUESTED
    assert case.acceptance_clock.status == ClockStatus.PAUSED
    assert case.acceptance_clock.pauses.get().reason == PauseReason.SUPPLEMENT
    assert [m["name"] for m in sn.missing] == [material.name, "营业场所平面图"]
    assert case.notices.filter(kind=NoticeKind.SUPPLEMENT).count() == 1
    # when the applicant supplements, the clock runs again
    case = case_supplement(case=case, actor=world.user("applicant"), files=[(None, pdf("平面图.pdf"))])
    case.acceptance_clock.refresh_from_db()
    assert case.status == Status.SUBMITTED
    assert case.acceptance_clock.status == ClockStatus.RUNNING
    # when a second supplement request is attempted
    with pytest.raises(ValidationError, match="一次性告知"):
        case_request_supplement(case=case, actor=clerk, missing=["再补一份"])
    # then it is refused, and the attempt is recorded for supervision (SUP-2)
    assert SupplementNotice.objects.filter(case=case).count() == 1
    assert SupplementAttempt.objects.filter(case=case).count() == 1
    assert "case.supplement_second_refused" in _events(case)


def test_cas1_supplement_notice_unique_in_database(world, cw):
    # given a case with its one-time notice
    case, _code = submit(world, cw.simple)
    case_request_supplement(case=case, actor=world.user("clerk"), missing=["身份证明"])
    # when a second row is forced past the service

    with pytest.raises(IntegrityError), transaction.atomic():
        SupplementNotice.objects.create(
            case=case, missing=["x"], issued_by=world.user("clerk"), issued_at=timezone.now()
        )


def test_cas1_refuse_at_intake_names_competent_agency(world, cw):
    # given a submitted case, and an approved negative-decision report (CAS-6)
    case, _code = submit(world, cw.simple)
    clerk = world.user("clerk")
    report = case_negative_report_submit(case=case, actor=clerk, kind="non_acceptance", reasons="不属于本机关职权")
    case_negative_report_review(report=report, actor=world.user("dept_head"), approve=True)
    case.refresh_from_db()
    # when refusing as not competent without naming the agency
    with pytest.raises(ValidationError) as e:
        case_refuse_at_intake(case=case, actor=clerk, ground="not_competent", reasons="属于住建部门职权")
    assert "competent_agency" in e.value.message_dict
    # then with the agency named it is refused at once with a notice (CAS-2)
    case = case_refuse_at_intake(
        case=case,
        actor=clerk,
        ground="not_competent",
        reasons="属于住建部门职权",
        competent_agency="青溪市住房和城乡建设局",
    )
    assert case.status == Status.REFUSED_AT_INTAKE
    assert case.competent_agency == "青溪市住房和城乡建设局"
    notice = case.notices.get(kind=NoticeKind.REFUSAL_TO_ACCEPT)
    assert any("青溪市住房和城乡建设局" in line for line in notice.lines)
    case.acceptance_clock.refresh_from_db()
    assert case.acceptance_clock.status == ClockStatus.STOPPED


def test_cas1_deemed_acceptance_after_five_working_days_on_receipt_date(world, cw):
    # given a case nobody acted on
    case, _code = submit(world, cw.simple)
    # when the periodic task runs before the window closes, nothing happens
    assert deemed_acceptance_run(now=later(1)) == 0
    # when it runs after 5 working days (+ weekends)
    assert deemed_acceptance_run(now=later(9)) == 1
    case.refresh_from_db()
    # then the case is accepted on the date of receipt, and the decision clock starts then
    assert case.deemed_accepted is True
    assert case.accepted_at == case.received_at
    assert case.status == Status.IN_REVIEW
    assert case.decision_clock.started_at == case.received_at
    assert "case.deemed_accepted" in _events(case)
    # and running again is idempotent
    assert deemed_acceptance_run(now=later(9)) == 0


def test_cas1_no_deemed_acceptance_while_waiting_for_supplement(world, cw):
    # given a case with a one-time notice
    case, _code = submit(world, cw.simple)
    case_request_supplement(case=case, actor=world.user("clerk"), missing=["身份证明"])
    # when the periodic task runs much later
    # then the case is not deemed accepted (the notice was given in time)
    assert deemed_acceptance_run(now=later(30)) == 0


def test_cas1_on_the_spot_item_accepted_and_decided_in_one_sitting(world, cw):
    # given an on-the-spot item (即办件)
    case, _code = submit(world, cw.on_the_spot)
    # when the clerk accepts
    case = case_accept(case=case, actor=world.user("clerk"))
    # then the case is accepted and approved at once, with both notices
    assert case.status == Status.DECIDED_APPROVED
    kinds = set(case.notices.values_list("kind", flat=True))
    assert {NoticeKind.ACCEPTANCE, NoticeKind.APPROVAL} <= kinds
    assert case.delivery_clock is not None


# --- CAS-2 ------------------------------------------------------------------------------------


def test_cas2_acceptance_produces_dated_numbered_notice(world, cw):
    # given / when
    case = accepted(world, cw.simple)
    # then
    notice = case.notices.get(kind=NoticeKind.ACCEPTANCE)
    assert notice.number == f"受字〔{timezone.localdate().year}〕第{notice.seq}号"
    assert notice.issued_at is not None
    assert case.tracking_number in notice.lines[0]
    # and the next notice of the department gets the next number
    other = accepted(world, cw.simple)
    assert other.notices.get(kind=NoticeKind.ACCEPTANCE).seq == notice.seq + 1


# --- CAS-3 ------------------------------------------------------------------------------------


def test_cas3_extension_once_each_by_the_right_approver(world, cw):
    # given a case in review
    case = accepted(world, cw.simple)
    due_before = case.decision_clock.due_date
    # when a reviewer tries to extend, it is refused (the agency head approves)
    with pytest.raises(PermissionDenied):
        case_extend(case=case, actor=world.user("reviewer"), kind="agency_head", reason="需现场核查")
    # when the head approves +10 with reasons
    case = case_extend(case=case, actor=world.user("dept_head"), kind="agency_head", reason="需现场核查")
    case.decision_clock.refresh_from_db()
    # then the limit grows by 10 and the applicant gets an extension notice with the reasons
    assert case.decision_clock.extension_total == 10
    assert case.decision_clock.due_date > due_before
    assert any("需现场核查" in line for line in case.notices.get(kind=NoticeKind.EXTENSION).lines)
    # and a second +10 is refused
    with pytest.raises(ValidationError, match="只能批准一次"):
        case_extend(case=case, actor=world.user("dept_head"), kind="agency_head", reason="再延")
    # and +15 needs joint handling
    with pytest.raises(ValidationError, match="联合办理"):
        case_extend(case=case, actor=world.user("leader"), kind="government", reason="联合审查")


def test_cas3_government_extension_for_parallel_case(world, cw):
    # given a parallel case
    case = accepted(world, cw.parallel)
    # when the same-level government (a leader) approves +15
    case = case_extend(case=case, actor=world.user("leader"), kind="government", reason="多部门联合审查")
    case.decision_clock.refresh_from_db()
    # then
    assert case.decision_clock.extension_total == 15


def test_cas3_decision_starts_ten_working_day_delivery_clock(world, cw):
    # given an approved on-the-spot case
    case, _code = submit(world, cw.on_the_spot)
    case = case_accept(case=case, actor=world.user("clerk"))
    clock = case.delivery_clock
    # then the delivery clock is 10 working days
    assert clock.limit == 10
    assert clock.kind == "case.delivery"
    # when delivered, the clock stops
    case_deliver(case=case, actor=world.user("clerk"), method="in_person", recipient="张丽")
    clock.refresh_from_db()
    assert clock.status == ClockStatus.STOPPED


def test_cas3_decision_clock_tracks_committed_and_statutory_limits(world, cw):
    case = accepted(world, cw.simple)
    clock = case.decision_clock
    assert clock.limit == 10
    assert clock.statutory_limit == 20
    assert clock.statutory_due_date > clock.due_date


# --- CAS-4 ------------------------------------------------------------------------------------


def test_cas4_special_procedure_pauses_with_expected_duration_in_writing(world, cw):
    # given a case in review
    case = accepted(world, cw.simple)
    reviewer = world.user("reviewer")
    # when a procedure the item does not list is requested, it is refused
    with pytest.raises(ValidationError):
        case_pause(case=case, actor=reviewer, reason="hearing", expected_days=5)
    # when the listed expert review starts for 8 days
    case = case_pause(case=case, actor=reviewer, reason="expert_review", expected_days=8, note="邀请3名专家")
    # then the decision clock and the step clock are paused with the legal reason
    case.decision_clock.refresh_from_db()
    assert case.decision_clock.status == ClockStatus.PAUSED
    assert case.decision_clock.pauses.get().expected_days == 8
    task = case.tasks.get(status=TaskStatus.ACTIVE)
    assert task.clock.status == ClockStatus.PAUSED
    # and the applicant is told in writing
    notice = case.notices.get(kind=NoticeKind.SPECIAL_PROCEDURE)
    assert any("8个工作日" in line for line in notice.lines)
    # when resumed, every clock runs again
    case = case_resume(case=case, actor=reviewer)
    case.decision_clock.refresh_from_db()
    assert case.decision_clock.status == ClockStatus.RUNNING


def test_cas4_expected_duration_bounded_by_item(world, cw):
    case = accepted(world, cw.simple)
    with pytest.raises(ValidationError) as e:
        case_pause(case=case, actor=world.user("reviewer"), reason="expert_review", expected_days=30)
    assert "expected_days" in e.value.message_dict


# --- CAS-5 / CAS-6 ----------------------------------------------------------------------------


def _through_steps(world, cw, case):
    task = case.tasks.get(status=TaskStatus.ACTIVE)
    case_step_decide(task=task, actor=cw.holder_a, kind="agree")
    task = case.tasks.get(status=TaskStatus.ACTIVE)
    case_step_decide(task=task, actor=world.user("dept_head"), kind="agree")
    return Case.objects.get(pk=case.pk)


def test_cas5_cas6_refusal_needs_reasons_leader_report_and_remedy(world, cw):
    # given a case whose steps are done
    case = _through_steps(world, cw, accepted(world, cw.simple))
    head = world.user("dept_head")
    reviewer = world.user("reviewer")
    # when refusing without reasons → refused (CAS-5)
    with pytest.raises(ValidationError) as e:
        case_decide(case=case, actor=reviewer, outcome="refuse")
    assert "reasons" in e.value.message_dict
    # when refusing without a negative-decision report → refused (CAS-6)
    with pytest.raises(ValidationError, match="须先经领导审核否定报备") as e:
        case_decide(case=case, actor=reviewer, outcome="refuse", reasons="经营场所不符合要求")
    assert e.value.code == "cas6"
    # when the report is submitted, the case waits for the leader
    report = case_negative_report_submit(case=case, actor=reviewer, kind="refusal", reasons="经营场所不符合要求")
    case.refresh_from_db()
    assert case.status == Status.PENDING_NEGATIVE_REPORT
    assert report.handler == reviewer
    assert report.applicant_contact
    # the handler cannot review their own report
    with pytest.raises(PermissionDenied):
        case_negative_report_review(report=report, actor=reviewer, approve=True)
    case_negative_report_review(report=report, actor=head, approve=True, comment="同意")
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW
    # then the refusal is issued with reasons and the right to reconsideration or litigation
    decision = case_decide(case=case, actor=reviewer, outcome="refuse", reasons="经营场所不符合要求")
    assert "行政复议" in decision.remedy
    assert "行政诉讼" in decision.remedy
    notice = Case.objects.get(pk=case.pk).notices.get(kind=NoticeKind.REFUSAL)
    assert any("行政复议" in line for line in notice.lines)
    assert NegativeReport.objects.get(pk=report.pk).used


def test_cas6_overrun_of_committed_limit_needs_report_before_issue(world, cw, monkeypatch):
    # given a case whose steps are done
    case = _through_steps(world, cw, accepted(world, cw.simple))
    # when "now" is past the committed limit
    future = later(30)
    monkeypatch.setattr(timezone, "now", lambda: future)
    with pytest.raises(ValidationError, match="承诺时限"):
        case_decide(case=case, actor=world.user("reviewer"), outcome="approve")
    # then after the leader reviewed the overrun report the approval may be issued
    report = case_negative_report_submit(
        case=case, actor=world.user("reviewer"), kind="overdue", reasons="专家意见延迟"
    )
    case_negative_report_review(report=report, actor=world.user("dept_head"), approve=True)
    case.refresh_from_db()
    decision = case_decide(case=case, actor=world.user("reviewer"), outcome="approve")
    assert decision.outcome == "approve"


def test_cas6_non_acceptance_without_report_is_refused(world, cw):
    case, _code = submit(world, cw.simple)
    with pytest.raises(ValidationError, match="须先经领导审核否定报备") as e:
        case_refuse_at_intake(case=case, actor=world.user("clerk"), ground="not_licensing", reasons="无需许可")
    assert e.value.code == "cas6"
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


# --- CAS-7 ------------------------------------------------------------------------------------


def test_cas7_silent_department_deemed_to_consent_with_written_opinion_clock(world, cw):
    # given a parallel case in its joint stage
    case = accepted(world, cw.parallel)
    first = case.tasks.get(status=TaskStatus.ACTIVE)
    case_step_decide(task=first, actor=world.user("reviewer"), kind="agree")
    joint = list(case.tasks.filter(status=TaskStatus.ACTIVE).select_related("department"))
    assert len(joint) == 4
    assert all(t.clock.kind == "case.opinion" for t in joint)
    # when three departments answer and the fourth stays silent
    for t in joint[:3]:
        case_step_decide(task=t, actor=cw.co_reviewers[t.department.name], kind="agree")
    silent = joint[3]
    assert deemed_consent_run(now=later(1)) == 0
    assert deemed_consent_run(now=later(14)) == 1
    # then a system opinion is recorded, a 1-working-day written-opinion clock starts, the stage joins
    silent.refresh_from_db()
    assert silent.status == TaskStatus.DEEMED
    op = Opinion.objects.get(task=silent)
    assert op.is_system
    assert op.kind == "agree"
    assert silent.written_clock.limit == 1
    assert silent.written_clock.kind == "case.written_opinion"
    assert "case.deemed_consent" in _events(case)
    case.refresh_from_db()
    assert case.current_stage is None  # all stages done: ready for decision
    # when the department gives its written opinion, that clock stops
    case_step_decide(task=silent, actor=cw.co_reviewers[silent.department.name], kind="agree", reasons="书面意见：同意")
    silent.written_clock.refresh_from_db()
    assert silent.written_clock.status == ClockStatus.STOPPED


def test_cas7_disagree_requires_reasons_and_blocks_approval(world, cw):
    case = accepted(world, cw.parallel)
    case_step_decide(task=case.tasks.get(status=TaskStatus.ACTIVE), actor=world.user("reviewer"), kind="agree")
    joint = list(case.tasks.filter(status=TaskStatus.ACTIVE).select_related("department"))
    with pytest.raises(ValidationError) as e:
        case_step_decide(task=joint[0], actor=cw.co_reviewers[joint[0].department.name], kind="disagree")
    assert "reasons" in e.value.message_dict
    case_step_decide(
        task=joint[0], actor=cw.co_reviewers[joint[0].department.name], kind="disagree", reasons="消防通道不足"
    )
    for t in joint[1:]:
        case_step_decide(task=t, actor=cw.co_reviewers[t.department.name], kind="agree")
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="不同意"):
        case_decide(case=case, actor=world.user("reviewer"), outcome="approve")


def test_cas7_absent_department_deemed_to_consent(world, cw):
    case = accepted(world, cw.parallel)
    case_step_decide(task=case.tasks.get(status=TaskStatus.ACTIVE), actor=world.user("reviewer"), kind="agree")
    absent = case.tasks.filter(status=TaskStatus.ACTIVE)[0]
    case_step_absent(task=absent, actor=world.user("dept_head"))
    absent.refresh_from_db()
    assert absent.status == TaskStatus.DEEMED
    assert absent.written_clock is not None


def test_cas7_agree_refer_up_leaves_decision_to_head(world, cw):
    case = accepted(world, cw.parallel)
    case_step_decide(task=case.tasks.get(status=TaskStatus.ACTIVE), actor=world.user("reviewer"), kind="agree")
    joint = list(case.tasks.filter(status=TaskStatus.ACTIVE).select_related("department"))
    case_step_decide(
        task=joint[0], actor=cw.co_reviewers[joint[0].department.name], kind="agree_refer_up", reasons="涉及规划调整"
    )
    for t in joint[1:]:
        case_step_decide(task=t, actor=cw.co_reviewers[t.department.name], kind="agree")
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        case_decide(case=case, actor=world.user("reviewer"), outcome="approve")
    assert case_decide(case=case, actor=world.user("dept_head"), outcome="approve").outcome == "approve"


# --- CAS-8 ------------------------------------------------------------------------------------


def test_cas8_enquiry_handled_or_referred_with_address_and_contact(world, cw):
    clerk = world.user("clerk")
    with pytest.raises(ValidationError) as e:
        enquiry_register(
            actor=clerk, visitor_name="王先生", question="施工许可怎么办", outcome="referred", referred_office="住建局"
        )
    assert {"referred_address", "referred_contact"} <= set(e.value.message_dict)
    enquiry = enquiry_register(
        actor=clerk,
        visitor_name="王先生",
        question="施工许可怎么办",
        outcome="referred",
        referred_office="青溪市住房和城乡建设局",
        referred_address="青溪市人民路 8 号",
        referred_contact="0571-88880000",
    )
    assert enquiry.registered_by == clerk
    assert enquiry.notices.get(kind=NoticeKind.REFERRAL)
    with pytest.raises(PermissionDenied):
        enquiry_register(actor=world.user("applicant"), visitor_name="x", question="y", outcome="handled", answer="z")


# --- CAS-9 ------------------------------------------------------------------------------------


def test_cas9_work_goes_to_b_holder_when_a_is_absent(world, cw):
    # given the A holder is absent
    cw.post.a_absent = True
    cw.post.save(update_fields=["a_absent"])
    # when a case is accepted
    case = accepted(world, cw.simple)
    task = case.tasks.get(status=TaskStatus.ACTIVE)
    # then the B holder receives the step, and only they (or the head) can act on it
    assert task.assignee == cw.holder_b
    assert task.clock.responsible == cw.holder_b
    with pytest.raises(PermissionDenied):
        case_step_decide(task=task, actor=cw.holder_a, kind="agree")
    case_step_decide(task=task, actor=cw.holder_b, kind="agree")


def test_cas9_a_holder_gets_work_when_present(world, cw):
    case = accepted(world, cw.simple)
    assert case.tasks.get(status=TaskStatus.ACTIVE).assignee == cw.holder_a


# --- CAT-7 ------------------------------------------------------------------------------------


def test_cat7_only_listed_fees_at_lower_bound(world, cw):
    case = accepted(world, cw.simple)
    fee = cw.simple.published.fees.get()
    clerk = world.user("clerk")
    with pytest.raises(ValidationError) as e:
        fee_charge_record(case=case, actor=clerk, fee=fee, amount="20.00", receipt_number="R1")
    assert "标准下限 10.00 元" in str(e.value)  # CAT-7
    other_case = accepted(world, cw.parallel)
    with pytest.raises(ValidationError, match="不在本事项公布的收费目录中"):  # CAT-7
        fee_charge_record(case=other_case, actor=clerk, fee=fee, amount="10.00", receipt_number="R1")
    charge = fee_charge_record(case=case, actor=clerk, fee=fee, amount="10", receipt_number="R1")
    assert charge.amount == Decimal("10.00")
    assert charge.paid_at is not None
    assert FeeCharge.objects.count() == 1


# --- window intake ----------------------------------------------------------------------------


def test_window_registration_by_clerk_of_the_department_only(world, cw):
    case, code = case_register_at_window(actor=world.user("clerk"), item=cw.simple, form_data=FORM, files=[])
    assert case.channel == "window"
    assert case.registered_by == world.user("clerk")
    assert case.applicant == world.user("applicant")  # linked by phone
    assert len(code) == 6
    with pytest.raises(PermissionDenied):
        case_register_at_window(actor=world.user("other_clerk"), item=cw.simple, form_data=FORM, files=[])


def test_clocks_are_owned_by_case_or_task(world, cw):
    case = accepted(world, cw.simple)

    kinds = {ct.model for ct in ContentType.objects.filter(pk__in=Clock.objects.values("owner_type"))}
    assert {"case", "steptask"} <= kinds
    assert Clock.objects.filter(kind="case.acceptance", status="stopped").exists()
    assert timedelta(0) <= case.decision_clock.started_at - case.received_at


# --- CAS-1: fixable errors corrected on the spot -----------------------------------------------


def test_cas1_fixable_error_is_corrected_on_the_spot_and_recorded(world, cw):

    # given an application with a wrong phone number and address, at the window
    case, _code = submit(world, cw.simple)
    clerk = world.user("clerk")
    # when the clerk corrects them on the spot with the applicant present
    case = case_correct_on_the_spot(
        case=case, actor=clerk, form_data={"phone": "13900000022", "id_number": "110101199003071233"}
    )
    # then the application holds the corrected values, the trail what changed (ID number masked)
    assert case.applicant_phone == "13900000022"
    assert case.form_data["phone"] == "13900000022"
    assert case.applicant_id_masked == "110***********1233"
    event = Event.objects.for_subject(case).get(action="case.corrected")
    assert event.before == {"phone": "13900000011", "id_number": ""}
    assert event.after == {"phone": "13900000022", "id_number": "110***********1233"}
    # and a malformed correction is refused with the application form's message, writing nothing
    with pytest.raises(ValidationError) as e:
        case_correct_on_the_spot(case=case, actor=clerk, form_data={"phone": "12345"})
    assert "请填写11位手机号码" in str(e.value)
    # and only the window corrects, only before the intake decision
    with pytest.raises(PermissionDenied):
        case_correct_on_the_spot(case=case, actor=world.user("reviewer"), form_data={"address": "改"})
    case = case_accept(case=case, actor=clerk)
    with pytest.raises(ValidationError, match="待受理"):
        case_correct_on_the_spot(case=case, actor=clerk, form_data={"address": "人民路 2 号"})


# --- CAS-7: each stage joins by its own policy ---------------------------------------------------


def _joint_case(world, cw, policy: str, quorum: int | None = None):

    Stage.objects.filter(process__version=cw.parallel.published, name="联合审查").update(
        join_policy=policy, quorum=quorum
    )  # the definition as published with this policy (set before any case pins it)
    case = accepted(world, cw.parallel)
    case_step_decide(task=case.tasks.get(status=TaskStatus.ACTIVE), actor=world.user("reviewer"), kind="agree")
    return case, list(case.tasks.filter(status=TaskStatus.ACTIVE).select_related("department").order_by("pk"))


def test_cas7_join_policy_any_completes_on_the_first_answer_and_cancels_the_rest(world, cw):
    # given a joint stage that completes when any department answers
    case, joint = _joint_case(world, cw, "any")
    assert {t.join_policy for t in joint} == {"any"}
    # when one department agrees
    case_step_decide(task=joint[0], actor=cw.co_reviewers[joint[0].department.name], kind="agree")
    # then the stage is complete: the others are no longer needed and their clocks are cancelled
    case.refresh_from_db()
    assert case.current_stage is None
    for t in joint[1:]:
        t.refresh_from_db()
        assert t.status == TaskStatus.CANCELLED
        assert t.clock.status == ClockStatus.CANCELLED
    assert Event.objects.for_subject(case).filter(action="case.stage_completed", after__policy="any").exists()


def test_cas7_join_policy_quorum_waits_for_the_quorum(world, cw):
    # given a joint stage of four departments with a quorum of three
    case, joint = _joint_case(world, cw, "quorum", 3)
    # when two answer, the stage goes on; when the third does, it completes
    for t in joint[:2]:
        case_step_decide(task=t, actor=cw.co_reviewers[t.department.name], kind="agree")
    case.refresh_from_db()
    assert case.current_stage == 1
    case_step_decide(task=joint[2], actor=cw.co_reviewers[joint[2].department.name], kind="agree")
    case.refresh_from_db()
    assert case.current_stage is None
    joint[3].refresh_from_db()
    assert joint[3].status == TaskStatus.CANCELLED


def test_cas7_one_departments_opinion_does_not_change_the_case_version(world, cw):
    # given a joint stage and a reviewer of the lead department holding the case page (version v)
    case, joint = _joint_case(world, cw, "all")
    seen = Case.objects.get(pk=case.pk)
    # when one co-handling department answers (the stage goes on)
    case_step_decide(task=joint[0], actor=cw.co_reviewers[joint[0].department.name], kind="agree")
    # then the case row did not change: the extension approved from that page is not refused as a
    # conflict ("该办件已被他人处理") — only the same step answered twice would be
    assert Case.objects.get(pk=case.pk).lock_version == seen.lock_version
    case_extend(case=seen, actor=world.user("leader"), kind="government", reason="多部门联合审查")
    # and the opinion completing the stage moves the case on, with a new version read back at once
    extended = Case.objects.get(pk=case.pk)
    for t in joint[1:]:
        case_step_decide(task=t, actor=cw.co_reviewers[t.department.name], kind="agree")
    final = Case.objects.get(pk=case.pk)
    assert final.current_stage is None
    assert final.lock_version == extended.lock_version + 1


def test_case_version_is_read_back_by_the_update_itself(world, cw):
    # given / when an action writes the case
    case, _code = submit(world, cw.simple)
    accepted_case = case_accept(case=case, actor=world.user("clerk"))
    # then the returned row carries the new version as an int (UPDATE … RETURNING), equal to the row's
    assert isinstance(accepted_case.lock_version, int)
    assert accepted_case.lock_version == Case.objects.get(pk=case.pk).lock_version == case.lock_version + 1


# --- notifications at each transition -----------------------------------------------------------


def test_applicant_and_staff_are_notified_at_each_transition(world, cw, django_capture_on_commit_callbacks):

    applicant, clerk = world.user("applicant"), world.user("clerk")
    with django_capture_on_commit_callbacks(execute=True):
        case, _code = submit(world, cw.on_the_spot)
    # submitted: the applicant (with the code) and the window
    assert Notification.objects.filter(recipient=applicant, title__startswith="申请已提交").exists()
    assert Notification.objects.filter(recipient=clerk, title__startswith="新的网上申请").exists()
    with django_capture_on_commit_callbacks(execute=True):
        case = case_accept(case=case, actor=clerk)
    # accepted and decided in one sitting: the applicant twice, the window told delivery is due
    assert Notification.objects.filter(recipient=applicant, title__startswith="已受理").exists()
    assert Notification.objects.filter(recipient=applicant, title__startswith="准予许可").exists()
    assert Notification.objects.filter(recipient=clerk, title__startswith="待送达").exists()
    with django_capture_on_commit_callbacks(execute=True):
        case_deliver(case=case, actor=clerk, method="in_person", recipient="张丽")
        case_close(case=Case.objects.get(pk=case.pk), actor=clerk)
    assert Notification.objects.filter(recipient=applicant, title__startswith="决定书已送达").exists()
    assert Notification.objects.filter(recipient=applicant, title__startswith="已办结").exists()
