from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_calendar(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # CLK-4: every database starts with the 2004–2026 calendar from chinese-calendar (also after a
    # test flush). Idempotent: years already present are left as they are.
    from django.conf import settings

    from xiaoneng.workdays.services import calendar_seed

    first, last = settings.XIAONENG_CALENDAR_SEED_YEARS
    calendar_seed(first_year=first, last_year=last)


class WorkdaysConfig(AppConfig):
    name = "xiaoneng.workdays"
    label = "workdays"
    verbose_name = _("工作日历与计时")

    def ready(self) -> None:
        post_migrate.connect(_seed_calendar, sender=self, dispatch_uid="workdays_seed_calendar")
        from xiaoneng.core.backup import fingerprint_register
        from xiaoneng.core.menu import MenuEntry, register_workbench
        from xiaoneng.core.schedule import register_periodic
        from xiaoneng.workdays.backup import open_clocks_fingerprint
        from xiaoneng.workdays.tasks import calendar_warn_missing_year

        # a restore must leave every open clock's due date where it was (docs/operations.md)
        fingerprint_register("open_clocks", open_clocks_fingerprint)

        register_periodic("workdays.calendar_warn_missing_year", calendar_warn_missing_year, 6 * 3600)
        register_workbench(MenuEntry(_("工作日历"), "workdays:calendar", frozenset({"admin"}), order=900))
