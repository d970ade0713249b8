"""Validators for Chinese identifiers: 行政区划代码, 统一社会信用代码 (GB 32100-2015),
居民身份证号码 (GB 11643-1999)."""

from __future__ import annotations

__all__ = [
    "credit_code_check_char",
    "id_number_check_char",
    "mask_id_number",
    "validate_credit_code",
    "validate_id_number",
    "validate_region_code",
]

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015: weighted sum mod 31)."""
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    if len(value) != 18 or any(c not in _CREDIT_CHARS for c in value):
        raise ValidationError(_("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。"), code="format")
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确。"), code="checksum")


def validate_region_code(value: str) -> None:
    # 6 digits for province/city/county (GB/T 2260), 9 for township (统计用区划代码 prefix).
    if not re.fullmatch(r"\d{6}|\d{9}|\d{12}", value):
        raise ValidationError(_("行政区划代码应为6位、9位或12位数字。"), code="format")


def id_number_check_char(first17: str) -> str:
    """The 18th character of a resident identity number (GB 11643-1999: ISO 7064 MOD 11-2)."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> None:
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(_("居民身份证号码应为18位，最后一位可为X。"), code="format")
    try:  # digits 7-14 are the date of birth (GB 11643-1999 §5.2)
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("居民身份证号码中的出生日期不正确。"), code="birth_date") from None
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(_("居民身份证号码校验位不正确。"), code="checksum")


def mask_id_number(value: str | None) -> str:
    """Show only the first 3 and last 4 characters of an identity number: 330***********123X."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
