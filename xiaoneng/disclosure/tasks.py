from django.tasks import task

from xiaoneng.disclosure.services import consultations_deem


@task()
def consultations_deem_task() -> int:
    """DIS-1: consulted parties silent for 15 working days are deemed to consent (enqueued by the scheduler)."""
    return consultations_deem()
