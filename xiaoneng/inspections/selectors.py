"""Permission-scoped reads of the inspections app, the public verification (INS-6) and the
supervision selector of unfiled inspections (INS-7)."""

from __future__ import annotations

__all__ = [
    "PublicFiling",
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
    "unfiled_inspections",
]

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from xiaoneng.catalog.choices import ItemType, VersionStatus
from xiaoneng.catalog.models import Item
from xiaoneng.core.scoping import region_subtree_q, restrict
from xiaoneng.inspections.choices import InspectionKind
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
