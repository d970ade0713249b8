"""Permission-scoped reads of the inspections app, the public verification (INS-6) and the
supervision selector of unfiled inspections (INS-7)."""

from __future__ import annotations

__all__ = [
    "PublicFiling",
    "UnfiledAct",
    "baselines_for",
    "baselines_public",
    "certificate_holders",
    "certificate_valid_on",
    "certificates_for",
    "check_departments",
    "filing_verify",
    "filings_for",
    "first_violation_entries_for",
    "first_violation_entries_public",
    "inspections_for",
    "notices_for",
    "penalties_for",
    "penalty_items_for_lists",
    "unfiled_enforcement_acts",
    "unfiled_inspections",
]

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoneng.catalog.choices import ItemType, VersionStatus
from xiaoneng.catalog.models import Item
from xiaoneng.core.scoping import region_subtree_q, restrict
from xiaoneng.inspections.choices import FilingStatus, InspectionKind
from xiaoneng.inspections.models import (
    DiscretionBaseline,
    EnforcementCertificate,
    FirstViolationEntry,
    FirstViolationNotice,
    Inspection,
    InspectionFiling,
    PenaltyDecision,
)
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
from xiaoneng.orgs.models import Department, User


def certificates_for(user: Any) -> QuerySet[EnforcementCertificate]:
    return restrict(EnforcementCertificate.objects.select_related("holder", "department"), user)


def certificate_holders(user: Any) -> QuerySet[User]:
    """Department staff a user may register certificates for: the legal office's region subtree,
    the administrator's tenant, everyone for the superuser."""
    qs = User.objects.filter(is_active=True, role__in=DEPARTMENT_ROLES, department__isnull=False)
    if user.is_superuser:
        return qs.order_by("username")
    if user.role == Role.LEGAL and user.region_id:
        return qs.filter(region_subtree_q("department__region__path", user.region.path)).order_by("username")
    if user.role == Role.ADMIN and user.tenant_id:
        return qs.filter(department__tenant_id=user.tenant_id).order_by("username")
    return qs.none()


def filings_for(user: Any) -> QuerySet[InspectionFiling]:
    return restrict(InspectionFiling.objects.select_related("department", "item_version", "clock"), user)


def inspections_for(user: Any) -> QuerySet[Inspection]:
    return restrict(Inspection.objects.select_related("department", "filing"), user)


def first_violation_entries_for(user: Any) -> QuerySet[FirstViolationEntry]:
    return restrict(FirstViolationEntry.objects.select_related("department"), user)


def first_violation_entries_public() -> QuerySet[FirstViolationEntry]:
    """The published 首违不罚 list (INS-8): every active entry, for everyone."""
    return FirstViolationEntry.objects.filter(active=True).select_related("department")


def notices_for(user: Any) -> QuerySet[FirstViolationNotice]:
    return restrict(FirstViolationNotice.objects.select_related("department", "entry", "clock"), user)


def unfiled_inspections(scope: Any) -> QuerySet[Inspection]:
    """INS-7, for supervision (SUP-2): enterprise inspections recorded without an approved prior
    filing and without a statutory exemption, in the scope of `scope` (a user: the efficiency
    office sees its region's subtree)."""
    return inspections_for(scope).filter(kind=InspectionKind.ENTERPRISE, unfiled=True)


@dataclass(frozen=True)
class UnfiledAct:
    """An enforcement act carried out on an enterprise without a valid prior filing (INS-7), as the
    supervision detector (SUP-2.9) needs it: what it is, whose it is, and why it is flagged."""

    model: str  # "inspections.inspection", "inspections.penaltydecision", "inspections.firstviolationnotice"
    pk: int
    tenant_id: int
    department_id: int
    region_id: int
    label: str
    detail: str


