from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "xiaoneng.complaints"
    label = "complaints"
    verbose_name = _("效能投诉与12345工单")

    def ready(self) -> None:
        from django.conf import settings

        from xiaoneng.complaints import subjects  # noqa: F401  (names and links its clocks' owners for supervision: core.links)
        from xiaoneng.complaints.choices import OFFICE_ROLES
        from xiaoneng.complaints.tasks import (
            complaints_escalate_task,
            complaints_publish_task,
            pending_uploads_purge_task,
        )
        from xiaoneng.core.menu import PUBLIC, MenuEntry, register_portal, register_workbench
        from xiaoneng.core.schedule import register_periodic
        from xiaoneng.orgs.choices import DEPARTMENT_ROLES

        register_periodic(
            "complaints.escalate",
            complaints_escalate_task,
            int(getattr(settings, "XIAONENG_COMPLAINT_ESCALATE_SECONDS", 300)),
        )
        register_periodic("complaints.publish", complaints_publish_task, 6 * 3600)
        # the public form's kept files (core.uploads); other forms using them share this one purge
        register_periodic("core.pending_uploads_purge", pending_uploads_purge_task, 3600)
        register_workbench(MenuEntry(_("投诉工单（效能办）"), "complaints:office", frozenset(OFFICE_ROLES), order=320))
        register_workbench(
            MenuEntry(_("我部门的工单"), "complaints:department", frozenset(DEPARTMENT_ROLES), order=321)
        )
        register_workbench(
            MenuEntry(_("投诉统计"), "complaints:stats", frozenset(OFFICE_ROLES | DEPARTMENT_ROLES), order=322)
        )
        register_portal(
            MenuEntry(_("我要投诉"), "complaints:complain", None, order=500, hint=_("办事慢、办事难、作风问题，可匿名"))
        )
        register_portal(
            MenuEntry(_("投诉查询"), "complaints:track", None, order=501, hint=_("凭投诉编号和查询码查看办理情况"))
        )
        register_portal(
            MenuEntry(
                _("投诉办理公示"),
                "complaints:public_stats",
                None,
                order=502,
                group=PUBLIC,
                hint=_("各部门投诉受理率、按时答复率和满意率"),
            )
        )
