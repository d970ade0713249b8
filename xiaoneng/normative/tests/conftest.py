"""Fixtures of the normative tests: a draft submitted by the city market regulator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from django.utils import timezone

from xiaoneng.normative.models import NormativeDocument
from xiaoneng.normative.services import document_publish, document_review
from xiaoneng.normative.tests.factories import NormativeDocumentFactory


def submit(world: Any, **overrides: Any) -> NormativeDocument:
    args: dict[str, Any] = {
        "actor": world.user("clerk"),
        "department": world.dept,
        "title": "青溪市食品小作坊登记管理办法",
        "summary": "规范食品小作坊登记条件、程序和监督检查。",
    }
    args.update(overrides)
    return cast(NormativeDocument, NormativeDocumentFactory(**args))


def publish(world: Any, document: NormativeDocument, **overrides: Any) -> NormativeDocument:
    today = timezone.localdate()
    args: dict[str, Any] = {
        "actor": world.user("dept_head"),
        "document": document,
        "number": "青市监规〔2026〕1号",
        "published_on": today,
        "effective_from": today + timedelta(days=30),
    }
    args.update(overrides)
    return document_publish(**args)


@pytest.fixture
def draft(world) -> NormativeDocument:
    return submit(world)


@pytest.fixture
def approved(world, draft) -> NormativeDocument:
    return document_review(actor=world.user("legal"), document=draft, outcome="passed", opinion="")


@pytest.fixture
def published(world, approved) -> NormativeDocument:
    return publish(world, approved)
