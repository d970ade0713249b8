"""Accountability (问责): the ACC-1 ladder and who may impose each rung, the ACC-2 negative list
"four always" and disqualified_units, ACC-3 容错 applications, pages and API with role refusals."""

from __future__ import annotations

import html
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from xiaoneng.core.models import Event
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.tests.factories import UserFactory
from xiaoneng.oversight.choices import (
    SANCTION_LADDER,
    AccountabilitySource,
    AccountabilityStatus,
    ExemptionCondition,
    ExemptionDecision,
    NegativeListCase,
    Sanction,
)
from xiaoneng.oversight.models import AccountabilityRecord, ExemptionApplication
from xiaoneng.oversight.selectors import disqualified_units, published_records
from xiaoneng.oversight.services import accountability_record_open, exemption_apply, exemption_decide

ALL_CONDITIONS = list(ExemptionCondition.values)


def _record(world, **kw):
    args = {
        "actor": world.user("supervisor"),
        "department": world.dept,
        "sanction": Sanction.WRITTEN_WARNING,
        "reason": "窗口受理超时且未说明理由",
        "source_kind": AccountabilitySource.ALERT,
        "person": world.user("clerk"),
    }
    args.update(kw)
    return accountability_record_open(**args)


# --- ACC-1 ----------------------------------------------------------------------------------------


def test_acc1_each_rung_has_its_authority(world):
    """ACC-1: a department head warns their own staff; circulated criticism and referral are the
    office's; transfer and resignation are the leaders'."""
    head = world.user("dept_head")
    assert _record(world, actor=head, sanction=Sanction.ORAL_WARNING).decided_by == head
    with pytest.raises(PermissionDenied):
        _record(world, actor=head, sanction=Sanction.CIRCULATED_CRITICISM)
    with pytest.raises(PermissionDenied):  # not in their own department
        _record(world, actor=head, department=world.other_dept, person=world.user("other_clerk"))
    with pytest.raises(PermissionDenied):
        _record(world, actor=world.user("supervisor"), sanction=Sanction.TRANSFER)
    with pytest.raises(PermissionDenied):
        _record(world, actor=world.user("clerk"), sanction=Sanction.ORAL_WARNING)
    with pytest.raises(PermissionDenied):  # another county's office
        _record(world, actor=world.user("other_county_supervisor"))
    assert _record(world, actor=world.user("supervisor"), sanction=Sanction.DISCIPLINE_REFERRAL)
    assert _record(world, actor=world.user("leader"), sanction=Sanction.TRANSFER)
    assert AccountabilityRecord.objects.count() == 3


def test_acc1_the_leaders_measures_apply_to_leaders_only(world):
    """ACC-1: 诫勉谈话, 公开道歉, 建议免职 are for leader cadres."""
    leader = world.user("leader")
    with pytest.raises(ValidationError, match="只适用于领导干部"):
        _record(world, actor=leader, sanction=Sanction.ADMONITION_TALK, person=world.user("clerk"))
    rec = _record(world, actor=leader, sanction=Sanction.ADMONITION_TALK, person=world.user("dept_head"))
    assert rec.person_is_leader
    assert rec.sanction == Sanction.ADMONITION_TALK


# --- ACC-2 ----------------------------------------------------------------------------------------


def test_acc2_a_serious_negative_list_case_needs_the_person_and_the_leader(world):
    """ACC-2 "四个一律": without the responsible leader (or the person) the record is refused."""
    with pytest.raises(ValidationError) as e:
        _record(world, negative_case=NegativeListCase.UNLAWFUL_ADMIN, serious=True)
    assert "leader" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        _record(
            world,
            negative_case=NegativeListCase.UNLAWFUL_ADMIN,
            serious=True,
            person=None,
            leader=world.user("dept_head"),
        )
    assert "person" in e.value.message_dict
    assert not AccountabilityRecord.objects.exists()


