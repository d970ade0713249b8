from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "xiaoneng.inspections"
    label = "inspections"
    verbose_name = _("涉企检查与执法监督")

    def ready(self) -> None:
        from xiaoneng.core.menu import PUBLIC, MenuEntry, register_portal, register_workbench
        from xiaoneng.inspections import subjects  # noqa: F401  (names and links its clocks' owners for supervision: core.links)
        from xiaoneng.orgs.choices import STAFF_ROLES

        register_workbench(MenuEntry(_("涉企检查"), "inspections:filings", frozenset(STAFF_ROLES), order=330))
        register_portal(
            MenuEntry(
                _("涉企检查备案核验"),
                "inspections:verify",
                order=330,
                group=PUBLIC,
                hint=_("企业凭备案编号核验来检查的人员和依据"),
            )
        )
        register_portal(
            MenuEntry(
                _("首违不罚事项清单"),
                "inspections:first_violation_public",
                order=331,
                group=PUBLIC,
                hint=_("首次轻微违法限期整改、不予处罚的事项"),
            )
        )
        register_portal(
            MenuEntry(
                _("行政处罚自由裁量基准"),
                "inspections:discretion_public",
                order=332,
                group=PUBLIC,
                hint=_("各处罚事项按情节轻重的罚款幅度"),
            )
        )
