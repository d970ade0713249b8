"""Issue 9: the "即将到期" (due soon) pill was green while the queue's legend says yellow is 临近到期.
One mapping of urgency level → colour (urgency.URGENCY_LEVELS) draws both the pill and the legend
(SUP-1 colours)."""

import re

import pytest
from django.template.loader import render_to_string

from xiaoneng.workdays.tests.conftest import at
from xiaoneng.workdays.urgency import URGENCY_LEVELS, clock_urgency, urgency_legend

pytestmark = pytest.mark.django_db


def _legend_colour_of(text: str) -> str:
    html = render_to_string("workdays/_clock_legend.html")
    spans = dict((label, colour) for colour, label in re.findall(r'class="pill (\w+)"[^>]*>([^<]+)<', html))
    return next(colour for label, colour in spans.items() if text in label)


def test_sup1_due_soon_pill_is_yellow_as_the_legend_says(make_clock, freeze_now):
    # given a clock due Monday 2026-11-16, reminded from Friday 11-13
    clock = make_clock(limit=10, started_at=at("2026-11-02"))
    # when it is due soon
    u = clock_urgency(clock, at("2026-11-13", 9))
    # then the pill is the legend's colour for 临近到期: yellow (it was green)
    assert u.label == "即将到期"
    assert u.colour == "yellow" == _legend_colour_of("临近到期")
    freeze_now(at("2026-11-13", 9))
    html = render_to_string("workdays/_clock.html", {"clock": clock, "explain": False})
    assert 'class="pill yellow">即将到期<' in html
    assert 'data-colour="yellow"' in html


def test_every_pill_colour_is_in_the_legend_and_drawn_from_one_mapping():
    legend = {e.colour for e in urgency_legend()}
    assert {level.colour for level in URGENCY_LEVELS.values()} == legend
    assert _legend_colour_of("已超期") == URGENCY_LEVELS["overdue"].colour == "red"
    assert _legend_colour_of("正常") == URGENCY_LEVELS["normal"].colour == "green"
    assert _legend_colour_of("暂停") == URGENCY_LEVELS["paused"].colour == "grey"
    assert URGENCY_LEVELS["warning"].colour == URGENCY_LEVELS["due_soon"].colour == "yellow"


def test_queue_page_legend_comes_from_the_mapping(world, client):
    client.force_login(world.user("clerk"))
    html = client.get("/workbench/cases/").content.decode()
    legend = re.search(r'id="queue-legend">(.*?)</p>', html, re.S)
    assert legend is not None
    assert re.findall(r'data-legend-colour="(\w+)"', legend.group(1)) == ["red", "yellow", "green", "grey"]
    assert "黄：临近到期" in legend.group(1)
