from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "xiaoneng.evaluation"
    label = "evaluation"
    verbose_name = _("绩效考评")

    def ready(self) -> None:
        from xiaoneng.core.menu import PUBLIC, MenuEntry, register_portal, register_workbench
        from xiaoneng.evaluation import indicators, subjects  # noqa: F401  (registers the data indicators and the clock subjects)
        from xiaoneng.orgs.choices import STAFF_ROLES

        register_workbench(MenuEntry(_("绩效考评"), "evaluation:schemes", frozenset(STAFF_ROLES), order=330))
        register_workbench(MenuEntry(_("效能廉勤预警"), "evaluation:warnings", frozenset(STAFF_ROLES), order=335))
        register_workbench(MenuEntry(_("公开承诺"), "evaluation:commitments", frozenset(STAFF_ROLES), order=340))
        register_portal(
            MenuEntry(
                _("承诺践诺评诺"),
                "evaluation:public_commitments",
                None,
                order=260,
                group=PUBLIC,
                hint=_("各部门年度承诺、践诺进展和年底评诺"),
            )
        )
        register_portal(
            MenuEntry(
                _("绩效考评结果"),
                "evaluation:public_results",
                None,
                order=265,
                group=PUBLIC,
                hint=_("年度绩效考评排名及置信区间"),
            )
        )
