from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "xiaoneng.supervision"
    label = "supervision"
    verbose_name = _("电子监察")

    def ready(self) -> None:
        from django.conf import settings

        from xiaoneng.core.menu import PUBLIC, MenuEntry, register_portal, register_workbench
        from xiaoneng.core.schedule import register_periodic
        from xiaoneng.orgs.choices import DEPARTMENT_ROLES
        from xiaoneng.supervision import subjects  # noqa: F401  (names and links its clocks' owners for supervision: core.links)
        from xiaoneng.supervision.alerts.escalation import escalation_policy
        from xiaoneng.supervision.alerts.thresholds import thresholds_for
        from xiaoneng.supervision.choices import SUPERVISOR_ROLES
        from xiaoneng.supervision.tasks import efficiency_refresh_task, irregularities_detect_task, supervision_scan
        from xiaoneng.workdays.escalation import set_escalation_policy
        from xiaoneng.workdays.services import set_threshold_resolver

        # SUP-1: thresholds per jurisdiction and kind feed every clock computation
        set_threshold_resolver(thresholds_for)
        # the one escalation policy: complaints (below supervision) ask it through workdays.escalation
        set_escalation_policy(escalation_policy)
        register_periodic(
            "supervision.scan", supervision_scan, int(getattr(settings, "XIAONENG_SUPERVISION_SCAN_SECONDS", 60))
        )
        # SUP-2: the incremental irregularity detector over the Event trail
        register_periodic(
            "supervision.irregularities",
            irregularities_detect_task,
            int(getattr(settings, "XIAONENG_IRREGULARITY_SECONDS", 60)),
        )
        # SUP-3 / SUP-5: the efficiency index, current month refreshed hourly, closed months frozen
        register_periodic(
            "supervision.efficiency",
            efficiency_refresh_task,
            int(getattr(settings, "XIAONENG_EFFICIENCY_SECONDS", 3600)),
        )
        register_workbench(MenuEntry(_("领导一页通"), "supervision:leader", frozenset(SUPERVISOR_ROLES), order=290))
        register_workbench(
            MenuEntry(
                _("效能指数"), "supervision:efficiency", frozenset(SUPERVISOR_ROLES | DEPARTMENT_ROLES), order=310
            )
        )
        register_workbench(MenuEntry(_("效能通报"), "supervision:bulletins", frozenset(SUPERVISOR_ROLES), order=311))
        register_portal(
            MenuEntry(
                _("效能预警公示"),
                "supervision:warnings",
                None,
                order=401,
                group=PUBLIC,
                hint=_("效能指数偏低、列入公开预警名单的单位"),
            )
        )
        register_workbench(MenuEntry(_("监察总览"), "supervision:dashboard", frozenset(SUPERVISOR_ROLES), order=300))
        register_workbench(
            MenuEntry(_("预警处理"), "supervision:alerts", frozenset(SUPERVISOR_ROLES | DEPARTMENT_ROLES), order=305)
        )
        register_workbench(
            MenuEntry(_("逾期时限"), "supervision:late", frozenset(SUPERVISOR_ROLES | DEPARTMENT_ROLES), order=304)
        )
        register_workbench(
            MenuEntry(
                _("违规预警"), "supervision:irregularities", frozenset(SUPERVISOR_ROLES | DEPARTMENT_ROLES), order=306
            )
        )
        register_workbench(
            MenuEntry(_("违规规则"), "supervision:irregularity_rules", frozenset(SUPERVISOR_ROLES), order=307)
        )
        register_portal(
            MenuEntry(
                _("超期公示"),
                "supervision:overdue",
                None,
                order=400,
                group=PUBLIC,
                hint=_("超过办理时限的事项及单位的情况说明"),
            )
        )
