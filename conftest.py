"""Fixtures shared by every test: a small jurisdiction (city → county → township), two
departments, and one user per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.core.cache import cache
from playwright.sync_api import sync_playwright

from xiaoneng.catalog.models import Item
from xiaoneng.catalog.tests.factories import PublishedItemFactory
from xiaoneng.orgs.choices import RegionLevel, Role
from xiaoneng.orgs.models import Department, Region, User
from xiaoneng.orgs.tests.factories import DepartmentFactory, RegionFactory, UserFactory


@dataclass
class World:
    city: Region
    county: Region
    other_county: Region
    township: Region
    dept: Department  # a city department
    other_dept: Department  # another city department
    county_dept: Department  # a department of the county
    legal_dept: Department
    users: dict[str, User]

    def user(self, key: str) -> User:
        return self.users[key]


@pytest.fixture
def world(db) -> World:
    city = RegionFactory(code="339100", name="青溪市", level=RegionLevel.CITY)
    county = RegionFactory(code="339102", name="清河区", level=RegionLevel.COUNTY, parent=city)
    other_county = RegionFactory(code="339121", name="云山县", level=RegionLevel.COUNTY, parent=city)
    township = RegionFactory(code="339102001", name="城东街道", level=RegionLevel.TOWNSHIP, parent=county)
    dept = DepartmentFactory(region=city, name="市场监管局")
    other_dept = DepartmentFactory(region=city, name="住建局")
    county_dept = DepartmentFactory(region=county, name="清河区市场监管局")
    legal_dept = DepartmentFactory(region=city, name="司法局", is_legal_office=True)
    users = {
        "applicant": UserFactory(username="applicant", role=Role.APPLICANT, phone="13900000011"),
        "other_applicant": UserFactory(username="other_applicant", role=Role.APPLICANT),
        "clerk": UserFactory(username="clerk", role=Role.CLERK, department=dept),
        "reviewer": UserFactory(username="reviewer", role=Role.REVIEWER, department=dept),
        "dept_head": UserFactory(username="dept_head", role=Role.DEPT_HEAD, department=dept),
        "other_clerk": UserFactory(username="other_clerk", role=Role.CLERK, department=other_dept),
        "county_clerk": UserFactory(username="county_clerk", role=Role.CLERK, department=county_dept),
        "legal": UserFactory(username="legal", role=Role.LEGAL, department=legal_dept),
        "supervisor": UserFactory(username="supervisor", role=Role.SUPERVISOR, region=city),
        "county_supervisor": UserFactory(username="county_supervisor", role=Role.SUPERVISOR, region=county),
        "other_county_supervisor": UserFactory(
            username="other_county_supervisor", role=Role.SUPERVISOR, region=other_county
        ),
        "leader": UserFactory(username="leader", role=Role.LEADER, region=city),
        "admin": UserFactory(username="admin", role=Role.ADMIN, region=city),
    }
    # factory-boy's stubs type a factory call as the factory, not the model it builds.
    r = cast(Any, (city, county, other_county, township))
    d = cast(Any, (dept, other_dept, county_dept, legal_dept))
    return World(r[0], r[1], r[2], r[3], d[0], d[1], d[2], d[3], users=cast(dict[str, User], users))


@pytest.fixture
def published_item(world) -> Item:
    """A published item of `world.dept`, declared by its head and reviewed by the legal office."""
    return cast(
        Item, PublishedItemFactory(department=world.dept, declarer=world.user("dept_head"), legal=world.user("legal"))
    )


# --- Browser tests (Playwright driving Debian's chromium; never `playwright install`) ---------------

import os  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the same
# thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "test-results" / "screenshots"


@pytest.fixture(scope="session")
def browser():

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is required for browser tests: apt-get install chromium fonts-noto-cjk")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page (zh-hans) against the live test server; `page.base` is its URL."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base = live_server.url
    yield pg
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-results/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str = "pass-Word-2026") -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#main form button[type=submit]")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (xiaoneng.core.throttle) live in the cache: each test starts from zero."""

    cache.clear()
    return
