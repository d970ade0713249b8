"""`{% case_irregularities case %}`: a case's SUP-2 flags on the staff case page. A template tag, so
that cases (below supervision in the import order) need not import supervision."""

from __future__ import annotations

from typing import Any

from django import template

from xiaoneng.supervision.irregularities.selectors import case_irregularities as _flags

register = template.Library()


@register.inclusion_tag("supervision/_case_irregularities.html", takes_context=True)
def case_irregularities(context: dict[str, Any], case: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"flags": _flags(user, case) if user is not None and case is not None else []}
