from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "xiaoneng.proposals"
    label = "proposals"
    verbose_name = _("建议提案与重大行政决策")

    def ready(self) -> None:
        from xiaoneng.core.menu import PUBLIC, MenuEntry, register_portal, register_workbench
        from xiaoneng.orgs.choices import STAFF_ROLES
        from xiaoneng.proposals import subjects  # noqa: F401  (names and links its clocks' owners for supervision: core.links)

        register_workbench(MenuEntry(_("建议提案"), "proposals:proposals", frozenset(STAFF_ROLES), order=350))
        register_workbench(MenuEntry(_("重大行政决策"), "proposals:decisions", frozenset(STAFF_ROLES), order=351))
        register_portal(
            MenuEntry(
                _("重大行政决策公示"),
                "proposals:public_decisions",
                order=350,
                group=PUBLIC,
                hint=_("决策草案公开征求意见，欢迎提出意见建议"),
            )
        )
