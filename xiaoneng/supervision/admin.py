from django.contrib import admin, messages
from django.utils.translation import gettext as _

from .models import ExternalSystem, ThresholdPolicy
from .services import external_system_create, threshold_policy_save


@admin.register(ThresholdPolicy)
class ThresholdPolicyAdmin(admin.ModelAdmin):
    list_display = ["tenant", "kind_prefix", "remind_offset", "yellow_offset", "red_offset", "acknowledge_days"]

    def save_model(self, request, obj, form, change):
        threshold_policy_save(
            actor=request.user,
            tenant=obj.tenant,
            kind_prefix=obj.kind_prefix,
            remind_offset=obj.remind_offset,
            yellow_offset=obj.yellow_offset,
            red_offset=obj.red_offset,
            acknowledge_days=obj.acknowledge_days,
            note=obj.note,
        )


@admin.register(ExternalSystem)
class ExternalSystemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "tenant", "key_prefix", "is_active", "last_used_at"]
    fields = ["tenant", "code", "name", "is_active"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        system, raw = external_system_create(actor=request.user, tenant=obj.tenant, code=obj.code, name=obj.name)
        obj.pk = system.pk
        messages.warning(request, _("API密钥（只显示这一次，请妥善保存）：%(key)s") % {"key": raw})
