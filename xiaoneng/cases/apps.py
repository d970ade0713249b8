from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "xiaoneng.cases"
    label = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        from xiaoneng.cases import subjects  # noqa: F401  (names and links its clocks' owners for supervision: core.links)
        from xiaoneng.cases.tasks import cases_deemed_acceptance, cases_deemed_consent
        from xiaoneng.core.menu import MenuEntry, register_portal, register_workbench
        from xiaoneng.core.schedule import register_periodic
        from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role

        # CAS-1 (deemed acceptance) and CAS-7 (deemed consent) are time-driven: the scheduler runs them.
        register_periodic("cases.deemed_acceptance", cases_deemed_acceptance, 300)
        register_periodic("cases.deemed_consent", cases_deemed_consent, 300)
        register_portal(
            MenuEntry(_("在线申请"), "cases:apply_index", None, order=15, hint=_("网上提交申请和材料，全程跟踪"))
        )
        register_portal(MenuEntry(_("我的办件"), "cases:my_cases", frozenset({Role.APPLICANT}), order=20))
        register_portal(MenuEntry(_("办件查询"), "cases:track", None, order=30, hint=_("凭办件编号和查询码查看进度")))
        register_workbench(MenuEntry(_("我的待办"), "cases:queue", frozenset(DEPARTMENT_ROLES), order=10))
        register_workbench(MenuEntry(_("窗口收件"), "cases:window", frozenset({Role.CLERK, Role.DEPT_HEAD}), order=12))
        register_workbench(MenuEntry(_("首问登记"), "cases:enquiries", frozenset(DEPARTMENT_ROLES), order=14))
        register_workbench(
            MenuEntry(_("否定报备"), "cases:negative_reports", frozenset({Role.DEPT_HEAD, Role.LEADER}), order=16)
        )
        register_workbench(
            MenuEntry(_("办件台账"), "cases:ledger", frozenset({Role.DEPT_HEAD, Role.REVIEWER, Role.CLERK}), order=18)
        )
