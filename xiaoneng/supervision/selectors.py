"""What other apps read of supervision (the evaluation app's indicators, the complaints' late-reply
page): the public selectors, each defined in its topic package and named here so that callers
outside supervision depend on one module rather than on the layout of the topics. Nothing inside
supervision imports this module."""

from __future__ import annotations

__all__ = ["CARD_KEYS", "card_counts", "index_rows", "overdue_public", "scores_for"]

from xiaoneng.supervision.alerts.selectors import CARD_KEYS, card_counts, overdue_public
from xiaoneng.supervision.efficiency.selectors import index_rows
from xiaoneng.supervision.permissions import scores_for
