# mypy: disable-error-code="union-attr,arg-type,misc,operator"
"""DIS-3: records published within 20 working days of creation or change (late ones are kept), and
the annual report's tables with the integrity check new + carried over = handled + carried forward."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoneng.disclosure.choices import AnswerType, AppealKind, AppealResult, ApplicantKind, Ground, RecordStatus
from xiaoneng.disclosure.models import DisclosureRequest
from xiaoneng.disclosure.report import annual_report, report_due_date
from xiaoneng.disclosure.selectors import records_for, records_public
from xiaoneng.disclosure.services import (
    CLOCK_PUBLISH,
    appeal_record,
    record_create,
    record_publish,
    record_update,
    request_answer,
)
from xiaoneng.disclosure.tests.conftest import submit
from xiaoneng.orgs.models import Department

pytestmark = pytest.mark.django_db


def _record(world, days_ago: int = 0, **kw):
    defaults = dict(
        actor=world.user("clerk"),
        category="normative",
        title="关于食品经营许可办理的通知",
        doc_number="青市监〔2026〕1号",
        body="正文",
        created_on=timezone.localdate() - timedelta(days=days_ago),
    )
    defaults.update(kw)
    return record_create(**defaults)


def test_dis3_record_has_a_20_working_day_publication_clock(world):
    record = _record(world)
    assert record.clock.kind == CLOCK_PUBLISH
    assert record.clock.limit == 20
    assert record.clock.department_id == world.dept.pk
    assert record.status == RecordStatus.DRAFT
    assert record not in records_public()
    assert record in records_for(world.user("clerk"))
    assert record not in records_for(world.user("other_clerk"))


def test_dis3_publication_on_time_and_late(world):
    reviewer = world.user("reviewer")
    on_time = record_publish(record=_record(world, 3), actor=reviewer)
    late = record_publish(record=_record(world, 45, title="四十五天前形成的信息"), actor=reviewer)
    assert on_time.published_late is False
    # DIS-3: more than 20 working days after the information was created: published late, and kept so
    assert late.published_late is True
    assert set(records_public()) == {on_time, late}


def test_dis3_a_change_of_a_published_record_is_republished_and_timed_from_the_change(world):
    reviewer = world.user("reviewer")
    record = record_publish(record=_record(world, 2), actor=reviewer)
    old_clock = record.clock_id
    record = record_update(
        record=record,
        actor=reviewer,
        category="normative",
        title="关于食品经营许可办理的通知（修订）",
        body="修订后的正文",
        changed_on=timezone.localdate() - timedelta(days=60),
    )
    assert record.revision == 1
    assert record.clock_id != old_clock
    assert record.published_late is True


def test_records_only_by_their_department_and_publish_only_after_review(world):
    with pytest.raises(PermissionDenied):
        _record(world, actor=world.user("supervisor"))
    record = _record(world)
    with pytest.raises(PermissionDenied):
        record_publish(record=record, actor=world.user("clerk"))
    with pytest.raises(PermissionDenied):
        record_publish(record=record, actor=world.user("other_clerk"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "题" * 300),
        ("created_on", date(1, 1, 1)),
        ("created_on", date(9999, 1, 1)),
        ("created_on", "2026-01-01"),
        ("amount", "NaN"),
        ("amount", "-1"),
        ("category", "nope"),
        ("link", "javascript:alert(1)"),
    ],
)
def test_bad_record_input_is_refused(world, field, value):
    with pytest.raises(ValidationError) as e:
        _record(world, **{field: value})
    assert field in e.value.message_dict


def _departments(world):
    return Department.objects.filter(pk=world.dept.pk)


def test_report_counts_by_applicant_kind_and_result_and_the_check_holds(world):
    year = timezone.localdate().year
    reviewer = world.user("reviewer")
    # one carried over from last year (received 2 years' worth of days back, still open)
    old = submit(world).request
    DisclosureRequest.objects.filter(pk=old.pk).update(received_at=timezone.now().replace(year=year - 1))
    a = submit(world).request
    b = submit(world, applicant_kind=ApplicantKind.COMMERCIAL, applicant_name="某公司").request
    submit(world, applicant_kind=ApplicantKind.LEGAL_SERVICE, applicant_name="某律所")  # still open: carried forward
    request_answer(
        request=a, actor=reviewer, answer_type=AnswerType.PARTIAL, ground=Ground.THIRD_PARTY, text="部分公开"
    )
    request_answer(request=b, actor=reviewer, answer_type=AnswerType.NOT_EXIST, text="信息不存在")
    request_answer(request=old, actor=reviewer, answer_type=AnswerType.DISCLOSED, text="予以公开")
    appeal_record(
        actor=reviewer,
        department=world.dept,
        kind=AppealKind.RECONSIDERATION,
        result=AppealResult.UPHELD,
        filed_on=timezone.localdate(),
    )
    # when
    r = annual_report(year=year, departments=_departments(world), title="市场监管局", government=False)
    # then
    t = r.table3
    assert t["new"]["natural"] == 1
    assert t["new"]["commercial"] == 1
    assert t["new"]["legal_service"] == 1
    assert t["new"]["total"] == 3
    assert t["carried"]["total"] == 1
    assert t["2"]["natural"] == 1
    assert t["4.1"]["commercial"] == 1
    assert t["1"]["natural"] == 1
    assert t["total"]["total"] == 3
    assert t["forward"]["total"] == 1
    assert t["forward"]["legal_service"] == 1
    assert r.check_ok
    assert all(c["ok"] for c in r.checks)
    assert r.table4["reconsideration"]["upheld"] == 1
    assert r.table4["reconsideration"]["total"] == 1
    assert r.due == date(year + 1, 1, 31)
    assert report_due_date(year, government=True) == date(year + 1, 3, 31)


def test_dis3_integrity_check_fails_visibly_on_an_inconsistent_record(world):
    year = timezone.localdate().year
    req = submit(world).request
    request_answer(request=req, actor=world.user("reviewer"), answer_type=AnswerType.DISCLOSED, text="予以公开")
    # an answer outside every result row (bad import, hand edit): the check must fail, not hide it
    DisclosureRequest.objects.filter(pk=req.pk).update(report_row="")
    r = annual_report(year=year, departments=_departments(world), title="x", government=False)
    assert not r.check_ok
    bad = [c for c in r.checks if not c["ok"]]
    assert {str(c["column"]) for c in bad} == {"自然人", "总计"}


def test_report_table2_from_records(world):
    reviewer = world.user("reviewer")
    record_publish(record=_record(world, 1), actor=reviewer)
    record_publish(record=_record(world, 1, category="licensing", title="许可决定"), actor=reviewer)
    record_publish(record=_record(world, 1, category="fee", title="收费", amount="1.5"), actor=reviewer)
    r = annual_report(year=timezone.localdate().year, departments=_departments(world), title="x", government=False)
    rows = {str(row["label"]): row["values"] for row in r.table2}
    assert rows["行政规范性文件"] == [1, 0, 1]
    assert rows["行政许可"] == [1]
    assert float(rows["行政事业性收费"][0]) == 1.5
    assert r.overview["records_published"] == 3
