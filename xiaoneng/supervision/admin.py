from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from xiaoneng.supervision.alerts.external import external_system_create
from xiaoneng.supervision.alerts.services import threshold_policy_save
from xiaoneng.supervision.efficiency.services import efficiency_policy_save
from xiaoneng.supervision.models import EfficiencyPolicy, ExternalSystem, ThresholdPolicy


@admin.register(ThresholdPolicy)
class ThresholdPolicyAdmin(admin.ModelAdmin[ThresholdPolicy]):
    list_display = ["tenant", "kind_prefix", "remind_offset", "yellow_offset", "red_offset", "acknowledge_days"]

    def save_model(
        self, request: HttpRequest, obj: ThresholdPolicy, form: forms.ModelForm[ThresholdPolicy], change: bool
    ) -> None:
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
class ExternalSystemAdmin(admin.ModelAdmin[ExternalSystem]):
    list_display = ["code", "name", "tenant", "key_prefix", "is_active", "last_used_at"]
    fields = ["tenant", "code", "name", "is_active"]

    def save_model(
        self, request: HttpRequest, obj: ExternalSystem, form: forms.ModelForm[ExternalSystem], change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        system, raw = external_system_create(actor=request.user, tenant=obj.tenant, code=obj.code, name=obj.name)
        obj.pk = system.pk
        messages.warning(request, _("API密钥（只显示这一次，请妥善保存）：%(key)s") % {"key": raw})


@admin.register(EfficiencyPolicy)
class EfficiencyPolicyAdmin(admin.ModelAdmin[EfficiencyPolicy]):
    """SUP-3 / SUP-5 scoring per jurisdiction (without a row: the defaults)."""

    list_display = ["tenant", "base", "remind_points", "yellow_points", "red_points", "composite_below", "public_below"]

    def save_model(
        self, request: HttpRequest, obj: EfficiencyPolicy, form: forms.ModelForm[EfficiencyPolicy], change: bool
    ) -> None:
        efficiency_policy_save(actor=request.user, policy=obj)
