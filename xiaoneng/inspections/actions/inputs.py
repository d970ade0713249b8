"""Input checks shared by the actions: every bad value becomes one clear translated message
(never a 500, nothing half-written)."""

from __future__ import annotations

__all__ = [
    "EARLIEST",
    "MAX_TEXT",
    "check_credit_code",
    "check_date",
    "check_officials",
    "check_text",
]

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiaoneng.inspections.models import EnforcementCertificate
from xiaoneng.inspections.selectors import certificate_valid_on
from xiaoneng.orgs.validators import validate_credit_code

MAX_TEXT = 2000
EARLIEST = date(2000, 1, 1)


def check_text(value: Any, *, label: str, max_length: int = MAX_TEXT, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(_("请填写%(label)s。") % {"label": label}, code="required")
    if len(text) > max_length:
        raise ValidationError(_("%(label)s不能超过%(n)d个字。") % {"label": label, "n": max_length}, code="max_length")
    return text


def check_credit_code(value: Any) -> str:
    """INS-5: 18 characters of the GB 32100-2015 alphabet with a correct check character."""
    code = str(value or "").strip().upper()
    if not code:
        raise ValidationError(_("请填写统一社会信用代码。"), code="required")
    validate_credit_code(code)
    return code


def check_date(value: Any, *, label: str, earliest: date = EARLIEST, latest: date) -> date:
    if not isinstance(value, date):
        raise ValidationError(_("请填写正确的%(label)s。") % {"label": label}, code="date")
    if value < earliest or value > latest:
        raise ValidationError(
            _("%(label)s应在%(a)s至%(b)s之间。") % {"label": label, "a": earliest, "b": latest}, code="date_range"
        )
    return value


def check_officials(officials: Iterable[Any], *, day: date) -> dict[int, EnforcementCertificate]:
    """INS-3 and INS-4: at least two distinct officials, each with a certificate valid on `day`.
    Returns each official's certificate; raises one message naming every official without one."""
    people = list({u.pk: u for u in officials if u is not None}.values())
    if len(people) < 2:
        # INS-4: 行政处罚法 第四十二条 — no fewer than two enforcement officials
        raise ValidationError(_("执法人员不得少于两人。"), code="officials_too_few")
    found: dict[int, EnforcementCertificate] = {}
    missing: list[str] = []
    for person in people:
        cert = certificate_valid_on(person, day)
        if cert is None:
            missing.append(person.display_name or person.username)
        else:
            found[person.pk] = cert
    if missing:
        # INS-3 持证上岗
        raise ValidationError(
            _("以下人员在%(day)s没有有效的执法证，不能从事执法活动：%(names)s。")
            % {"day": day, "names": "、".join(missing)},
            code="no_certificate",
        )
    return found