def test_acc2_four_always_publish_and_disqualify_the_unit(world):
    """ACC-2: a serious negative-list record is published and bars the unit from awards that year."""
    rec = _record(
        world,
        negative_case=NegativeListCase.NON_PERFORMANCE,
        serious=True,
        leader=world.user("dept_head"),
        publish=False,
    )
    year = timezone.localdate().year
    assert rec.published
    assert rec.published_at is not None
    assert rec.disqualified_year == year
    assert disqualified_units(year) == {world.dept.pk}
    assert disqualified_units((timezone.localdate(), timezone.localdate())) == {world.dept.pk}
    assert disqualified_units(year - 1) == set()
    assert disqualified_units(year, tenant=world.city) == {world.dept.pk}
    assert list(published_records()) == [rec]
    # a record not under the negative list neither publishes nor disqualifies by itself
    minor = _record(world, department=world.other_dept, person=world.user("other_clerk"))
    assert not minor.published
    assert minor.disqualified_year is None
    assert disqualified_units(year) == {world.dept.pk}


def test_acc2_the_database_holds_the_four_always_too(world):
    rec = _record(world, negative_case=NegativeListCase.OBSTRUCTION, serious=True, leader=world.user("dept_head"))

    with pytest.raises(IntegrityError), transaction.atomic():
        AccountabilityRecord.objects.filter(pk=rec.pk).update(published=False)


# --- ACC-3 ----------------------------------------------------------------------------------------


def test_acc3_exemption_with_every_condition_lifts_the_disqualification(world):
    """ACC-3: an exploratory mistake with every condition established is exempted; its unit is no
    longer disqualified; every step is on the trail."""
    rec = _record(world, negative_case=NegativeListCase.NON_PERFORMANCE, serious=True, leader=world.user("dept_head"))
    app = exemption_apply(
        record=rec,
        actor=world.user("clerk"),
        conditions=ALL_CONDITIONS,
        statement="试行容缺受理时因缺乏经验出现失误，已补正。",
    )
    with pytest.raises(ValidationError, match="全部容错情形"):
        exemption_decide(
            application=app,
            actor=world.user("supervisor"),
            decision=ExemptionDecision.EXEMPTED,
            confirmed=ALL_CONDITIONS[:-1],
            note="部分情形不成立",
        )
    exemption_decide(
        application=app,
        actor=world.user("supervisor"),
        decision=ExemptionDecision.EXEMPTED,
        confirmed=ALL_CONDITIONS,
        note="经调查，符合容错条件",
    )
    rec.refresh_from_db()
    assert rec.status == AccountabilityStatus.EXEMPTED
    assert disqualified_units(timezone.localdate().year) == set()
    assert list(Event.objects.for_subject(app).values_list("action", flat=True)) == [
        "exemption.applied",
        "exemption.decided",
    ]
    assert list(Event.objects.for_subject(rec).values_list("action", flat=True)) == [
        "accountability.decided",
        "accountability.exemption_applied",
        "accountability.exempted",
    ]


def test_acc3_wilful_violations_cannot_be_exempted(world):
    """ACC-3: wilful violations (and the negative list's abuse of power) are never tolerated."""
    wilful = _record(world, wilful=True)
    with pytest.raises(ValidationError, match="不适用容错"):
        exemption_apply(
            record=wilful, actor=world.user("clerk"), conditions=ALL_CONDITIONS, statement="情况说明情况说明情况说明"
        )
    abuse = _record(world, negative_case=NegativeListCase.ABUSE, serious=True, leader=world.user("dept_head"))
    assert abuse.wilful
    with pytest.raises(ValidationError, match="不适用容错"):
        exemption_apply(
            record=abuse, actor=world.user("clerk"), conditions=ALL_CONDITIONS, statement="情况说明情况说明情况说明"
        )
    assert not ExemptionApplication.objects.exists()


