"""What every step of the closed loop (CMP-1) shares: the one transition table, the row lock, who is
told (the region's efficiency office, the handling department) and where their page is, and the
check of a free-text field."""

from __future__ import annotations

__all__ = [
    "complaint_lock",
    "department_url",
    "department_users",
    "office_url",
    "office_users",
    "status_move",
    "text_clean",
]


from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from xiaoneng.complaints.choices import TRANSITIONS
from xiaoneng.complaints.models import Complaint
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import User


def status_move(c: Complaint, to: str) -> str:
    """CMP-1: one transition table decides every move."""
    if to not in TRANSITIONS[c.status]:
        raise ValidationError(
            _("工单当前状态为“%(status)s”，不能执行该操作。") % {"status": c.get_status_display()}, code="state"
        )
    before = c.status
    c.status = to
    return before


def complaint_lock(c: Complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).get(pk=c.pk)


def office_url(c: Complaint) -> str:
    return reverse("complaints:office_detail", args=[c.pk])


def department_url(c: Complaint) -> str:
    return reverse("complaints:department_detail", args=[c.pk])


def office_users(c: Complaint) -> list[User]:
    return list(User.objects.filter(role=Role.SUPERVISOR, is_active=True, region_id=c.region_id))


def department_users(department_id: int | None) -> list[User]:
    if department_id is None:
        return []
    return list(User.objects.filter(role__in=DEPARTMENT_ROLES, is_active=True, department_id=department_id))


def text_clean(value: str, *, field: str, label: str, max_length: int, min_length: int = 1) -> str:
    value = (value or "").strip()
    if len(value) < min_length:
        raise ValidationError({field: _("请填写%(label)s（至少%(n)d个字）。") % {"label": label, "n": min_length}})
    if len(value) > max_length:
        raise ValidationError({field: _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": max_length}})
    return value