def _covered_since(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], date]:
    """For each (department, credit code): the first day from which an enforcement act on that
    enterprise by that department stands on a filing — the local day a filing for it was approved, or
    the day of an enterprise inspection of it that was filed or exempt (not flagged `unfiled`)."""
    out: dict[tuple[int, str], date] = {}
    if not pairs:
        return out

    def keep(key: tuple[int, str], day: date) -> None:
        if key in pairs and (key not in out or day < out[key]):
            out[key] = day

    depts, codes = {d for d, _c in pairs}, {c for _d, c in pairs}
    for dept, code, at in InspectionFiling.objects.filter(
        department_id__in=depts,
        credit_code__in=codes,
        status__in=(FilingStatus.FILED, FilingStatus.DONE),
        decided_at__isnull=False,
    ).values_list("department_id", "credit_code", "decided_at"):
        keep((dept, code), timezone.localdate(at))
    for dept, code, day in Inspection.objects.filter(
        kind=InspectionKind.ENTERPRISE, unfiled=False, department_id__in=depts, credit_code__in=codes
    ).values_list("department_id", "credit_code", "inspected_on"):
        keep((dept, code), day)
    return out


def unfiled_enforcement_acts(
    *, inspection_ids: Iterable[int] = (), penalty_ids: Iterable[int] = (), notice_ids: Iterable[int] = ()
) -> list[UnfiledAct]:
    """INS-7 for supervision's detector (SUP-2.9), over the acts a batch of events touched — a system
    read, not a user's (the detector's flags are scoped when they are listed):

    * an enterprise inspection recorded `unfiled` (no filing approved on or before the day, no
      statutory exemption);
    * a first-violation notice that cites an unfiled inspection, or cites none and has no filing or
      filed/exempt inspection of that enterprise by that department on or before its day;
    * a penalty decision with no such filing or inspection on or before its day.

    About three queries whatever the number of ids."""
    out: list[UnfiledAct] = []
    for i in Inspection.objects.filter(
        pk__in=list(inspection_ids), kind=InspectionKind.ENTERPRISE, unfiled=True
    ).select_related("department"):
        out.append(
            UnfiledAct(
                model="inspections.inspection",
                pk=i.pk,
                tenant_id=i.tenant_id,
                department_id=i.department_id,
                region_id=i.department.region_id,
                label=f"{i.enterprise_name} {i.inspected_on.isoformat()}"[:200],
                detail=_(
                    "%(day)s对%(name)s（%(code)s）实施涉企检查，检查前没有经部门主管领导同意的备案，也不属于免予备案情形。"
                )
                % {"day": i.inspected_on.isoformat(), "name": i.enterprise_name, "code": i.credit_code},
            )
        )
    notices = list(
        FirstViolationNotice.objects.filter(pk__in=list(notice_ids)).select_related("department", "inspection")
    )
    penalties = list(PenaltyDecision.objects.filter(pk__in=list(penalty_ids)).select_related("department"))
    pairs = {(n.department_id, n.credit_code) for n in notices if n.inspection is None}
    pairs |= {(p.department_id, p.credit_code) for p in penalties}
    since = _covered_since(pairs)
    for n in notices:
        if n.inspection is not None:
            unfiled = n.inspection.unfiled
        else:
            first = since.get((n.department_id, n.credit_code))
            unfiled = first is None or first > n.issued_on
        if unfiled:
            out.append(
                UnfiledAct(
                    model="inspections.firstviolationnotice",
                    pk=n.pk,
                    tenant_id=n.tenant_id,
                    department_id=n.department_id,
                    region_id=n.department.region_id,
                    label=n.number,
                    detail=_("%(day)s对%(name)s（%(code)s）下达首违告诫%(number)s，所依据的检查没有经同意的事先备案。")
                    % {
                        "day": n.issued_on.isoformat(),
                        "name": n.enterprise_name,
                        "code": n.credit_code,
                        "number": n.number,
                    },
                )
            )
    for p in penalties:
        first = since.get((p.department_id, p.credit_code))
        if first is None or first > p.decided_on:
            out.append(
                UnfiledAct(
                    model="inspections.penaltydecision",
                    pk=p.pk,
                    tenant_id=p.tenant_id,
                    department_id=p.department_id,
                    region_id=p.department.region_id,
                    label=p.number,
                    detail=_(
                        "%(day)s对%(name)s（%(code)s）作出行政处罚决定%(number)s，此前本单位对该企业没有经同意的检查备案，"
                        "也没有已备案或免予备案的检查记录。"
                    )
                    % {
                        "day": p.decided_on.isoformat(),
                        "name": p.enterprise_name,
                        "code": p.credit_code,
                        "number": p.number,
                    },
                )
            )
    return out


