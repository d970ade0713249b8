from django.tasks import task

from xiaoneng.complaints.actions.escalation import complaints_escalate
from xiaoneng.complaints.publication import figures_publish
from xiaoneng.core.uploads import pending_uploads_purge


@task()
def complaints_escalate_task() -> int:
    """CMP-2: overdue orders escalate up the supervisor chain (enqueued by `manage.py run_scheduler`)."""
    return complaints_escalate()


@task()
def complaints_publish_task() -> int:
    """CMP-4: publish last month's figures once the month is complete (idempotent)."""
    return figures_publish()


@task()
def pending_uploads_purge_task() -> int:
    """Issue 9: files kept for a form whose visitor gave up are deleted after a day (idempotent)."""
    return pending_uploads_purge()