def test_acc3_mitigation_moves_down_the_ladder(world):
    rec = _record(world, sanction=Sanction.CIRCULATED_CRITICISM)
    app = exemption_apply(
        record=rec,
        actor=world.user("dept_head"),
        conditions=["no_personal_gain", "remedied"],
        statement="已挽回全部损失，无任何私利。",
    )
    common = {
        "application": app,
        "actor": world.user("supervisor"),
        "decision": ExemptionDecision.MITIGATED,
        "note": "从轻处理",
    }
    with pytest.raises(ValidationError, match="轻于原问责方式"):
        exemption_decide(**common, confirmed=["no_personal_gain", "remedied"], mitigated_to=Sanction.TRANSFER)
    with pytest.raises(ValidationError, match="只能认定申请人提出的情形"):
        exemption_decide(**common, confirmed=["exploratory"], mitigated_to=Sanction.ORAL_WARNING)
    exemption_decide(**common, confirmed=["no_personal_gain", "remedied"], mitigated_to=Sanction.ORAL_WARNING)
    rec.refresh_from_db()
    assert rec.status == AccountabilityStatus.MITIGATED
    assert rec.sanction == Sanction.ORAL_WARNING
    assert rec.original_sanction == Sanction.CIRCULATED_CRITICISM
    with pytest.raises(ValidationError):  # decided once
        exemption_decide(**common, confirmed=[], mitigated_to=Sanction.ORAL_WARNING)


def test_acc3_who_may_apply_and_decide(world):
    rec = _record(world)
    with pytest.raises(PermissionDenied):
        exemption_apply(
            record=rec,
            actor=world.user("other_clerk"),
            conditions=ALL_CONDITIONS,
            statement="与我无关的一段说明文字内容",
        )
    app = exemption_apply(
        record=rec, actor=world.user("clerk"), conditions=ALL_CONDITIONS, statement="按照试点方案先行先试出现偏差"
    )
    with pytest.raises(ValidationError, match="待审查"):
        exemption_apply(
            record=rec, actor=world.user("dept_head"), conditions=ALL_CONDITIONS, statement="重复提出的容错申请情况说明"
        )
    for username in ("clerk", "dept_head", "other_county_supervisor", "applicant"):
        with pytest.raises(PermissionDenied):
            exemption_decide(
                application=app, actor=world.user(username), decision="refused", confirmed=[], note="不予容错"
            )
    exemption_decide(application=app, actor=world.user("leader"), decision="refused", confirmed=[], note="不符合条件")
    rec.refresh_from_db()
    assert rec.status == AccountabilityStatus.DECIDED


@pytest.mark.parametrize(
    "kw",
    [
        {"sanction": "beheading"},
        {"reason": "x" * 2001},
        {"reason": "  "},
        {"source_kind": "rumour"},
        {"negative_case": "six"},
        {"serious": True},  # serious without a negative-list case
    ],
)
def test_bad_record_input_writes_nothing(world, kw):
    with pytest.raises(ValidationError):
        _record(world, **kw)
    assert not AccountabilityRecord.objects.exists()


# --- pages and API --------------------------------------------------------------------------------


