"""The portal shell: where signing in leads, the top bar, and the 信息公示 page."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "target"), [("clerk", "/workbench/"), ("supervisor", "/workbench/"), ("applicant", "/")]
)
def test_signing_in_leads_staff_to_the_workbench_and_applicants_home(client, world, username, target):
    r = client.post("/accounts/login/", {"username": username, "password": "pass-Word-2026"}, follow=True)
    assert r.redirect_chain[-1][0] == target


def test_signing_in_still_honours_the_page_that_was_asked_for(client, world):
    r = client.post("/accounts/login/?next=/inbox/", {"username": "clerk", "password": "pass-Word-2026"})
    assert r.url == "/inbox/"


def test_top_bar_keeps_services_and_reaches_published_lists_through_one_entry(client, world):
    html = client.get("/").content.decode()
    nav = html.split("<nav", 1)[1].split("</nav>", 1)[0] if "<nav" in html else html
    assert "信息公示" in nav
    assert "好差评公示" not in nav
    page = client.get("/public/").content.decode()
    for label in ("超期公示", "效能预警公示", "投诉办理公示", "好差评公示"):
        assert label in page
    # and the home page lists them under their own heading
    assert "好差评公示" in html
