"""首违不罚 / 首违告诫 (INS-8): the list, the notice on a Clock, first only, closing after re-inspection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoneng.core.models import Event
from xiaoneng.inspections.actions.first_violations import (
    first_violation_entry_withdraw,
    first_violation_notice_close,
    first_violation_notice_issue,
)
from xiaoneng.inspections.choices import NoticeStatus
from xiaoneng.inspections.models import FirstViolationNotice
from xiaoneng.inspections.tests.conftest import OTHER_ENTERPRISE, entry_for, notice_args
from xiaoneng.workdays.choices import ClockStatus
from xiaoneng.workdays.models import Clock


def test_ins8_notice_runs_on_a_clock_and_closes_rectified(world, iw):
    entry = entry_for(world, iw)
    notice = first_violation_notice_issue(**notice_args(world, entry))
    assert notice.number.startswith("SW-339100-")
    assert notice.clock is not None
    assert notice.clock.limit == 10
    assert notice.clock.kind == "inspections.first_violation"
    assert notice.clock.status == ClockStatus.RUNNING
    notice = first_violation_notice_close(actor=world.user("reviewer"), notice=notice, rectified=True, note="已悬挂")
    assert notice.status == NoticeStatus.RECTIFIED
    assert notice.clock is not None
    notice.clock.refresh_from_db()
    assert notice.clock.status == ClockStatus.STOPPED
    actions = list(Event.objects.for_subject(notice).values_list("action", flat=True))
    assert actions == ["first_violation_notice.issued", "first_violation_notice.rectified"]


def test_ins8_only_the_first_violation(world, iw):
    entry = entry_for(world, iw)
    first_violation_notice_issue(**notice_args(world, entry))
    with pytest.raises(ValidationError, match="不再适用首违不罚"):
        first_violation_notice_issue(**notice_args(world, entry))
    # another enterprise, or another entry, is a first again
    assert first_violation_notice_issue(**notice_args(world, entry, credit_code=OTHER_ENTERPRISE)).pk
    other_entry = entry_for(world, iw, circumstance="首次未按规定保存进货查验记录")
    assert first_violation_notice_issue(**notice_args(world, other_entry)).pk


def test_ins8_unrectified_only_after_the_deadline(world, iw):
    notice = first_violation_notice_issue(**notice_args(world, entry_for(world, iw)))
    with pytest.raises(ValidationError, match="尚未届满"):
        first_violation_notice_close(actor=world.user("clerk"), notice=notice, rectified=False, note="未整改")
    # given the period has run out

    assert notice.clock is not None
    Clock.objects.filter(pk=notice.clock.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    notice = first_violation_notice_close(actor=world.user("clerk"), notice=notice, rectified=False, note="未整改")
    assert notice.status == NoticeStatus.UNRECTIFIED
    with pytest.raises(ValidationError):  # closed once
        first_violation_notice_close(actor=world.user("clerk"), notice=notice, rectified=True, note="x")


def test_ins2_list_takes_only_published_penalty_items(world, iw):
    with pytest.raises(ValidationError, match="应选择"):
        entry_for(world, iw, item=iw.inspection_item)
    for days in (0, 91, -3, "10", 10.5, True):
        with pytest.raises(ValidationError, match="1至90"):
            entry_for(world, iw, rectify_days=days)
    with pytest.raises(ValidationError, match="不能超过"):
        entry_for(world, iw, circumstance="情" * 600)


@pytest.mark.parametrize("key", ["clerk", "dept_head", "supervisor", "applicant", "other_county_supervisor"])
def test_wrong_roles_cannot_keep_the_list(world, iw, key):
    with pytest.raises(PermissionDenied):
        entry_for(world, iw, actor=world.user(key))


@pytest.mark.parametrize("key", ["other_clerk", "county_clerk", "supervisor", "legal", "applicant"])
def test_wrong_roles_cannot_issue_or_close(world, iw, key):
    entry = entry_for(world, iw)
    with pytest.raises(PermissionDenied):
        first_violation_notice_issue(**notice_args(world, entry, actor=world.user(key)))
    notice = first_violation_notice_issue(**notice_args(world, entry))
    with pytest.raises(PermissionDenied):
        first_violation_notice_close(actor=world.user(key), notice=notice, rectified=True, note="x")


def test_ins3_notice_needs_certified_officials_and_a_valid_code(world, iw):
    entry = entry_for(world, iw)
    with pytest.raises(ValidationError, match="没有有效的执法证"):
        first_violation_notice_issue(**notice_args(world, entry, officials=[world.user("clerk"), world.user("legal")]))
    with pytest.raises(ValidationError, match="统一社会信用代码"):
        first_violation_notice_issue(**notice_args(world, entry, credit_code="91339100MA2XXXXX0Z"))
    with pytest.raises(ValidationError, match="不能超过"):
        first_violation_notice_issue(**notice_args(world, entry, facts="事" * 3000))
    assert not FirstViolationNotice.objects.exists()


def test_withdrawn_entry_takes_no_new_notice(world, iw):
    entry = entry_for(world, iw)
    first_violation_entry_withdraw(actor=world.user("legal"), entry=entry, reason="上位法修改")
    with pytest.raises(ValidationError, match="已不在"):
        first_violation_notice_issue(**notice_args(world, entry))


def test_pages_api_and_public_list(world, iw, client):
    entry = entry_for(world, iw)
    # public list: anyone
    body = client.get("/inspections/first-violation-list/").content.decode()
    assert "首次未按规定公示食品经营许可证" in body
    assert client.get("/api/inspections/first-violation-list").json()[0]["rectify_days"] == 10
    # a clerk issues through the page
    client.force_login(world.user("clerk"))
    r = client.post(
        "/inspections/first-violations/new/",
        {
            "entry": entry.pk,
            "enterprise_name": "企业",
            "credit_code": OTHER_ENTERPRISE,
            "facts": "未悬挂许可证",
            "officials": [world.user("clerk").pk, world.user("reviewer").pk],
        },
    )
    assert r.status_code == 302
    notice = FirstViolationNotice.objects.get()
    assert notice.number in client.get("/inspections/first-violations/").content.decode()
    # bad input on the page is a message
    r = client.post("/inspections/first-violations/new/", {"entry": entry.pk, "credit_code": "x" * 300})
    assert r.status_code == 200
    assert "errorlist" in r.content.decode()
    # API: a second notice for the same enterprise is refused with 400
    r = client.post(
        "/api/inspections/notices",
        {
            "entry_id": entry.pk,
            "enterprise_name": "企业",
            "credit_code": OTHER_ENTERPRISE,
            "facts": "再次",
            "official_ids": [world.user("clerk").pk, world.user("reviewer").pk],
        },
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "不再适用" in str(r.json()["detail"])
    r = client.post(
        f"/api/inspections/notices/{notice.pk}/close",
        {"rectified": True, "note": "已整改"},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert r.json()["status"] == "rectified"
    # other departments and applicants are refused
    for key in ("other_clerk", "county_clerk", "other_county_supervisor", "applicant"):
        client.force_login(world.user(key))
        assert client.get(f"/inspections/first-violations/{notice.pk}/").status_code in (403, 404)
        assert client.get(f"/api/inspections/notices/{notice.pk}").status_code in (403, 404)
        r = client.post(
            f"/api/inspections/notices/{notice.pk}/close",
            {"rectified": True, "note": "x"},
            content_type="application/json",
        )
        assert r.status_code in (403, 404)
    client.force_login(world.user("applicant"))
    assert client.get("/inspections/first-violations/new/").status_code == 403
