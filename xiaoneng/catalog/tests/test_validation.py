"""Validation rules: CAT-4 (committed limit), CAT-5 (process), CAT-7 (fees) and the codes."""

import pytest
from django.core.exceptions import ValidationError

from xiaoneng.catalog.services import item_create, version_update
from xiaoneng.catalog.tests.factories import codes_for, content, head, make_item
from xiaoneng.catalog.validation import critical_path, normalize
from xiaoneng.orgs.tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _create(world, **overrides):
    base, code = codes_for(world.dept)
    return item_create(
        actor=world.user("clerk"),
        department=world.dept,
        base_code=base,
        implementing_code=code,
        content=content(**overrides),
    )


def test_cat4_committed_limit_not_a_third_shorter_is_refused_without_justification(world):
    # given statutory 20 and committed 15 (> 20 × 2/3) with no justification
    # when the item is created
    with pytest.raises(ValidationError) as exc:
        _create(world, statutory_limit=20, committed_limit=15)
    # then the committed limit is named with the CAT-4 message
    assert "committed_limit" in exc.value.message_dict
    assert "三分之一" in exc.value.message_dict["committed_limit"][0]
    assert "CAT-" not in exc.value.message_dict["committed_limit"][0]
    assert "13" in exc.value.message_dict["committed_limit"][0]


def test_cat4_committed_limit_accepted_with_justification(world):
    # given the same limits with a recorded justification
    item = _create(
        world, statutory_limit=20, committed_limit=15, committed_justification="需现场核查，无法进一步压缩。"
    )
    # then the item exists
    assert head(item).committed_limit == 15


def test_cat4_committed_limit_at_two_thirds_is_accepted(world):
    # given committed exactly 2/3 of statutory (30 → 20)
    item = _create(world, statutory_limit=30, committed_limit=20)
    assert head(item).speedup_percent == 33


def test_committed_limit_above_statutory_is_refused_even_with_justification(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, statutory_limit=10, committed_limit=12, committed_justification="理由")
    assert "committed_limit" in exc.value.message_dict


def test_cat7_fee_without_basis_is_refused(world):
    # given a fee with no basis
    fees = [{"name": "工本费", "lower": "10", "upper": "10", "basis": ""}]
    # when / then
    with pytest.raises(ValidationError) as exc:
        _create(world, fees=fees)
    assert "收费依据" in exc.value.message_dict["fees.0.basis"][0]


def test_cat7_fee_lower_above_upper_is_refused(world):
    fees = [{"name": "登记费", "lower": "50", "upper": "20", "basis": "发改价格〔2019〕1号"}]
    with pytest.raises(ValidationError) as exc:
        _create(world, fees=fees)
    assert "fees.0.lower" in exc.value.message_dict


def test_cat7_fee_with_basis_and_range_is_stored(world):
    fees = [{"name": "登记费", "lower": "20", "upper": "50.5", "basis": "发改价格〔2019〕1号", "reducible": "是"}]
    item = _create(world, fees=fees)
    fee = head(item).fees.get()
    assert (str(fee.lower), str(fee.upper), fee.reducible) == ("20.00", "50.50", True)


def test_base_code_must_be_twelve_digits(world):
    _base, code = codes_for(world.dept)
    with pytest.raises(ValidationError) as exc:
        item_create(
            actor=world.user("clerk"),
            department=world.dept,
            base_code="12AB",
            implementing_code=code,
            content=content(),
        )
    assert "base_code" in exc.value.message_dict


def test_implementing_code_must_start_with_department_credit_code(world):
    base, _code = codes_for(world.dept)
    wrong = f"{world.other_dept.credit_code}{base}001"
    with pytest.raises(ValidationError) as exc:
        item_create(
            actor=world.user("clerk"), department=world.dept, base_code=base, implementing_code=wrong, content=content()
        )
    assert "统一社会信用代码" in exc.value.message_dict["implementing_code"][0]


def test_implementing_code_is_unique_per_jurisdiction(world):
    # given an item
    base, code = codes_for(world.dept)
    item_create(
        actor=world.user("clerk"), department=world.dept, base_code=base, implementing_code=code, content=content()
    )
    # when another item uses the same code
    with pytest.raises(ValidationError) as exc:
        item_create(
            actor=world.user("clerk"), department=world.dept, base_code=base, implementing_code=code, content=content()
        )
    # then it is refused
    assert "已被使用" in exc.value.message_dict["implementing_code"][0]


def test_cat5_step_without_post_or_role_is_refused(world):
    stages = [{"name": "审查", "steps": [{"name": "审核", "limit_days": 3}]}]
    with pytest.raises(ValidationError) as exc:
        _create(world, stages=stages)
    assert "岗位或角色" in exc.value.message_dict["stages.0.steps.0.post"][0]


def test_cat5_step_without_limit_is_refused(world):
    stages = [{"name": "审查", "steps": [{"name": "审核", "role": "reviewer"}]}]
    with pytest.raises(ValidationError) as exc:
        _create(world, stages=stages)
    assert "stages.0.steps.0.limit_days" in exc.value.message_dict


