from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "xiaoneng.disclosure"
    label = "disclosure"
    verbose_name = _("政务公开")

    def ready(self) -> None:
        from xiaoneng.core.menu import PUBLIC, MenuEntry, register_portal, register_workbench
        from xiaoneng.core.schedule import register_periodic
        from xiaoneng.disclosure import subjects  # noqa: F401  (names and links its clocks' owners for supervision: core.links)
        from xiaoneng.disclosure.tasks import consultations_deem_task
        from xiaoneng.orgs.choices import DEPARTMENT_ROLES, STAFF_ROLES

        # DIS-1: a consulted party silent for 15 working days is deemed to consent
        register_periodic("disclosure.consultations_deem", consultations_deem_task, 3600)
        register_workbench(MenuEntry(_("依申请公开"), "disclosure:staff_requests", frozenset(STAFF_ROLES), order=340))
        register_workbench(MenuEntry(_("主动公开"), "disclosure:staff_records", frozenset(DEPARTMENT_ROLES), order=341))
        register_workbench(MenuEntry(_("政务公开年度报告"), "disclosure:report", frozenset(STAFF_ROLES), order=342))
        register_portal(
            MenuEntry(_("申请公开"), "disclosure:apply", None, order=520, hint=_("向行政机关申请获取政府信息"))
        )
        register_portal(
            MenuEntry(
                _("政府信息公开"),
                "disclosure:index",
                None,
                order=521,
                group=PUBLIC,
                hint=_("公开指南、公开目录和主动公开的政府信息"),
            )
        )
