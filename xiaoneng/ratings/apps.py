from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "xiaoneng.ratings"
    label = "ratings"
    verbose_name = _("好差评与社会测评")

    def ready(self) -> None:
        from django.conf import settings

        from xiaoneng.core.links import link_provider_set
        from xiaoneng.core.menu import PUBLIC, MenuEntry, register_portal, register_workbench
        from xiaoneng.core.schedule import register_periodic
        from xiaoneng.orgs.choices import DEPARTMENT_ROLES, Role
        from xiaoneng.ratings.links import rating_link
        from xiaoneng.ratings.permissions import OFFICE_ROLES
        from xiaoneng.ratings.tasks import ratings_default_task, ratings_invite_task

        # cases prints the rating page's address on its decision notice (RAT-1) but sits below
        # ratings: it asks core.links, where the page's owner installs the provider (issue 10)
        link_provider_set("rating", rating_link)

        office = OFFICE_ROLES
        register_periodic(
            "ratings.default", ratings_default_task, int(getattr(settings, "XIAONENG_RATINGS_DEFAULT_SECONDS", 3600))
        )
        register_periodic(
            "ratings.invite", ratings_invite_task, int(getattr(settings, "XIAONENG_RATINGS_INVITE_SECONDS", 600))
        )
        register_workbench(MenuEntry(_("好差评"), "ratings:list", office | DEPARTMENT_ROLES, order=330))
        register_workbench(MenuEntry(_("窗口评价器"), "ratings:terminal", DEPARTMENT_ROLES, order=331))
        register_workbench(MenuEntry(_("社会测评"), "ratings:surveys", office, order=332))
        register_portal(
            MenuEntry(
                _("好差评公示"),
                "ratings:public_stats",
                None,
                order=510,
                group=PUBLIC,
                hint=_("主动评价率、满意率、差评整改率和回访率"),
            )
        )
        register_portal(MenuEntry(_("评价我的办件"), "ratings:mine", frozenset({Role.APPLICANT}), order=511))