def test_pages_record_apply_and_decide(world, client):
    client.force_login(world.user("supervisor"))
    r = client.post(
        "/oversight/accountability/new/",
        {
            "source_kind": "task",
            "department": world.dept.pk,
            "person": world.user("clerk").pk,
            "sanction": "written_warning",
            "reason": "督办事项逾期未报送办理情况",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    rec = AccountabilityRecord.objects.get()
    client.force_login(world.user("clerk"))
    r = client.post(
        f"/oversight/accountability/{rec.pk}/",
        {"conditions": ["exploratory", "no_personal_gain"], "statement": "试点期间系统切换导致逾期，已补报。"},
    )
    assert r.status_code == 302
    app = ExemptionApplication.objects.get()
    client.force_login(world.user("supervisor"))
    page = client.get(f"/oversight/exemptions/{app.pk}/").content.decode()
    assert "审查决定" in page
    r = client.post(
        f"/oversight/exemptions/{app.pk}/",
        {
            "decision": "mitigated",
            "confirmed": ["no_personal_gain"],
            "note": "仅部分成立",
            "mitigated_to": "oral_warning",
        },
    )
    assert r.status_code == 200
    assert "未谋取私利且已挽回损失" in r.content.decode()
    r = client.post(
        f"/oversight/exemptions/{app.pk}/", {"decision": "refused", "confirmed": [], "note": "不符合容错条件"}
    )
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.decision == "refused"


def test_page_record_form_shows_the_acc1_refusal(world, client):
    client.force_login(world.user("dept_head"))
    r = client.post(
        "/oversight/accountability/new/",
        {"source_kind": "other", "department": world.dept.pk, "sanction": "circulated", "reason": "作风不实被群众投诉"},
    )
    assert r.status_code == 200
    assert "无权" in r.content.decode()
    assert not AccountabilityRecord.objects.exists()


def test_published_list_is_public(world, client):
    _record(world, negative_case=NegativeListCase.OBSTRUCTION, serious=True, leader=world.user("dept_head"))
    body = client.get("/oversight/accountability/published/").content.decode()
    assert "窗口受理超时且未说明理由" in body


def test_api_record_and_exemption(world, client):
    client.force_login(world.user("supervisor"))
    r = client.post(
        "/api/oversight/accountability",
        {
            "department_id": world.dept.pk,
            "sanction": "self_criticism",
            "reason": "多次要求群众重复提交材料",
            "source_kind": "complaint",
            "person_id": world.user("clerk").pk,
            "leader_id": world.user("dept_head").pk,
            "negative_case": "obstruction",
            "serious": True,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    rec = r.json()
    assert rec["published"]
    assert rec["disqualified_year"] == timezone.localdate().year
    client.force_login(world.user("clerk"))
    r = client.post(
        f"/api/oversight/accountability/{rec['id']}/exemptions",
        {"conditions": ["exploratory"], "statement": "新系统上线初期操作不熟练所致"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    app = r.json()["id"]
    assert (
        client.post(
            f"/api/oversight/exemptions/{app}/decide",
            {"decision": "refused", "note": "自己审查"},
            content_type="application/json",
        ).status_code
        == 403
    )
    client.force_login(world.user("leader"))
    r = client.post(
        f"/api/oversight/exemptions/{app}/decide", {"decision": "bogus", "note": "x"}, content_type="application/json"
    )
    assert r.status_code == 400
    r = client.post(
        f"/api/oversight/exemptions/{app}/decide",
        {"decision": "refused", "note": "不符合容错条件"},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert r.json()["decision"] == "refused"


@pytest.mark.parametrize(
    "payload",
    [
        {"sanction": "nope"},
        {"reason": "x" * 3000},
        {"department_id": 2**70},
        {"department_id": 999999},
        {"person_id": -1},
        {"serious": "NaN"},
        {"negative_case": "unlawful_admin", "serious": True},
    ],
)
def test_api_bad_record_input_is_4xx_and_writes_nothing(world, client, payload):
    client.force_login(world.user("supervisor"))
    base = {
        "department_id": world.dept.pk,
        "sanction": "oral_warning",
        "reason": "窗口人员离岗",
        "person_id": world.user("clerk").pk,
    }
    r = client.post("/api/oversight/accountability", {**base, **payload}, content_type="application/json")
    assert r.status_code in (400, 422), r.content
    assert not AccountabilityRecord.objects.exists()


@pytest.mark.parametrize("username", ["applicant", "other_clerk", "county_clerk", "other_county_supervisor"])
def test_every_accountability_endpoint_refuses_the_wrong_role(world, client, username):
    rec = _record(world)
    app = exemption_apply(
        record=rec, actor=world.user("clerk"), conditions=ALL_CONDITIONS, statement="先行先试出现的失误说明"
    )
    client.force_login(world.user(username))
    for url in (
        f"/oversight/accountability/{rec.pk}/",
        f"/oversight/exemptions/{app.pk}/",
        f"/api/oversight/accountability/{rec.pk}",
        f"/api/oversight/exemptions/{app.pk}",
    ):
        assert client.get(url).status_code in (403, 404), url
    r = client.post(
        f"/api/oversight/exemptions/{app.pk}/decide",
        {"decision": "exempted", "confirmed": ALL_CONDITIONS, "note": "免责免责"},
        content_type="application/json",
    )
    assert r.status_code in (403, 404)
    r = client.post(
        f"/oversight/exemptions/{app.pk}/", {"decision": "exempted", "confirmed": ALL_CONDITIONS, "note": "免责免责"}
    )
    assert r.status_code in (403, 404)
    r = client.post(
        "/api/oversight/accountability",
        {"department_id": world.dept.pk, "sanction": "oral_warning", "reason": "窗口人员离岗"},
        content_type="application/json",
    )
    assert r.status_code in (400, 403)
    assert client.post("/oversight/accountability/new/", {}).status_code in (200, 403)
    assert AccountabilityRecord.objects.count() == 1
    app.refresh_from_db()
    assert app.status == "submitted"


def test_a_leader_user_of_the_region_can_be_the_person(world):
    city_leader = UserFactory(username="vice_mayor", role=Role.LEADER, region=world.city)
    rec = _record(world, actor=world.user("leader"), person=city_leader, sanction=Sanction.PUBLIC_APOLOGY)
    assert rec.person_is_leader


def _sanction_options(page: str) -> list[str]:
    select = page.split('name="sanction"', 1)[1].split("</select>", 1)[0]
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("dept_head", ["oral_warning", "written_warning", "self_criticism"]),
        ("supervisor", ["oral_warning", "written_warning", "self_criticism", "circulated", "discipline_referral"]),
        ("leader", sorted(SANCTION_LADDER, key=SANCTION_LADDER.__getitem__)),
    ],
)
def test_acc1_the_record_form_offers_only_the_rungs_this_user_may_impose(world, client, username, expected):
    # given a user with a role on the ladder
    client.force_login(world.user(username))
    # when they open the record form and ask the API
    page = client.get("/oversight/accountability/new/").content.decode()
    api = client.get("/api/oversight/accountability/sanctions").json()
    # then the dropdown and the API list exactly the rungs SANCTION_AUTHORITY gives the role, lowest first
    assert _sanction_options(page) == expected
    assert [s["value"] for s in api] == expected
    assert [s["rung"] for s in api] == sorted(s["rung"] for s in api)


def test_acc1_a_rung_posted_from_outside_the_dropdown_is_refused_clearly(world, client):
    # given a department head (the dropdown stops at 责令书面检查)
    client.force_login(world.user("dept_head"))
    # when a higher rung is posted anyway, on the page and through the API
    page = client.post(
        "/oversight/accountability/new/",
        {"source_kind": "other", "department": world.dept.pk, "sanction": "transfer", "reason": "作风不实被群众投诉"},
    )
    api = client.post(
        "/api/oversight/accountability",
        {"department_id": world.dept.pk, "sanction": "transfer", "reason": "作风不实", "source_kind": "other"},
        content_type="application/json",
    )
    # then the page names the refused sanction next to the field, the API answers 403 with the
    # reason, and nothing is written
    assert page.status_code == 200
    assert "您无权作出“调离岗位/停职离岗培训”的问责决定" in html.unescape(page.content.decode())
    assert api.status_code == 403
    assert "无权" in api.json()["detail"]
    assert not AccountabilityRecord.objects.exists()


@pytest.mark.parametrize("username", ["applicant", "clerk"])
def test_acc1_the_sanction_list_refuses_who_may_not_record(world, client, username):
    client.force_login(world.user(username))
    r = client.get("/api/oversight/accountability/sanctions")
    if username == "applicant":
        assert r.status_code == 403
    else:  # a clerk is staff but may impose nothing: the list is empty and the form is refused
        assert r.json() == []
        assert client.get("/oversight/accountability/new/").status_code == 403
