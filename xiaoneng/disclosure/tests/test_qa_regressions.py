# mypy: disable-error-code="union-attr,arg-type,misc,operator"
"""Regressions found by the QA walk of issue 11's disclosure part (browser walk as each role, hostile input)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import submit

pytestmark = pytest.mark.django_db


def test_request_trail_shows_labels_not_action_codes(client, world):
    # given a request received online
    req = submit(world).request
    # when the department's clerk opens it
    client.force_login(world.user("clerk"))
    body = client.get(reverse("disclosure:request", args=[req.pk])).content.decode()
    # then the trail says what happened in words, never the event's action code
    trail = body.split("<h2>办理记录</h2>")[1]
    assert "收到申请" in trail
    assert "disclosure." not in trail
