from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NormativeConfig(AppConfig):
    name = "xiaoneng.normative"
    label = "normative"
    verbose_name = _("规范性文件管理")

    def ready(self) -> None:
        from xiaoneng.core.menu import PUBLIC, MenuEntry, register_portal, register_workbench
        from xiaoneng.normative import subjects  # noqa: F401  (names and links its clocks' owners for supervision: core.links)
        from xiaoneng.orgs.choices import STAFF_ROLES

        register_workbench(MenuEntry(_("规范性文件"), "normative:documents", frozenset(STAFF_ROLES), order=340))
        register_portal(
            MenuEntry(
                _("规范性文件"),
                "normative:public",
                order=340,
                group=PUBLIC,
                hint=_("现行有效的规范性文件：文号、发布日期、有效期"),
            )
        )
