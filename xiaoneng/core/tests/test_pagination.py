"""The shared pager: `paginate()` never fails on a bad ?page= and the partial keeps filters."""

from __future__ import annotations

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory

from xiaoneng.core.pagination import paginate

ITEMS = list(range(1, 121))  # 120 rows → 3 pages of 50


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", 1), ("abc", 1), ("2", 2), ("99999", 3), ("-1", 3), ("0", 3), ("1e9", 1), ("9" * 300, 3), ("NaN", 1)],
)
def test_bad_page_numbers_give_a_page(raw, expected):
    # given a request with a hostile page number
    request = RequestFactory().get("/x/", {"page": raw})
    # when
    page = paginate(request, ITEMS)
    # then a real page comes back, never an exception
    assert page.number == expected
    assert page.paginator.count == 120


def test_partial_shows_total_and_keeps_the_query_string():
    # given the second page of a filtered list
    request = RequestFactory().get("/x/", {"status": "open", "page": "2"})
    page = paginate(request, ITEMS, per_page=50)
    # when
    html = Template('{% include "includes/pagination.html" with page=page %}').render(
        RequestContext(request, {"page": page})
    )
    # then the total is shown, the current page is marked and links keep the filter
    assert "共 120 条" in html
    assert 'aria-current="page">2<' in html
    assert "?status=open&amp;page=3" in html
    assert "?status=open&amp;page=1" in html
    assert list(page.object_list) == list(range(51, 101))


def test_single_page_shows_only_the_total():
    request = RequestFactory().get("/x/")
    page = paginate(request, ITEMS[:3])
    html = Template('{% include "includes/pagination.html" with page=page %}').render(
        RequestContext(request, {"page": page})
    )
    assert "共 3 条" in html
    assert "page=" not in html
