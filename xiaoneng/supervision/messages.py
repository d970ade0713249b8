"""Messages of the efficiency index and the bulletins, stored as a key and parameters and rendered
in the reader's language. Pure: no database access and no import of the models, which call it for
their `*_text` properties (SUP-3, SUP-5).
"""

from __future__ import annotations

__all__ = [
    "MESSAGES",
    "bulletin_title",
    "deduction_text",
    "make_message",
    "render_message",
    "render_zh",
    "warning_reason_text",
]

from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xiaoneng.supervision.choices import DeductionSource
from xiaoneng.supervision.periods import period_label

if TYPE_CHECKING:  # the models call these functions; they need not be imported at run time
    from xiaoneng.supervision.models import Bulletin, Deduction, EfficiencyScore

# Rule IDs (SUP-5, CMP-4, RAT-3, RAT-4) stay out of these texts: readers see the rule, not its code.
# Stored user-facing text (deduction explanations, warning reasons) is kept as a message key plus
# parameters and rendered through gettext when it is shown, so each reader sees it in their language;
# the Chinese wording is stored beside it for rows written before the keys existed (and the admin).
MESSAGES: dict[str, str] = {
    DeductionSource.ALERT_REMIND: gettext_noop("预警提醒%(n)s次，每连续%(run)s次扣%(p)s分"),
    DeductionSource.ALERT_YELLOW: gettext_noop("黄牌%(n)s张，每张扣%(p)s分"),
    DeductionSource.ALERT_RED: gettext_noop("红牌%(n)s张，每张扣%(p)s分"),
    DeductionSource.IRREGULARITY: gettext_noop(
        "经核实的违规行为%(n)s起（一般%(a)s起、较重%(b)s起、严重%(c)s起，分别扣%(pa)s、%(pb)s、%(pc)s分/起）"
    ),
    DeductionSource.COMPLAINT: gettext_noop("效能投诉经查属实%(n)s件，每件扣%(p)s分"),
    DeductionSource.LATE_REPLY: gettext_noop(
        "应答复投诉%(due)s件，按时答复%(ok)s件，按时答复率%(rate)s%%，低于目标100%%，每件未按时扣%(p)s分"
    ),
    DeductionSource.BAD_REVIEW: gettext_noop("差评超过整改时限仍未整改%(n)s条，每条扣%(p)s分"),
    DeductionSource.TASK_OVERDUE: gettext_noop("督办事项逾期未办结%(n)s项，每项扣%(p)s分"),
    DeductionSource.SATISFACTION: gettext_noop(
        "评价%(n)s条，满意率%(rate)s%%，低于目标%(target)s%%，每低1个百分点扣%(p)s分，最多扣%(cap)s分"
    ),
    "warning.below": gettext_noop("月度得分低于%(n)s分"),
    "warning.composite_twice": gettext_noop("连续两个月综合预警"),
}


def make_message(key: str, **params: Any) -> dict[str, Any]:
    """A stored message: its key and JSON-safe parameters (Decimals as text)."""
    return {"key": key, "params": {k: v if isinstance(v, (int, list)) else str(v) for k, v in params.items()}}


def render_message(message: dict[str, Any]) -> str:
    """A stored message in the active language (gettext at display time); "" if it is not one."""
    key = message.get("key") if isinstance(message, dict) else None
    params = message.get("params") or {}
    if key == "warning.single":
        # SUP-3 level 1: the kinds of deductions the unit had, in the reader's language
        labels = [str(DeductionSource(c).label) for c in params.get("sources", []) if c in DeductionSource.values]
        return _("、").join(labels)
    if key not in MESSAGES:
        return ""
    try:
        return _(MESSAGES[key]) % params
    except (KeyError, TypeError, ValueError):
        return ""


def render_zh(message: dict[str, Any]) -> str:
    with translation.override("zh-hans"):
        return render_message(message)


def deduction_text(d: Deduction) -> str:
    """A deduction's explanation in the reader's language; rows stored as text keep their text."""
    return (render_message(d.message) if d.message else "") or d.explanation


def warning_reason_text(s: EfficiencyScore) -> str:
    """A score's warning reason in the reader's language; rows stored as text keep their text."""
    return (render_message(s.warning_message) if s.warning_message else "") or s.warning_reason


def bulletin_title(bulletin: Bulletin) -> str:
    """The title in the active language (the stored `title` keeps the Chinese it was drafted with)."""
    return _("%(region)s%(period)s效能通报") % {
        "region": bulletin.region.name,
        "period": period_label(bulletin.kind, bulletin.period),
    }
