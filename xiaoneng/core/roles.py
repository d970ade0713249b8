"""The roles a user holds, and which of them read a department's rows or a region's subtree.

They live in core because the one module that decides scope (`xiaoneng.core.scoping`) needs them and
core sits below orgs (docs/architecture.md); `xiaoneng.orgs.choices` re-exports them for the apps.
"""

from __future__ import annotations

__all__ = ["DEPARTMENT_ROLES", "REGION_ROLES", "STAFF_ROLES", "Role"]

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    CLERK = "clerk", _("窗口工作人员")
    REVIEWER = "reviewer", _("审核人员")
    DEPT_HEAD = "dept_head", _("部门负责人")
    LEGAL = "legal", _("法制办")
    SUPERVISOR = "supervisor", _("效能办/监察")
    LEADER = "leader", _("领导")
    ADMIN = "admin", _("系统管理员")


# Who sees what (see xiaoneng.core.scoping): staff of a department see their department's records;
# these roles see their region's whole subtree instead.
DEPARTMENT_ROLES = frozenset({Role.CLERK, Role.REVIEWER, Role.DEPT_HEAD})
REGION_ROLES = frozenset({Role.LEGAL, Role.SUPERVISOR, Role.LEADER, Role.ADMIN})
STAFF_ROLES = DEPARTMENT_ROLES | REGION_ROLES
