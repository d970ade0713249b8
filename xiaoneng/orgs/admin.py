from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xiaoneng.orgs.models import Department, Post, Region, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["name", "region", "credit_code", "phone", "is_legal_office"]
    list_filter = ["region", "is_legal_office"]
    search_fields = ["name", "credit_code"]
    exclude = ["tenant"]

    def save_model(
        self, request: HttpRequest, obj: Department, form: forms.ModelForm[Department], change: bool
    ) -> None:
        obj.tenant_id = obj.region.tenant_id or obj.region.pk  # a city is its own tenant (Region.save)
        super().save_model(request, obj, form, change)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin[Post]):
    list_display = ["name", "department", "role", "holder_a", "holder_b", "a_absent"]
    list_filter = ["department", "a_absent"]
    exclude = ["tenant"]

    def save_model(self, request: HttpRequest, obj: Post, form: forms.ModelForm[Post], change: bool) -> None:
        obj.tenant_id = obj.department.tenant_id
        super().save_model(request, obj, form, change)


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "display_name", "role", "department", "region", "is_active"]
    list_filter = ["role", "is_active", "department"]
    search_fields = ["username", "display_name", "phone", "email"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("效能平台"),
            {
                "fields": [
                    "role",
                    "display_name",
                    "phone",
                    "applicant_kind",
                    "department",
                    "region",
                    "company_name",
                    "company_credit_code",
                ]
            },
        ),
    )