def test_cat5_critical_path_over_committed_limit_is_refused(world):
    # given two stages of 6 working days (all) and a committed limit of 10
    stages = [
        {"name": "一", "steps": [{"name": "甲", "role": "clerk", "limit_days": 6}]},
        {"name": "二", "steps": [{"name": "乙", "role": "reviewer", "limit_days": 6}]},
    ]
    with pytest.raises(ValidationError) as exc:
        _create(world, stages=stages)
    assert "关键路径合计 12" in exc.value.message_dict["stages"][0]


def test_cat5_critical_path_uses_max_for_all_and_min_for_any(world):
    # given a parallel stage of 3 and 5 days: all → 5, any → 3
    def stages(policy):
        return [
            {
                "name": "会签",
                "join_policy": policy,
                "quorum": 1 if policy == "quorum" else None,
                "steps": [
                    {"name": "甲", "department": world.dept.pk, "role": "reviewer", "limit_days": 3},
                    {"name": "乙", "department": world.other_dept.pk, "role": "reviewer", "limit_days": 5},
                ],
            }
        ]

    assert critical_path(normalize({"stages": stages("all")})[0]["stages"]) == 5
    assert critical_path(normalize({"stages": stages("any")})[0]["stages"]) == 3
    assert critical_path(normalize({"stages": stages("quorum")})[0]["stages"]) == 5


def test_cat5_parallel_steps_of_the_same_department_are_refused(world):
    stages = [
        {
            "name": "会签",
            "steps": [
                {"name": "甲", "department": world.dept.pk, "role": "reviewer", "limit_days": 3},
                {"name": "乙", "department": world.dept.pk, "role": "reviewer", "limit_days": 3},
            ],
        }
    ]
    with pytest.raises(ValidationError) as exc:
        _create(world, stages=stages)
    assert "不同部门" in exc.value.message_dict["stages.0.steps.1.department"][0]


def test_cat5_post_must_belong_to_the_step_department(world):
    post = PostFactory.create(department=world.other_dept)
    stages = [{"name": "审查", "steps": [{"name": "审核", "post": post.pk, "limit_days": 3}]}]
    with pytest.raises(ValidationError) as exc:
        _create(world, stages=stages)
    assert "stages.0.steps.0.post" in exc.value.message_dict


def test_quorum_must_fit_the_number_of_steps(world):
    stages = [
        {
            "name": "会签",
            "join_policy": "quorum",
            "quorum": 3,
            "steps": [
                {"name": "甲", "department": world.dept.pk, "role": "reviewer", "limit_days": 3},
                {"name": "乙", "department": world.other_dept.pk, "role": "reviewer", "limit_days": 3},
            ],
        }
    ]
    with pytest.raises(ValidationError) as exc:
        _create(world, stages=stages)
    assert "stages.0.quorum" in exc.value.message_dict


def test_non_public_item_needs_a_reason(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, is_public=False)
    assert "non_public_reason" in exc.value.message_dict


def test_bad_choice_and_number_are_reported_in_chinese(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, item_type="许可", visits="两次")
    errors = exc.value.message_dict
    assert "可选" in errors["item_type"][0]
    assert "整数" in errors["visits"][0]


def test_failed_update_writes_nothing(world):
    # given a draft
    item = make_item(world.dept, world.user("clerk"))
    # when an update breaks CAT-4
    with pytest.raises(ValidationError):
        version_update(
            actor=world.user("clerk"),
            version=head(item),
            content=content(statutory_limit=20, committed_limit=19, name="改名"),
        )
    # then the draft is unchanged
    head(item).refresh_from_db()
    assert head(item).name == "食品经营许可"
    assert head(item).committed_limit == 10


def test_texts_longer_than_their_column_and_numbers_out_of_range_are_refused_with_the_field_named(world):
    # given a name longer than 200 characters, a step name over 100 and an impossible number of copies
    # (PostgreSQL would refuse them with a database error; SQLite would store them silently)
    stages = [{"name": "受理", "steps": [{"name": "审" * 101, "role": "clerk", "limit_days": 1}]}]
    materials = [{"name": "申请书", "copies": 40000}]
    # when the item is created
    with pytest.raises(ValidationError) as exc:
        _create(world, name="许" * 201, stages=stages, materials=materials)
    # then each is named with its limit, in Chinese
    errors = exc.value.message_dict
    assert "200" in errors["name"][0]
    assert "201" in errors["name"][0]
    assert "100" in errors["stages.0.steps.0.name"][0]
    assert "32767" in errors["materials.0.copies"][0]


def test_a_theme_longer_than_its_column_is_refused(world):
    base, code = codes_for(world.dept)
    with pytest.raises(ValidationError) as exc:
        item_create(
            actor=world.user("clerk"),
            department=world.dept,
            base_code=base,
            implementing_code=code,
            content=content(),
            themes=["主" * 31],
        )
    assert "themes" in exc.value.message_dict
