"""What disclosure's clocks are about, for supervision's alerts and late lists (core.links registry).

Installed by `DisclosureConfig.ready()` on import. DIS-1: a request's answer clock and its
third-party consultation clock both name the request (依申请公开); an active record's publication
clock names the record (主动公开). Each links to the staff page for those who may open it.
"""

from __future__ import annotations

__all__ = ["describe_consultation", "describe_record", "describe_request"]

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.links import Subject, clock_group_set, subject_describer_set, subject_link
from xiaoneng.disclosure.models import ActiveRecord, Consultation, DisclosureRequest
from xiaoneng.disclosure.permissions import access_record_by_id, access_request_by_id


def describe_request(user: Any, request: DisclosureRequest) -> Subject:
    return {
        "kind": str(DisclosureRequest._meta.verbose_name),
        "label": gettext("政府信息公开申请 %(number)s") % {"number": request.number},
        "url": subject_link(user, access_request_by_id, request.pk, "disclosure:request"),
    }


def describe_consultation(user: Any, consultation: Consultation) -> Subject:
    return describe_request(user, consultation.request)


def describe_record(user: Any, record: ActiveRecord) -> Subject:
    staff = bool(
        getattr(user, "is_superuser", False)
        or getattr(user, "is_department_scoped", False)
        or getattr(user, "is_staff_member", False)
    )
    return {
        "kind": str(ActiveRecord._meta.verbose_name),
        "label": record.title,
        "url": subject_link(user, access_record_by_id, record.pk, "disclosure:staff_record", allowed=staff),
    }


subject_describer_set("disclosure.disclosurerequest", describe_request)
subject_describer_set("disclosure.consultation", describe_consultation)
subject_describer_set("disclosure.activerecord", describe_record)
clock_group_set("disclosure.request", _("依申请公开"), "disclosure.answer", "disclosure.consultation", order=30)
clock_group_set("disclosure.publish", _("主动公开"), "disclosure.publish", order=35)
