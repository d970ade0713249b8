from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "xiaoneng.oversight"
    label = "oversight"
    verbose_name = _("督查督办与整改")

    def ready(self) -> None:
        from xiaoneng.core.menu import PUBLIC, MenuEntry, register_portal, register_workbench
        from xiaoneng.orgs.choices import STAFF_ROLES
        from xiaoneng.oversight import subjects  # noqa: F401  (names and links its clocks' owners for supervision: core.links)

        staff = frozenset(STAFF_ROLES)
        register_workbench(MenuEntry(_("督查督办工作台"), "oversight:workbench", staff, order=300))
        register_workbench(MenuEntry(_("督办事项"), "oversight:task_list", staff, order=305))
        register_workbench(MenuEntry(_("整改事项"), "oversight:list", staff, order=310))
        register_workbench(MenuEntry(_("问责记录"), "oversight:record_list", staff, order=315))
        register_workbench(MenuEntry(_("容错申请"), "oversight:exemption_list", staff, order=320))
        register_portal(
            MenuEntry(
                _("问责通报"),
                "oversight:published_list",
                None,
                order=260,
                group=PUBLIC,
                hint=_("负面清单问责情况通报曝光"),
            )
        )
