from django.tasks import task

from .services import ratings_default


@task()
def ratings_default_task() -> int:
    """RAT-2: record 基本满意 (defaulted) for services left unrated for 7 natural days."""
    return ratings_default()