def certificate_valid_on(user: Any, day: date) -> EnforcementCertificate | None:
    """INS-3: the user's certificate valid on `day` (the one expiring last), or None."""
    return (
        EnforcementCertificate.objects.filter(
            holder=user, revoked_at__isnull=True, valid_from__lte=day, valid_to__gte=day
        )
        .order_by("-valid_to", "-id")
        .first()
    )


@dataclass(frozen=True)
class PublicOfficial:
    name: str
    certificate: str
    valid_to: date
    valid_on_planned_date: bool


@dataclass(frozen=True)
class PublicFiling:
    """INS-6: what the inspected enterprise may see of a filing, and nothing more."""

    number: str
    status: str
    status_label: str
    department: str
    item: str
    planned_date: date
    enterprise_name: str
    officials: list[PublicOfficial]


def filing_verify(number: str, credit_code: str) -> PublicFiling | None:
    """INS-6: the filing with this number for the enterprise with this credit code, or None (the same
    answer for an unknown number and a wrong code, so nothing is learned by guessing)."""
    number = (number or "").strip()[:40]
    credit_code = (credit_code or "").strip().upper()[:18]
    if not number or len(credit_code) != 18:
        return None
    filing = (
        InspectionFiling.objects.select_related("department", "item_version")
        .filter(Q(number=number) & Q(credit_code=credit_code))
        .first()
    )
    if filing is None:
        return None
    officials = [
        PublicOfficial(
            name=fo.official.display_name or fo.official.username,
            certificate=fo.certificate.number,
            valid_to=fo.certificate.valid_to,
            valid_on_planned_date=fo.certificate.is_valid_on(filing.planned_date),
        )
        for fo in filing.officials.select_related("official", "certificate")
    ]
    return PublicFiling(
        number=filing.number,
        status=filing.status,
        status_label=str(filing.get_status_display()),
        department=filing.department.name,
        item=filing.item_version.name,
        planned_date=filing.planned_date,
        enterprise_name=filing.enterprise_name,
        officials=officials,
    )


def penalty_items_for_lists(user: Any) -> QuerySet[Any]:
    """Published 行政处罚 items whose lists (首违不罚, 裁量基准) this user maintains: the legal office's
    region subtree, the administrator's tenant."""

    qs = Item.objects.filter(
        published__status=VersionStatus.PUBLISHED, published__item_type=ItemType.PENALTY
    ).select_related("published", "department")
    if user.is_superuser:
        return qs
    if user.role == Role.LEGAL and user.region_id:
        return qs.filter(region_subtree_q("department__region__path", user.region.path))
    if user.role == Role.ADMIN and user.tenant_id:
        return qs.filter(tenant_id=user.tenant_id)
    return qs.none()


def check_departments(user: Any) -> QuerySet[Any]:
    """Departments the office or a leader may inspect (明察暗访, 交叉检查): their region's subtree."""

    if user.is_superuser:
        return Department.objects.all()
    if user.region_id is None:
        return Department.objects.none()
    return Department.objects.filter(region_subtree_q("region__path", user.region.path)).order_by("name")


def baselines_for(user: Any) -> QuerySet[DiscretionBaseline]:
    return restrict(DiscretionBaseline.objects.select_related("department").prefetch_related("tiers"), user)


def baselines_public() -> QuerySet[DiscretionBaseline]:
    """INS-10: baselines are published."""
    return DiscretionBaseline.objects.select_related("department").prefetch_related("tiers")


def penalties_for(user: Any) -> QuerySet[PenaltyDecision]:
    return restrict(PenaltyDecision.objects.select_related("department", "tier__baseline"), user)
