from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    CITY = "city", _("市")
    COUNTY = "county", _("县（市、区）")
    TOWNSHIP = "township", _("乡镇（街道）")


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    CLERK = "clerk", _("窗口工作人员")
    REVIEWER = "reviewer", _("审核人员")
    DEPT_HEAD = "dept_head", _("部门负责人")
    LEGAL = "legal", _("法制办")
    SUPERVISOR = "supervisor", _("效能办/监察")
    LEADER = "leader", _("领导")
    ADMIN = "admin", _("系统管理员")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    COMPANY = "company", _("法人/企业")


# Who sees what (see xiaoneng.core.scoping): staff of a department see their department's records;
# these roles see their region's whole subtree instead.
DEPARTMENT_ROLES = frozenset({Role.CLERK, Role.REVIEWER, Role.DEPT_HEAD})
REGION_ROLES = frozenset({Role.LEGAL, Role.SUPERVISOR, Role.LEADER, Role.ADMIN})
STAFF_ROLES = DEPARTMENT_ROLES | REGION_ROLES
