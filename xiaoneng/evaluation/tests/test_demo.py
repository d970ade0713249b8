from __future__ import annotations

import io

import pytest

from xiaoneng.evaluation import demo
from xiaoneng.evaluation.models import Commitment, Scheme, UnitResult, WarningIndex
from xiaoneng.orgs import demo as orgs_demo


@pytest.mark.django_db
def test_demo_loads_and_is_idempotent():

    out = io.StringIO()
    orgs_demo.load(out)
    demo.load(out)
    demo.load(out)
    scheme = Scheme.objects.get()
    assert UnitResult.objects.filter(scheme=scheme).count() == 8
    assert Commitment.objects.count() == 2
    assert WarningIndex.objects.exists()
    assert "already loaded" in out.getvalue()
