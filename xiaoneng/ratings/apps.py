from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "xiaoneng.ratings"
    label = "ratings"
    verbose_name = _("好差评与社会测评")

    def ready(self) -> None:
        from django.conf import settings

        from xiaoneng.core.schedule import register_periodic
        from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
        from xiaoneng.portal.menu import MenuEntry, register_portal, register_workbench

        from .tasks import ratings_default_task

        office = frozenset({Role.SUPERVISOR, Role.LEADER})
        register_periodic(
            "ratings.default", ratings_default_task, int(getattr(settings, "XIAONENG_RATINGS_DEFAULT_SECONDS", 3600))
        )
        register_workbench(MenuEntry(_("好差评"), "ratings:list", office | DEPARTMENT_ROLES, order=330))
        register_workbench(MenuEntry(_("窗口评价器"), "ratings:terminal", DEPARTMENT_ROLES, order=331))
        register_workbench(MenuEntry(_("社会测评"), "ratings:surveys", office, order=332))
        register_portal(MenuEntry(_("好差评公示"), "ratings:public_stats", None, order=510))
