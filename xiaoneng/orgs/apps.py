from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "xiaoneng.orgs"
    label = "orgs"
    verbose_name = _("组织与人员")

    def ready(self) -> None:
        from xiaoneng.core.menu import MenuEntry, register_workbench
        from xiaoneng.orgs.selectors import POST_MANAGER_ROLES

        # CAS-9: department heads and administrators set who stands in for an absent A holder.
        register_workbench(
            MenuEntry(label=_("A、B角管理"), url_name="orgs_posts", roles=frozenset(POST_MANAGER_ROLES), order=80)
        )
