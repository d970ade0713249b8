"""The complaints and ratings demos load in every state and are idempotent."""

import io

import pytest

from xiaoneng.complaints import demo
from xiaoneng.complaints.models import Complaint
from xiaoneng.orgs import demo as orgs_demo
from xiaoneng.ratings import demo as ratings_demo
from xiaoneng.ratings.models import Rating, Survey

pytestmark = pytest.mark.django_db


def test_demo_loads_every_state_idempotently():
    orgs_demo.load(io.StringIO())
    demo.load(io.StringIO())
    ratings_demo.load(io.StringIO())
    counts = (Complaint.objects.count(), Rating.objects.count(), Survey.objects.count())
    demo.load(io.StringIO())
    ratings_demo.load(io.StringIO())
    assert (Complaint.objects.count(), Rating.objects.count(), Survey.objects.count()) == counts
    states = set(Complaint.objects.values_list("status", flat=True))
    assert states >= {"registered", "refused", "accepted", "dispatched", "returned", "replied", "closed", "merged"}
    assert Complaint.objects.filter(flagged_for_oversight=True).exists()
    assert Complaint.objects.filter(escalation_level__gt=0).exists()
    handling = set(Rating.objects.values_list("handling", flat=True))
    assert handling >= {"", "pending", "rectifying", "called_back"}
    assert Rating.objects.filter(defaulted=True).exists()
    assert Rating.objects.filter(removed=True).exists()
    assert Survey.objects.get().responses.count() == 49
