from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "xiaoneng.oversight"
    label = "oversight"
    verbose_name = _("督查督办与整改")

    def ready(self) -> None:
        from xiaoneng.core.menu import MenuEntry, register_workbench
        from xiaoneng.orgs.choices import STAFF_ROLES

        register_workbench(MenuEntry(_("整改事项"), "oversight:list", frozenset(STAFF_ROLES), order=310))
