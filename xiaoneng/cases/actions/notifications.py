"""Who is told about a case, and where their link points: the applicant, the department's staff by
role. Delivery (inbox, SMS, e-mail) and its timing belong to core.services.notify."""

from __future__ import annotations

__all__ = [
    "applicant_tell",
    "case_url",
    "department_staff",
    "staff_tell",
    "staff_url",
]

from collections.abc import Iterable

from xiaoneng.cases.models import Case
from xiaoneng.core.services import notify
from xiaoneng.orgs.choices import Role
from xiaoneng.orgs.models import User


def case_url(case: Case) -> str:
    return f"/cases/{case.pk}/"


def staff_url(case: Case) -> str:
    return f"/workbench/cases/{case.pk}/"


def applicant_tell(case: Case, title: str, body: str = "") -> None:
    if case.applicant_id:
        notify(recipients=[case.applicant], title=title, body=body, url=case_url(case))


def department_staff(department_id: int, roles: Iterable[str]) -> list[User]:
    return list(User.objects.filter(department_id=department_id, role__in=list(roles), is_active=True).order_by("pk"))


def staff_tell(case: Case, title: str, roles: Iterable[str] = (Role.CLERK, Role.DEPT_HEAD), body: str = "") -> None:
    notify(
        recipients=department_staff(case.department_id, roles),
        title=title,
        body=body,
        url=staff_url(case),
        channels=("inbox",),
    )
