"""What oversight's clocks are about, for supervision's alerts and late lists (core.links registry).

Installed by `OversightConfig.ready()` on import: a department's share of a supervised task
(督办任务, its deadline clock) names the task; a rectification (整改) names itself. Both link to
the staff pages for those who may open them.
"""

from __future__ import annotations

__all__ = ["describe_assignment", "describe_rectification"]

from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaoneng.core.links import Subject, clock_group_set, subject_describer_set, subject_link
from xiaoneng.oversight.models import Rectification, SupervisedTask, TaskAssignment
from xiaoneng.oversight.permissions import access_rectification_by_id, access_task_by_id, is_staff_user


def _staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and is_staff_user(user))


def describe_assignment(user: Any, assignment: TaskAssignment) -> Subject:
    task = assignment.task
    return {
        "kind": str(SupervisedTask._meta.verbose_name),
        "label": f"{task.number} {task.title}",
        "url": subject_link(user, access_task_by_id, task.pk, "oversight:task_detail", allowed=_staff(user)),
    }


def describe_rectification(user: Any, rectification: Rectification) -> Subject:
    return {
        "kind": str(Rectification._meta.verbose_name),
        "label": rectification.title,
        "url": subject_link(
            user, access_rectification_by_id, rectification.pk, "oversight:detail", allowed=_staff(user)
        ),
    }


subject_describer_set("oversight.taskassignment", describe_assignment)
subject_describer_set("oversight.rectification", describe_rectification)
clock_group_set("oversight.task", _("督办任务"), "oversight.task", order=40)
clock_group_set("oversight.rectification", _("整改"), "oversight.rectification", order=45)
