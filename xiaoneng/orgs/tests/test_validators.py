"""Chinese identifiers: unified social credit code (GB 32100-2015), resident identity number
(GB 11643-1999), administrative region code; and masking of identity numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from xiaoneng.orgs.validators import (
    credit_code_check_char,
    id_number_check_char,
    mask_id_number,
    validate_credit_code,
    validate_id_number,
    validate_region_code,
)

# A real-format credit code: 9 (工商) 1 (企业) 330100 (杭州) + 9-character organisation code; the
# 18th character is computed with the standard's weights.
CREDIT_FIRST17 = "91330100MA2AXXXX1"
VALID_CREDIT = CREDIT_FIRST17 + credit_code_check_char(CREDIT_FIRST17)
# The sample number of GB 11643-1999 itself: 11010519491231002X.
VALID_ID = "11010519491231002X"


def test_credit_code_check_char_matches_a_published_code():
    # 91350100M000100Y43 is the example code printed in GB 32100-2015's annex.
    assert credit_code_check_char("91350100M000100Y4") == "3"


def test_valid_credit_code_passes():
    validate_credit_code(VALID_CREDIT)


def test_corrupted_credit_code_fails_the_checksum():
    # given one character changed
    corrupted = VALID_CREDIT[:10] + ("B" if VALID_CREDIT[10] != "B" else "C") + VALID_CREDIT[11:]
    # then
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(corrupted)
    assert exc.value.code == "checksum"
    assert exc.value.messages == ["统一社会信用代码校验位不正确。"]


@pytest.mark.parametrize(
    "bad", ["", "91330100MA2AXXXX", VALID_CREDIT + "0", VALID_CREDIT.lower(), "91330100MA2AXXXXI1"]
)
def test_malformed_credit_code_is_refused(bad):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(bad)
    assert exc.value.code == "format"


def test_valid_id_number_passes():
    assert id_number_check_char(VALID_ID[:17]) == "X"
    validate_id_number(VALID_ID)


def test_id_number_with_wrong_check_digit_is_refused_in_chinese():
    with pytest.raises(ValidationError) as exc:
        validate_id_number(VALID_ID[:17] + "1")
    assert exc.value.messages == ["居民身份证号码校验位不正确。"]


def test_id_number_with_an_impossible_birth_date_is_refused():
    first17 = "11010519491331002"  # month 13
    with pytest.raises(ValidationError) as exc:
        validate_id_number(first17 + id_number_check_char(first17))
    assert exc.value.code == "birth_date"


@pytest.mark.parametrize(
    "bad", ["", "1101051949123100", "11010519491231002x", "1101051949123100XX", "A1010519491231002X"]
)
def test_malformed_id_number_is_refused(bad):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(bad)
    assert exc.value.code == "format"


@pytest.mark.parametrize("good", ["339100", "339102001", "339102001001"])
def test_region_codes_of_6_9_and_12_digits_pass(good):
    validate_region_code(good)


@pytest.mark.parametrize("bad", ["", "33910", "3391000", "33910200", "339102001A", "3391020010011"])
def test_other_region_codes_are_refused(bad):
    with pytest.raises(ValidationError) as exc:
        validate_region_code(bad)
    assert exc.value.messages == ["行政区划代码应为6位、9位或12位数字。"]


def test_mask_id_number_keeps_only_first_three_and_last_four():
    assert mask_id_number(VALID_ID) == "110***********002X"
    assert mask_id_number("") == ""
    assert mask_id_number("1234567") == "*******"
