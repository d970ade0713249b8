"""自由裁量基准 and penalty decisions (INS-10), certificates (INS-3) and the 首违不罚 interplay (INS-8)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xiaoneng.inspections.actions.first_violations import first_violation_notice_close, first_violation_notice_issue
from xiaoneng.inspections.actions.penalties import baseline_set, penalty_decide
from xiaoneng.inspections.models import PenaltyDecision
from xiaoneng.inspections.tests.conftest import ENTERPRISE, entry_for, notice_args
from xiaoneng.workdays.models import Clock

TIERS = [
    {"tier": "slight", "circumstance": "违法所得不足一千元", "fine_min": "0", "fine_max": "5000"},
    {"tier": "general", "circumstance": "违法所得一千元以上", "fine_min": "5000", "fine_max": "50000"},
    {"tier": "serious", "circumstance": "造成危害后果", "fine_min": "50000", "fine_max": "100000"},
]


@pytest.fixture
def baseline(world, iw):
    return baseline_set(actor=world.user("legal"), item=iw.penalty_item, basis="食品安全法第一百二十四条", tiers=TIERS)


def _tier(baseline, name):
    return baseline.tiers.get(tier=name)


def _decide(world, baseline, **overrides):
    args = {
        "actor": world.user("dept_head"),
        "tier": _tier(baseline, "general"),
        "enterprise_name": "青溪市好味餐饮有限公司",
        "credit_code": ENTERPRISE,
        "facts": "销售过期食品，违法所得两千元",
        "amount": "8000",
        "officials": [world.user("clerk"), world.user("reviewer")],
    }
    args.update(overrides)
    return penalty_decide(**args)


def test_ins10_fine_within_the_tier_is_recorded(world, baseline):
    decision = _decide(world, baseline)
    assert decision.number.startswith("CF-339100-")
    assert decision.amount == Decimal("8000.00")
    # both bounds are included
    assert _decide(world, baseline, amount="5000").pk
    assert _decide(world, baseline, amount="50000.00").pk


@pytest.mark.parametrize("amount", ["4999.99", "50000.01", "100000"])
def test_ins10_fine_outside_the_tier_is_refused(world, baseline, amount):
    with pytest.raises(ValidationError, match="超出裁量基准"):
        _decide(world, baseline, amount=amount)
    assert not PenaltyDecision.objects.exists()


@pytest.mark.parametrize("amount", ["NaN", "nan", "Infinity", "-1", "1e30", "abc", "", "12.345", None])
def test_bad_amounts_are_a_message(world, baseline, amount):
    with pytest.raises(ValidationError, match="罚款金额"):
        _decide(world, baseline, amount=amount)


def test_ins3_penalty_by_uncertified_officials_is_refused(world, baseline):
    with pytest.raises(ValidationError, match="没有有效的执法证"):
        _decide(world, baseline, officials=[world.user("clerk"), world.user("legal")])
    with pytest.raises(ValidationError, match="不得少于两人"):
        _decide(world, baseline, officials=[world.user("clerk")])


@pytest.mark.parametrize("key", ["other_clerk", "county_clerk", "supervisor", "legal", "applicant"])
def test_wrong_roles_cannot_decide(world, baseline, key):
    with pytest.raises(PermissionDenied):
        _decide(world, baseline, actor=world.user(key))


@pytest.mark.parametrize("key", ["clerk", "dept_head", "supervisor", "applicant"])
def test_only_the_legal_office_sets_baselines(world, iw, key):
    with pytest.raises(PermissionDenied):
        baseline_set(actor=world.user(key), item=iw.penalty_item, basis="x", tiers=TIERS)


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([], "一至四个"),
        ([{**TIERS[0], "fine_min": "100", "fine_max": "10"}], "不能低于下限"),
        ([{**TIERS[0], "fine_min": "NaN"}], "应为数字"),
        ([{**TIERS[0], "fine_max": "-5"}], "不能为负数"),
        ([TIERS[0], {**TIERS[1], "fine_min": "4000"}], "重叠"),
        ([TIERS[0], TIERS[0]], "只能填写一次"),
        ([{**TIERS[0], "tier": "huge"}], "阶次不正确"),
        ([{**TIERS[0], "circumstance": "情" * 600}], "不能超过"),
    ],
)
def test_bad_baselines_are_refused(world, iw, tiers, message):
    with pytest.raises(ValidationError, match=message):
        baseline_set(actor=world.user("legal"), item=iw.penalty_item, basis="依据", tiers=tiers)


def test_baseline_only_for_published_penalty_items_and_once(world, iw, baseline):
    with pytest.raises(ValidationError, match="应选择"):
        baseline_set(actor=world.user("legal"), item=iw.inspection_item, basis="x", tiers=TIERS)
    with pytest.raises(ValidationError, match="已有裁量基准"):
        baseline_set(actor=world.user("legal"), item=iw.penalty_item, basis="x", tiers=TIERS)


def test_ins8_no_penalty_while_the_notice_runs_lower_bound_after_it_failed(world, iw, baseline):
    entry = entry_for(world, iw)
    notice = first_violation_notice_issue(**notice_args(world, entry))
    with pytest.raises(ValidationError, match="尚未届满"):
        _decide(world, baseline)
    assert notice.clock is not None
    Clock.objects.filter(pk=notice.clock.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    notice = first_violation_notice_close(actor=world.user("clerk"), notice=notice, rectified=False, note="未整改")
    with pytest.raises(ValidationError, match="按裁量阶次的下限"):
        _decide(world, baseline, notice=notice, amount="8000")
    assert _decide(world, baseline, notice=notice, amount="5000").amount == Decimal("5000.00")


def test_ins8_rectified_notice_means_no_penalty(world, iw, baseline):
    notice = first_violation_notice_issue(**notice_args(world, entry_for(world, iw)))
    notice = first_violation_notice_close(actor=world.user("clerk"), notice=notice, rectified=True, note="已整改")
    with pytest.raises(ValidationError, match="不予处罚"):
        _decide(world, baseline, notice=notice)


def test_pages_and_api(world, iw, client):
    # the legal office publishes a baseline through the page
    client.force_login(world.user("legal"))
    r = client.post(
        "/inspections/penalties/",
        {
            "item": iw.penalty_item.pk,
            "basis": "食品安全法",
            "slight_circumstance": "轻微",
            "slight_min": "0",
            "slight_max": "5000",
            "general_circumstance": "一般",
            "general_min": "5000",
            "general_max": "50000",
        },
    )
    assert r.status_code == 302
    assert "违法所得" not in client.get("/inspections/discretion/").content.decode()
    body = client.get("/inspections/discretion/").content.decode()
    assert "对销售不符合食品安全标准食品的行政处罚" in body
    assert "50000" in body
    assert client.get("/api/inspections/baselines").json()[0]["tiers"][1]["tier"] == "general"
    tier = client.get("/api/inspections/baselines").json()[0]["tiers"][1]["id"]
    # a department head decides through the API; out of range is 400 with the range named
    client.force_login(world.user("dept_head"))
    payload = {
        "tier_id": tier,
        "enterprise_name": "企业",
        "credit_code": ENTERPRISE,
        "facts": "事实",
        "amount": "60000",
        "official_ids": [world.user("clerk").pk, world.user("reviewer").pk],
    }
    r = client.post("/api/inspections/penalties", payload, content_type="application/json")
    assert r.status_code == 400
    assert "5000.00至50000.00" in str(r.json())
    r = client.post("/api/inspections/penalties", {**payload, "amount": "NaN"}, content_type="application/json")
    assert r.status_code == 400
    r = client.post("/api/inspections/penalties", {**payload, "amount": "6000"}, content_type="application/json")
    assert r.status_code == 201
    assert r.json()["amount"] == "6000.00"
    # the page form: NaN and a 300-character name are messages
    r = client.post(
        "/inspections/penalties/new/",
        {
            **{k: v for k, v in payload.items() if k not in ("tier_id", "official_ids")},
            "tier": tier,
            "amount": "NaN",
            "officials": payload["official_ids"],
        },
    )
    assert r.status_code == 200
    assert "罚款金额" in r.content.decode()
    assert "errorlist" in r.content.decode()
    r = client.post("/inspections/penalties/new/", {"tier": tier, "enterprise_name": "企" * 300})
    assert r.status_code == 200
    assert "errorlist" in r.content.decode()
    # scope
    assert len(client.get("/api/inspections/penalties").json()) == 1
    for key in ("other_clerk", "county_clerk", "other_county_supervisor"):
        client.force_login(world.user(key))
        assert client.get("/api/inspections/penalties").json() == []
        assert client.post("/api/inspections/penalties", payload, content_type="application/json").status_code in (
            400,
            403,
        )
    client.force_login(world.user("applicant"))
    assert client.get("/inspections/penalties/").status_code == 403
    assert client.get("/api/inspections/penalties").status_code == 403
    assert client.post("/api/inspections/penalties", payload, content_type="application/json").status_code == 403
