from django.tasks import task

from xiaoneng.supervision.alerts.scan import scan
from xiaoneng.supervision.efficiency.services import efficiency_refresh
from xiaoneng.supervision.irregularities.detect import irregularities_detect


@task()
def supervision_scan() -> dict[str, int]:
    """SUP-1: the periodic scan (every 60 s by default, enqueued by `manage.py run_scheduler`)."""
    r = scan()
    return {"alerts": r.alerts, "escalated": r.escalated, "rectifications": r.rectifications}


@task()
def irregularities_detect_task() -> dict[str, int]:
    """SUP-2: the incremental irregularity detector over the Event trail (every 60 s by default)."""

    r = irregularities_detect()
    return {"events": r.events, "raised": r.raised, "rectified": r.rectified, "position": r.position}


@task()
def efficiency_refresh_task() -> dict[str, int]:
    """SUP-3 / SUP-5: refresh the current month's efficiency index (hourly by default), freeze the
    month that just closed and grade the quarter that just closed."""

    return efficiency_refresh()
