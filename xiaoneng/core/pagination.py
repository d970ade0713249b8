"""One way to paginate a long list page: `paginate(request, object_list)` and the shared partial.

Views call ``page = paginate(request, qs)`` and templates render
``{% include "includes/pagination.html" with page=page %}``, which shows "共 N 条", the page links
(elided for long lists) and keeps every other query-string parameter (filters) on each link.

A bad ``?page=`` value never fails: ``abc`` or an empty value gives the first page, a number
past the end or below 1 gives the last page (Django's ``Paginator.get_page``).
"""

from __future__ import annotations

__all__ = ["DEFAULT_PER_PAGE", "MAX_PER_PAGE", "paginate"]

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


def paginate(request: HttpRequest, object_list: Any, per_page: int = DEFAULT_PER_PAGE) -> Page[Any]:
    """The requested page of ``object_list`` (a queryset should be ordered), never raising.

    ``page.paginator.count`` is the total; the page also carries ``elided_range`` for the partial.
    """
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    paginator = Paginator(object_list, per_page)
    raw = request.GET.get("page", "1")
    # get_page() accepts "abc", "-1", "99999"; it only fails on absurd lengths, so cap the string.
    page = paginator.get_page(raw[:12] if isinstance(raw, str) else 1)
    page.elided_range = list(  # type: ignore[attr-defined]
        paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    return page
