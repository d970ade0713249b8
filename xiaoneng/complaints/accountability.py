"""Accountability (问责, ACC-1) on a substantiated complaint. The record itself is oversight's
(`oversight.AccountabilityRecord`, which owns 问责 from every source): this module adds the
complaint's own conditions — the efficiency office of the complaint, a substantiated finding, a
department to hold accountable — and asks oversight's action, which checks who may impose the
sanction (ACC-1) and the negative list (ACC-2)."""

from __future__ import annotations

__all__ = [
    "accountability_record_open",
]


from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiaoneng.complaints.actions.loop import text_clean
from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.permissions import require_office
from xiaoneng.orgs.models import User
from xiaoneng.oversight.choices import AccountabilitySource
from xiaoneng.oversight.models import AccountabilityRecord
from xiaoneng.oversight.services import accountability_record_open as oversight_record_open


def accountability_record_open(
    *, complaint: Complaint, actor: User, sanction: str, reason: str, person: User | None = None
) -> AccountabilityRecord:
    """ACC-1: an accountability decision on a substantiated complaint (an Event on the complaint too)."""
    require_office(actor, complaint)
    complaint = Complaint.objects.select_related("staff").get(pk=complaint.pk)
    if not complaint.substantiated:
        raise ValidationError(_("只有经核查属实的投诉可以启动问责。"))
    reason = text_clean(reason, field="reason", label=_("问责事由"), max_length=2000, min_length=4)
    department = complaint.department or complaint.handling_department
    if department is None:
        raise ValidationError(_("该投诉没有可问责的部门。"))
    person = person or complaint.staff
    person_name = ""
    if person is not None and person.department_id != department.pk:
        # the named staff member is not (or no longer) in the department: keep the name only
        person_name, person = (person.get_full_name() or person.username), None
    return oversight_record_open(
        actor=actor,
        department=department,
        sanction=sanction,
        reason=reason,
        source_kind=AccountabilitySource.COMPLAINT,
        source=complaint,
        person=person,
        person_name=person_name,
        event_on_source="complaint.accountability",
    )
