from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "xiaoneng.catalog"
    label = "catalog"
    verbose_name = _("事项目录")

    def ready(self) -> None:
        from xiaoneng.catalog import subjects  # noqa: F401  (names and links its clocks' owners for supervision: core.links)
        from xiaoneng.core.menu import PUBLIC, MenuEntry, register_portal, register_workbench
        from xiaoneng.orgs.choices import Role

        register_portal(
            MenuEntry(_("办事指南/事项目录"), "catalog:index", order=10, hint=_("事项的依据、材料、收费、时限和流程图"))
        )
        staff = frozenset({Role.CLERK, Role.REVIEWER, Role.DEPT_HEAD, Role.LEGAL, Role.ADMIN})
        register_workbench(MenuEntry(_("事项管理"), "catalog:staff_items", staff, order=100))
        register_workbench(
            MenuEntry(_("事项审核"), "catalog:review_queue", frozenset({Role.LEGAL, Role.ADMIN}), order=110)
        )
        register_workbench(
            MenuEntry(_("事项导入"), "catalog:staff_import", frozenset({Role.DEPT_HEAD, Role.ADMIN}), order=120)
        )
        # the fee catalog (收费目录, CAT-FEE-1): maintained by the administrator, public for everyone
        register_workbench(MenuEntry(_("收费目录维护"), "catalog:staff_fees", frozenset({Role.ADMIN}), order=125))
        register_portal(
            MenuEntry(_("收费目录"), "catalog:fees", order=12, group=PUBLIC, hint=_("行政事业性收费项目、依据和标准"))
        )
