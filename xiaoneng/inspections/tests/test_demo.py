"""The inspections demo loads on top of the orgs and catalog demos, through the actions (so every rule
held), and is idempotent."""

import io

import pytest

from xiaoneng.catalog import demo as catalog_demo
from xiaoneng.inspections import demo
from xiaoneng.inspections.models import EnforcementCertificate, Inspection, InspectionFiling, InspectionFinding
from xiaoneng.inspections.selectors import unfiled_inspections
from xiaoneng.orgs import demo as orgs_demo
from xiaoneng.orgs.models import User

pytestmark = pytest.mark.django_db


def test_demo_loads_idempotently():
    orgs_demo.load(io.StringIO())
    catalog_demo.load(io.StringIO())
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    assert EnforcementCertificate.objects.count() == 3
    assert InspectionFiling.objects.count() == 2
    assert Inspection.objects.filter(unfiled=True).count() == 1
    assert InspectionFinding.objects.filter(rectification__isnull=False).count() == 2

    assert unfiled_inspections(User.objects.get(username="supervisor")).count() == 1
