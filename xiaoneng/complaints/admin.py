"""Configuration only (work orders are handled in the workbench through the services): dispatch
rules and Open311 services. API keys are listed read-only; they are issued by api_key_create."""

from django.contrib import admin
from django.http import HttpRequest

from xiaoneng.complaints.models import ApiKey, DispatchRule, Open311Service


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin[DispatchRule]):
    list_display = ["name", "target", "kind", "about_department", "keywords", "priority", "is_active"]
    list_filter = ["is_active", "kind"]
    search_fields = ["name", "keywords"]


@admin.register(Open311Service)
class Open311ServiceAdmin(admin.ModelAdmin[Open311Service]):
    list_display = ["service_code", "service_name", "group", "kind", "department", "is_active"]
    list_filter = ["is_active", "kind", "group"]
    search_fields = ["service_code", "service_name"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = ["name", "prefix", "is_active", "last_used_at", "created_at"]
    readonly_fields = ["prefix", "key_hash", "created_by", "last_used_at"]
    fields = ["name", "is_active", "prefix", "key_hash", "created_by", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued by complaints.apikeys.api_key_create (the clear key is shown once)
