"""The demo is lawful (issue 9): a first look must not suggest a broken system. The catalog is
published before the demo's cases were received, so no case is flagged as handled on an unpublished
item (SUP-2.5); no obligation met on time carries an alert; the few irregularities left are the ones
planted on purpose; and the demo's cards read the same on the dashboard and in its bulletin."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from xiaoneng.orgs.models import User
from xiaoneng.supervision.alerts.selectors import MET_ON_TIME, card_counts
from xiaoneng.supervision.choices import IrregularityRule
from xiaoneng.supervision.irregularities.detect import irregularities_detect
from xiaoneng.supervision.models import Alert, Bulletin, Irregularity

pytestmark = pytest.mark.django_db

# planted on purpose, realistic and few: one application left unaccepted until the law deemed it
# accepted (SUP-2.1, 行政许可法 第三十二条); and the inspections demo's enterprise inspection of 绿源食品厂
# without a filing (SUP-2.9, INS-7)
PLANTED = {IrregularityRule.NOT_ACCEPTED, IrregularityRule.UNFILED_INSPECTION}


def test_the_demo_is_lawful_and_its_figures_agree():
    # given the demo, loaded as `manage.py load_demo` does, and the irregularity detector run over it
    call_command("load_demo", stdout=io.StringIO())
    result = irregularities_detect(from_start=True, lag=timedelta(0))
    rules = list(Irregularity.objects.values_list("rule", flat=True))
    # (the detector did read every case: no demo event is dated in the future, which would stall it)
    assert result.cases >= 19
    assert IrregularityRule.NOT_ACCEPTED in rules
    assert rules.count(IrregularityRule.UNFILED_INSPECTION) == 1  # the planted one; filed acts are not flagged
    # then no case is on a version published after its receipt (SUP-2.5) …
    assert IrregularityRule.UNPUBLISHED_ITEM not in rules
    # … only the planted irregularities are found, and they are few
    assert set(rules) <= PLANTED
    assert len(rules) <= 3
    # … and no obligation that was met on time has an alert
    assert not Alert.objects.filter(MET_ON_TIME).exists()
    # and the demo's bulletin counts the same cards as the dashboard (issue 9, one definition)

    office = User.objects.get(username="supervisor")
    month = timezone.localdate().replace(day=1)
    cards = card_counts(office, months=[month])
    bulletin = Bulletin.objects.get(period=month, kind="monthly")
    assert bulletin.snapshot["alerts"] == {k: cards[k] for k in ("remind", "yellow", "red")}
    c = Client()
    c.force_login(office)
    assert {k: c.get("/api/supervision/dashboard").json()["cards"][k] for k in ("yellow", "red")} == {
        "yellow": cards["yellow"],
        "red": cards["red"],
    }
