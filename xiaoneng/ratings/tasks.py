from django.tasks import task

from xiaoneng.ratings.actions.invitations import rating_invite_cases
from xiaoneng.ratings.actions.rating import ratings_default


@task()
def ratings_default_task() -> int:
    """RAT-2: record 基本满意 (defaulted) for services left unrated for 7 natural days."""
    return ratings_default()


@task()
def ratings_invite_task() -> int:
    """RAT-1: send the SMS rating link for cases completed within the rating window."""
    return rating_invite_cases()
