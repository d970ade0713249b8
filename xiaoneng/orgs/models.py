"""Regions (city → county → township), departments, posts with A/B holders, and people."""

from __future__ import annotations

__all__ = ["Department", "PasswordResetCode", "Post", "Region", "User"]

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoneng.core.models import TenantModel, TimeStampedModel
from xiaoneng.core.scoping import ScopeRule
from xiaoneng.orgs.choices import DEPARTMENT_ROLES, REGION_ROLES, STAFF_ROLES, ApplicantKind, RegionLevel, Role
from xiaoneng.orgs.validators import mask_id_number, validate_credit_code, validate_id_number, validate_region_code


class Region(TimeStampedModel):
    """An administrative region with its 行政区划 code. `path` holds the codes from the top down,
    joined by '/', so a region's subtree is one indexed prefix query. The top-level region is the
    tenant that owns every row beneath it."""

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True, validators=[validate_region_code])
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )
    path = models.CharField(_("路径"), max_length=200, db_index=True, editable=False)
    tenant = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属辖区")
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Invariant, not workflow: path and tenant follow from the parent.
        self.path = f"{self.parent.path}/{self.code}" if self.parent else self.code
        self.tenant_id = self.parent.tenant_id if self.parent else self.pk
        super().save(*args, **kwargs)
        if self.tenant_id is None:  # a new top-level region owns itself
            self.tenant_id = self.pk
            super().save(update_fields=["tenant"])

    def subtree(self) -> models.QuerySet[Region]:
        return Region.objects.filter(Q(pk=self.pk) | Q(path__startswith=self.path + "/"))


class Department(TenantModel):
    """A government department (实施主体) belonging to one region."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("区划"))
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    is_legal_office = models.BooleanField(_("法制审核机构"), default=False)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="orgs_department_unique_name",
                violation_error_message=_("同一区划下部门名称不能重复。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person: an applicant (person or company) or a staff member with one role."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    display_name = models.CharField(_("姓名/名称"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=11, null=True, blank=True, unique=True)
    applicant_kind = models.CharField(
        _("申请人类型"), max_length=10, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    company_name = models.CharField(_("单位名称"), max_length=200, blank=True)
    company_credit_code = models.CharField(
        _("单位统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("部门"),
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区划")
    )
    tenant = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属辖区")
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="applicant") | Q(region__isnull=False),
                name="orgs_user_staff_has_region",
                violation_error_message=_("工作人员必须属于一个区划。"),
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["clerk", "reviewer", "dept_head"]) | Q(department__isnull=False),
                name="orgs_user_department_role_has_department",
                violation_error_message=_("窗口、审核和部门负责人必须属于一个部门。"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Invariant: a department's staff sit in that department's region and tenant.
        if self.department is not None and self.region_id is None:
            self.region_id = self.department.region_id
        if self.region is not None and self.tenant_id is None:
            self.tenant_id = self.region.tenant_id
        super().save(*args, **kwargs)

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_department_scoped(self) -> bool:
        return self.role in DEPARTMENT_ROLES

    @property
    def is_region_scoped(self) -> bool:
        return self.role in REGION_ROLES

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}" if self.phone and len(self.phone) == 11 else ""


class Post(TenantModel):
    """A post (岗位) in a department, with an A holder and a B holder. CAS-9: when the A holder is
    absent, work goes to the B holder automatically (see `Post.assignee`)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="posts", verbose_name=_("部门"))
    name = models.CharField(_("岗位名称"), max_length=60)
    role = models.CharField(_("岗位角色"), max_length=20, choices=Role.choices, default=Role.REVIEWER)
    holder_a = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts_a", verbose_name=_("A角")
    )
    holder_b = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts_b", verbose_name=_("B角")
    )
    a_absent = models.BooleanField(_("A角缺岗"), default=False)
    a_absent_reason = models.CharField(_("缺岗原因"), max_length=100, blank=True)

    # Department staff see their department's posts; region roles their subtree; admins their tenant.
    scope = ScopeRule(department="department", region="department__region")

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["department_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"],
                name="orgs_post_unique_name",
                violation_error_message=_("同一部门内岗位名称不能重复。"),
            ),
            models.CheckConstraint(
                condition=Q(holder_a__isnull=True) | Q(holder_b__isnull=True) | ~Q(holder_a=models.F("holder_b")),
                name="orgs_post_a_b_differ",
                violation_error_message=_("A角和B角不能是同一人。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.name}"

    @property
    def assignee(self) -> User | None:
        # CAS-9: the B holder receives the work while the A holder is marked absent.
        if self.a_absent or self.holder_a is None or not self.holder_a.is_active:
            return self.holder_b
        return self.holder_a


class PasswordResetCode(TimeStampedModel):
    """A 6-digit code sent by SMS to reset a password (忘记密码). Only its hash is stored; it expires
    (`expires_at`), allows a limited number of wrong entries (`attempts`) and is used once (`used_at`).
    `requested_ip` lets the sender throttle requests from one address. Written only by
    `orgs.services.password_reset_code_send` and `password_reset_by_code`."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_reset_codes", verbose_name=_("用户")
    )
    code_hash = models.CharField(_("验证码哈希"), max_length=128)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    requested_ip = models.GenericIPAddressField(_("请求地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("密码重置验证码")
        verbose_name_plural = _("密码重置验证码")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "created_at"], name="orgs_pwcode_user_created"),
            models.Index(fields=["requested_ip", "created_at"], name="orgs_pwcode_ip_created"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"
