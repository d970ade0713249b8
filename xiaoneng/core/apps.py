from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xiaoneng.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from xiaoneng.core.schedule import register_periodic
        from xiaoneng.core.tasks import (
            task_results_prune_task,
            task_results_recover_task,
            trail_anchor_task,
            trail_partitions_task,
        )

        # finished rows of the task table would grow without bound (one per notification, scan, …)
        register_periodic("core.task_results_prune", task_results_prune_task, 24 * 3600)
        # a worker killed mid-task leaves its row RUNNING: put it back in the queue (at least once)
        register_periodic("core.task_results_recover", task_results_recover_task, 300)
        # the daily seal of the Event trail; hourly so a run missed or refused the table lock is retried
        register_periodic("core.trail_anchor", trail_anchor_task, 3600)
        # the coming months of the partitioned trail (PostgreSQL), three months ahead; daily
        register_periodic("core.trail_partitions", trail_partitions_task, 24 * 3600)
