# mypy: disable-error-code="union-attr,arg-type,misc,operator"
"""Requests on application: intake, DIS-1 (correction once within 7 working days, restart on receipt,
+20 with the department head's approval, consultation not counted, silence = consent), DIS-2 (answer
types, grounds, notices), fees, scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoneng.disclosure.choices import (
    AnswerType,
    ConsultationKind,
    ConsultationOpinion,
    Ground,
    RequestStatus,
    report_row,
)
from xiaoneng.disclosure.models import Consultation, DisclosureRequest
from xiaoneng.disclosure.notices import NOTICE_KINDS, notice_available, notice_pdf
from xiaoneng.disclosure.selectors import request_track, requests_for
from xiaoneng.disclosure.services import (
    CLOCK_ANSWER,
    consultation_reply,
    consultation_start,
    consultations_deem,
    fee_assess,
    request_answer,
    request_correction_ask,
    request_correction_receive,
    request_extend,
    request_fee_notify,
    request_register,
    request_withdraw,
)
from xiaoneng.disclosure.tests.conftest import age, submit
from xiaoneng.workdays.calendar import get_calendar
from xiaoneng.workdays.choices import ClockStatus
from xiaoneng.workdays.deadline import local_date
from xiaoneng.workdays.models import Clock, ClockPause

pytestmark = pytest.mark.django_db


def test_online_request_starts_a_20_working_day_clock_and_is_tracked_by_code(world):
    # when
    sub = submit(world)
    req = sub.request
    # then: DIS-1, a workdays Clock of 20 working days from receipt, owned by the department
    clock = req.clock
    assert clock.kind == CLOCK_ANSWER
    assert clock.limit == 20
    assert clock.department_id == world.dept.pk
    assert clock.due_date == get_calendar().add_working_days(local_date(req.received_at), 20)
    assert req.number in clock.label
    assert request_track(req.number, sub.code) == req
    assert request_track(req.number, "WRONG1") is None
    assert request_track("", "") is None


def test_signed_in_applicant_owns_the_request_and_sees_only_their_own(world):
    applicant = world.user("applicant")
    mine = submit(world, actor=applicant).request
    other = submit(world, actor=world.user("other_applicant")).request
    assert mine.applicant_user == applicant
    assert list(requests_for(applicant)) == [mine]
    assert other not in requests_for(applicant)


def test_window_registration_is_for_the_departments_staff_only(world):
    kw = dict(
        channel="window",
        applicant_kind="commercial",
        applicant_name="青溪某公司",
        phone="13900000032",
        description="公司的行政处罚决定书",
    )
    req = request_register(actor=world.user("clerk"), **kw).request
    assert req.department == world.dept
    assert req.registered_by == world.user("clerk")
    with pytest.raises(PermissionDenied):
        request_register(actor=world.user("supervisor"), **kw)
    with pytest.raises(PermissionDenied):
        request_register(actor=world.user("applicant"), **kw)
    with pytest.raises(ValidationError):
        request_register(actor=world.user("clerk"), **{**kw, "channel": "online"})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("applicant_name", "名" * 300),
        ("description", ""),
        ("description", "x" * 5001),
        ("phone", "12345"),
        ("applicant_kind", "nonsense"),
        ("description", "nul\x00byte here"),
    ],
)
def test_bad_intake_is_refused_and_writes_nothing(world, field, value):
    with pytest.raises(ValidationError) as e:
        submit(world, **{field: value})
    assert field in e.value.message_dict
    assert DisclosureRequest.objects.count() == 0
    assert Clock.objects.count() == 0


def test_dis1_correction_is_requested_once_only(world):
    req = submit(world).request
    clerk = world.user("clerk")
    req = request_correction_ask(request=req, actor=clerk, items="请写明所需信息的年份和文号")
    assert req.status == RequestStatus.CORRECTION
    assert Clock.objects.get(pk=req.clock_id).status == ClockStatus.PAUSED
    request_correction_receive(request=req, actor=clerk, text="2025年度，市场监管局发放的食品经营许可")
    # DIS-1: a second correction request is refused
    with pytest.raises(ValidationError) as e:
        request_correction_ask(request=DisclosureRequest.objects.get(pk=req.pk), actor=clerk, items="再补充一次")
    assert e.value.code == "second_correction"


def test_dis1_correction_must_come_within_7_working_days_of_receipt(world):
    req = age(submit(world).request, 14)  # at least 8 working days ago
    with pytest.raises(ValidationError) as e:
        request_correction_ask(request=req, actor=world.user("clerk"), items="请写明年份")
    assert e.value.code == "correction_late"
    assert DisclosureRequest.objects.get(pk=req.pk).status == RequestStatus.PROCESSING


def test_dis1_period_restarts_on_receipt_of_the_corrected_request(world):
    req = age(submit(world).request, 3)
    clerk = world.user("clerk")
    request_correction_ask(request=req, actor=clerk, items="请写明年份")
    # the applicant answers (signed in or not: here the clerk records a letter)
    req = request_correction_receive(request=DisclosureRequest.objects.get(pk=req.pk), actor=clerk, text="2025年度")
    clock = Clock.objects.get(pk=req.clock_id)
    # DIS-1: 20 working days from the receipt of the corrected request, not from the first receipt
    assert clock.status == ClockStatus.RUNNING
    assert clock.due_date == get_calendar().add_working_days(timezone.localdate(), 20)
    assert req.status == RequestStatus.PROCESSING


def test_dis1_extension_needs_the_department_head_and_is_granted_once(world):
    req = submit(world).request
    due_before = req.clock.due_date
    with pytest.raises(PermissionDenied):
        request_extend(request=req, actor=world.user("clerk"), reason="信息量大")
    with pytest.raises(PermissionDenied):
        request_extend(request=req, actor=world.user("supervisor"), reason="信息量大")
    req = request_extend(request=req, actor=world.user("dept_head"), reason="涉及多年档案检索")
    clock = Clock.objects.get(pk=req.clock_id)
    assert clock.effective_limit == 40
    assert clock.due_date == get_calendar().add_working_days(due_before, 20)
    with pytest.raises(ValidationError) as e:
        request_extend(request=req, actor=world.user("dept_head"), reason="再延一次")
    assert e.value.code == "second_extension"


def test_dis1_extension_refused_after_the_period_ran_out(world):
    req = age(submit(world).request, 40)
    with pytest.raises(ValidationError) as e:
        request_extend(request=req, actor=world.user("dept_head"), reason="来不及了")
    assert e.value.code == "expired"


def test_dis1_consultation_pauses_the_period_and_silence_is_consent(world):
    req = submit(world).request
    clerk = world.user("clerk")
    c = consultation_start(request=req, actor=clerk, kind=ConsultationKind.THIRD_PARTY, party="青溪某食品公司")
    assert Clock.objects.get(pk=req.clock_id).status == ClockStatus.PAUSED
    assert c.clock.limit == 15
    assert c.clock.department_id is None
    # a second consultation while one is open is refused (the request is consulting)
    with pytest.raises(ValidationError):
        consultation_start(request=req, actor=clerk, kind=ConsultationKind.CO_AGENCY, party="市商务局")
    # nothing to deem before the 15 working days run out
    assert consultations_deem() == 0
    # when: the 15 working days pass in silence
    assert consultations_deem(now=timezone.now() + timedelta(days=40)) == 1
    c = Consultation.objects.get(pk=c.pk)
    assert c.opinion == ConsultationOpinion.DEEMED
    req = DisclosureRequest.objects.get(pk=req.pk)
    assert req.status == RequestStatus.PROCESSING
    assert Clock.objects.get(pk=req.clock_id).status == ClockStatus.RUNNING
    assert consultations_deem(now=timezone.now() + timedelta(days=40)) == 0  # idempotent


def test_dis1_consultation_days_are_not_counted(world):
    req = submit(world).request
    clerk = world.user("clerk")
    c = consultation_start(request=req, actor=clerk, kind=ConsultationKind.CO_AGENCY, party="市商务局")
    Clock.objects.filter(pk=req.clock_id).update(started_at=timezone.now() - timedelta(days=7))

    ClockPause.objects.filter(clock_id=req.clock_id).update(started_at=timezone.now() - timedelta(days=7))
    consultation_reply(consultation=c, actor=clerk, opinion=ConsultationOpinion.AGREE, text="同意公开")
    clock = Clock.objects.get(pk=req.clock_id)
    # paused from the start: the due date is 20 working days after today, not after a week ago
    assert clock.due_date >= get_calendar().add_working_days(timezone.localdate(), 19)
    with pytest.raises(ValidationError):
        consultation_reply(consultation=c, actor=clerk, opinion=ConsultationOpinion.AGREE)


@pytest.mark.parametrize(
    ("answer_type", "ground", "agency", "row"),
    [
        (AnswerType.ALREADY_PUBLIC, "", "", "1"),
        (AnswerType.DISCLOSED, "", "", "1"),
        (AnswerType.PARTIAL, Ground.THIRD_PARTY, "", "2"),
        (AnswerType.WITHHELD, Ground.STATE_SECRET, "", "3.1"),
        (AnswerType.WITHHELD, Ground.PROCESS, "", "3.6"),
        (AnswerType.SPECIAL_LAW, "", "", "3.8"),
        (AnswerType.NOT_EXIST, "", "", "4.1"),
        (AnswerType.NOT_OURS, "", "青溪市住房和城乡建设局，电话0571-00000000", "4.1"),
        (AnswerType.NEEDS_MAKING, "", "", "4.2"),
        (AnswerType.REPEAT, "", "", "5.2"),
        (AnswerType.NOT_PROCESSED, Ground.PETITION, "", "5.1"),
        (AnswerType.NOT_PROCESSED, Ground.MASSIVE, "", "5.4"),
    ],
)
def test_dis2_each_answer_type_is_counted_and_has_its_notice(world, answer_type, ground, agency, row):
    req = submit(world).request
    req = request_answer(
        request=req,
        actor=world.user("reviewer"),
        answer_type=answer_type,
        ground=ground,
        right_agency=agency,
        text="见附件",
    )
    assert req.status == RequestStatus.ANSWERED
    assert req.report_row == row == report_row(answer_type, ground)
    assert req.answered_on_time is True
    assert Clock.objects.get(pk=req.clock_id).status == ClockStatus.STOPPED
    assert notice_available(req, "answer")
    pdf = notice_pdf(req, "answer")
    assert pdf.startswith(b"%PDF")


def test_dis2_withholding_needs_a_ground_and_not_ours_names_the_agency(world):
    req = submit(world).request
    reviewer = world.user("reviewer")
    with pytest.raises(ValidationError) as e:
        request_answer(request=req, actor=reviewer, answer_type=AnswerType.WITHHELD, text="不予公开")
    assert "ground" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        request_answer(
            request=req, actor=reviewer, answer_type=AnswerType.PARTIAL, ground=Ground.PETITION, text="x部分"
        )
    assert "ground" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        request_answer(request=req, actor=reviewer, answer_type=AnswerType.NOT_OURS, text="非本机关")
    assert "right_agency" in e.value.message_dict
    with pytest.raises(ValidationError):
        request_answer(request=req, actor=reviewer, answer_type="bogus", text="非本机关")
    with pytest.raises(ValidationError):  # abandoned only after a correction period ran out
        request_answer(request=req, actor=reviewer, answer_type=AnswerType.ABANDONED, text="放弃")
    assert DisclosureRequest.objects.get(pk=req.pk).status == RequestStatus.PROCESSING


def test_answer_after_the_period_is_late(world):
    req = age(submit(world).request, 45)
    req = request_answer(request=req, actor=world.user("clerk"), answer_type=AnswerType.DISCLOSED, text="予以公开")
    assert req.answered_on_time is False


def test_only_the_departments_staff_handle_a_request(world):
    req = submit(world).request
    for key in ("other_clerk", "county_clerk", "supervisor", "leader", "applicant", "legal"):
        with pytest.raises(PermissionDenied):
            request_answer(request=req, actor=world.user(key), answer_type=AnswerType.DISCLOSED, text="予以公开")
        with pytest.raises(PermissionDenied):
            request_correction_ask(request=req, actor=world.user(key), items="补正事项")
    assert req not in requests_for(world.user("other_clerk"))
    assert req not in requests_for(world.user("other_county_supervisor"))
    assert req in requests_for(world.user("supervisor"))


def test_withdrawal_counts_as_other_and_cancels_the_clock(world):
    applicant = world.user("applicant")
    req = submit(world, actor=applicant).request
    with pytest.raises(PermissionDenied):
        request_withdraw(request=req, actor=world.user("other_applicant"))
    req = request_withdraw(request=req, actor=applicant, reason="不再需要")
    assert req.status == RequestStatus.WITHDRAWN
    assert req.report_row == "6.3"
    assert Clock.objects.get(pk=req.clock_id).status == ClockStatus.CANCELLED


def test_fee_rule_no_fee_in_general():
    assert fee_assess(method="count", count_in_month=10) == 0
    assert fee_assess(method="count", count_in_month=11) == 100
    assert fee_assess(method="count", count_in_month=31) == 1000
    assert fee_assess(method="pages", pages=30) == 0
    assert fee_assess(method="pages", pages=31) == 10
    assert fee_assess(method="pages", pages=100) == 700
    assert fee_assess(method="pages", pages=201) == 700 + 2000 + 40
    with pytest.raises(ValidationError):
        fee_assess(method="nan")


def test_fee_notice_refused_for_an_ordinary_request_and_pauses_an_excessive_one(world):
    req = submit(world).request
    with pytest.raises(ValidationError) as e:
        request_fee_notify(request=req, actor=world.user("clerk"), method="count")
    assert e.value.code == "no_fee"
    req = request_fee_notify(request=req, actor=world.user("clerk"), method="pages", pages=120)
    assert req.fee_amount == Decimal(700 + 400)
    assert req.status == RequestStatus.FEE
    assert Clock.objects.get(pk=req.clock_id).status == ClockStatus.PAUSED


@pytest.mark.parametrize("kind", NOTICE_KINDS)
def test_correction_and_extension_notices(world, kind):
    req = submit(world).request
    request_correction_ask(request=req, actor=world.user("clerk"), items="请写明年份")
    req = DisclosureRequest.objects.get(pk=req.pk)
    request_correction_receive(request=req, actor=world.user("clerk"), text="2025年")
    req = request_extend(
        request=DisclosureRequest.objects.get(pk=req.pk), actor=world.user("dept_head"), reason="检索档案"
    )
    if kind == "answer":
        assert not notice_available(req, kind)
    else:
        assert notice_available(req, kind)
        assert notice_pdf(req, kind).startswith(b"%PDF")
