"""What a complaint's clocks are about, for supervision's alerts and late lists (core.links registry).

Installed by `ComplaintsConfig.ready()` on import: the sign-for, return and reply clocks name the
complaint; the office opens it on its office page, the handling department on its own.
"""

from __future__ import annotations

__all__ = ["describe_complaint"]

from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaoneng.complaints.models import Complaint
from xiaoneng.complaints.permissions import access_complaint_by_id, is_department_user, is_office_user
from xiaoneng.core.links import Subject, clock_group_set, subject_describer_set, subject_link


def describe_complaint(user: Any, complaint: Complaint) -> Subject:
    office = bool(getattr(user, "is_authenticated", False) and is_office_user(user))
    department = bool(getattr(user, "is_authenticated", False) and is_department_user(user))
    name = "complaints:office_detail" if office else "complaints:department_detail"
    return {
        "kind": str(Complaint._meta.verbose_name),
        "label": f"{complaint.number} {complaint.title}",
        "url": subject_link(user, access_complaint_by_id, complaint.pk, name, allowed=office or department),
    }


subject_describer_set("complaints.complaint", describe_complaint)
clock_group_set("complaint", _("投诉工单"), "complaint", order=20)
