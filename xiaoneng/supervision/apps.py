from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "xiaoneng.supervision"
    label = "supervision"
    verbose_name = _("电子监察")

    def ready(self) -> None:
        from django.conf import settings

        from xiaoneng.core.schedule import register_periodic
        from xiaoneng.orgs.choices import DEPARTMENT_ROLES
        from xiaoneng.portal.menu import MenuEntry, register_portal, register_workbench
        from xiaoneng.workdays.services import set_threshold_resolver

        from .choices import SUPERVISOR_ROLES
        from .tasks import supervision_scan
        from .thresholds import thresholds_for

        # SUP-1: thresholds per jurisdiction and kind feed every clock computation
        set_threshold_resolver(thresholds_for)
        register_periodic(
            "supervision.scan", supervision_scan, int(getattr(settings, "XIAONENG_SUPERVISION_SCAN_SECONDS", 60))
        )
        register_workbench(MenuEntry(_("监察总览"), "supervision:dashboard", frozenset(SUPERVISOR_ROLES), order=300))
        register_workbench(
            MenuEntry(_("预警处理"), "supervision:alerts", frozenset(SUPERVISOR_ROLES | DEPARTMENT_ROLES), order=305)
        )
        register_portal(MenuEntry(_("超期公示"), "supervision:overdue", None, order=400))
