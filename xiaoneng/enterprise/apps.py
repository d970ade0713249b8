from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterpriseConfig(AppConfig):
    name = "xiaoneng.enterprise"
    label = "enterprise"
    verbose_name = _("企业服务")

    def ready(self) -> None:
        from xiaoneng.core.menu import MenuEntry, register_portal, register_workbench
        from xiaoneng.orgs.choices import STAFF_ROLES, Role

        register_workbench(MenuEntry(_("企业服务"), "enterprise:problems", frozenset(STAFF_ROLES), order=340))
        register_portal(
            MenuEntry(
                _("企业服务"),
                "enterprise:mine",
                frozenset({Role.APPLICANT}),
                order=340,
                hint=_("查看本企业反映问题的办理情况和帮办项目进度"),
            )
        )
