"""Browser journey (issue 9): someone guessing query codes on the public complaint tracking page is
stopped after the rate with the 请求过于频繁 page, which says when to try again."""

from __future__ import annotations

import pytest

from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guessing_query_codes_is_stopped_with_a_clear_page(page, world, settings):
    # given a low rate, so the journey stays short
    settings.XIAONENG_THROTTLE_RATES = {"track": "3/m"}
    # when a visitor tries three wrong codes through the form
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        page.goto(page.base + "/complaints/track/")
        page.fill("input[name=number]", "TS-339100-20260101-00001")
        page.fill("input[name=code]", guess)
        page.locator("input[name=code]").press("Enter")
        page.wait_for_load_state()
        assert "请求过于频繁" not in page.content()
    # then the fourth look-up gets the 429 page with a message and a way home
    response = page.goto(page.base + "/complaints/track/?number=TS-339100-20260101-00001&code=DDDDDD")
    assert response is not None
    assert response.status == 429
    assert int(response.headers["retry-after"]) >= 1
    assert page.locator("h1").inner_text() == "请求过于频繁"
    assert "尝试次数过多，请1分钟后再试。" in page.locator("[role=alert]").inner_text()
    screenshot(page, "throttle-429")
