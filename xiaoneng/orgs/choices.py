from django.db import models
from django.utils.translation import gettext_lazy as _

# the roles are defined below core's scoping module, which needs them (docs/architecture.md)
from xiaoneng.core.roles import DEPARTMENT_ROLES, REGION_ROLES, STAFF_ROLES, Role

__all__ = [
    "DEPARTMENT_ROLES",
    "REGION_ROLES",
    "STAFF_ROLES",
    "ApplicantKind",
    "RegionLevel",
    "Role",
]


class RegionLevel(models.TextChoices):
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")
    TOWNSHIP = "township", _("乡镇（街道）")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    COMPANY = "company", _("法人/企业")
