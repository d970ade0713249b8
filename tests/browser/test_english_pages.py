"""The English UI (language switch) on the journeys' main pages: the applicant's case page, the
public item page and the clerk's queue render in English without layout breakage (no sideways
scrolling, a header that stays a header, no clipped deadline cells)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import login, screenshot
from xiaoneng.cases.actions.intake import case_accept
from xiaoneng.cases.tests.conftest import _media, cw, submit  # noqa: F401 -- the fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAYOUT = """() => ({
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  header: document.querySelector('header').getBoundingClientRect().height,
  clipped: [...document.querySelectorAll('table.clocks td')].filter(td => td.scrollWidth > td.clientWidth + 1).length,
})"""


def _english(page: Any) -> None:
    page.select_option("#lang-select", "en")
    page.click("#lang-submit")
    page.wait_for_selector("html[lang=en]")


def _assert_laid_out(page: Any, name: str) -> None:
    layout = page.evaluate(LAYOUT)
    assert layout["overflow"] <= 0, layout  # nothing sticks out sideways
    assert layout["header"] < 200, layout  # the menu wraps into rows, not a column
    assert layout["clipped"] == 0, layout
    screenshot(page, name)


def test_english_case_page_item_page_and_queue(page, world, cw):  # noqa: F811
    case, _ = submit(world, cw.parallel)
    case_accept(case=case, actor=world.user("clerk"))
    # the applicant switches to English on her case page
    login(page, "applicant")
    page.goto(page.base + f"/cases/{case.pk}/")
    _english(page)
    assert "My cases" in page.locator("header").inner_text()
    assert "Why this date" in page.locator("#deadlines").inner_text()
    _assert_laid_out(page, "english-01-case")
    # the public item page keeps the language
    page.goto(page.base + f"/catalog/{cw.parallel.implementing_code}/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.wait_for_selector(".flowchart svg")
    _assert_laid_out(page, "english-02-item")
    # the clerk's queue and case page in English
    page.context.clear_cookies()
    login(page, "clerk")
    page.goto(page.base + "/workbench/cases/")
    _english(page)
    assert page.locator("h1").inner_text() == "My tasks"
    _assert_laid_out(page, "english-03-queue")
    page.goto(page.base + f"/workbench/cases/{case.pk}/")
    _assert_laid_out(page, "english-04-staff-case")
