"""Issue 10: cases sits below ratings and must not import it (the decision notice asks core.links for
the rating page's address); the ratings' reads never import its actions."""

from __future__ import annotations

import pytest

from xiaoneng.complaints.tests.test_layers import REPO, imported
from xiaoneng.core.links import public_link
from xiaoneng.ratings.links import rating_link, rating_target
from xiaoneng.ratings.tests.conftest import completed_case

APP = REPO / "xiaoneng" / "ratings"


def test_cases_does_not_import_ratings():
    cases = REPO / "xiaoneng" / "cases"
    offenders = {
        str(p.relative_to(REPO)): sorted(m for m in imported(p) if m.startswith("xiaoneng.ratings"))
        for p in cases.rglob("*.py")
        if "tests" not in p.parts
    }
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize("name", ["selectors", "permissions", "links", "limits", "models", "choices"])
def test_reads_do_not_import_the_actions(name):
    mods = imported(APP / f"{name}.py")
    assert not {m for m in mods if m.startswith("xiaoneng.ratings.actions")}, name


def test_nothing_imports_the_removed_services_module():
    assert not (APP / "services.py").exists()
    offenders = [
        str(p.relative_to(REPO))
        for root in ("xiaoneng", "bench", "tests")
        for p in (REPO / root).rglob("*.py")
        if "xiaoneng.ratings.services" in imported(p)
    ]
    assert offenders == []


@pytest.mark.django_db
def test_the_decision_notice_link_is_the_rating_page_installed_by_ratings(world):

    case = completed_case(world)
    # RatingsConfig.ready installed the provider: cases asks core.links and gets ratings' own page,
    # whose token names the case (the token carries a timestamp, so compare what it opens)
    url = public_link("rating", case=case, via="qr")
    prefix = rating_link(case=case, via="qr").split("/rate/")[0] + "/rate/"
    assert url.startswith(prefix)
    assert url.endswith("/?via=qr")
    assert rating_target(url[len(prefix) : -len("/?via=qr")]) == (case, None)


def test_an_uninstalled_link_raises_at_once():
    with pytest.raises(LookupError):
        public_link("no-such-page", case=None)
