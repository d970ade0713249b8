from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaoneng.orgs.choices import Role


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    SUBMITTED = "submitted", _("已提交待核验")
    CLOSED = "closed", _("已核验销号")


# The one transition table (conventions §5): action -> (from states, to state).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({RectificationStatus.OPEN}), RectificationStatus.SUBMITTED),
    "verify": (frozenset({RectificationStatus.SUBMITTED}), RectificationStatus.CLOSED),
    "reject": (frozenset({RectificationStatus.SUBMITTED}), RectificationStatus.OPEN),
}

# Who verifies rectifications and opens them by hand: the efficiency office and leaders of the region.
VERIFIER_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})
