from django.tasks import task

from .scan import scan


@task()
def supervision_scan() -> dict[str, int]:
    """SUP-1: the periodic scan (every 60 s by default, enqueued by `manage.py run_scheduler`)."""
    r = scan()
    return {"alerts": r.alerts, "escalated": r.escalated, "rectifications": r.rectifications}
