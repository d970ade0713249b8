"""Fixtures of the proposals tests: a suggestion assigned to the city market regulator with the
housing bureau co-handling, and a major decision of the market regulator."""

from __future__ import annotations

from typing import Any, cast

import pytest

from xiaoneng.proposals.actions.decisions import decision_register
from xiaoneng.proposals.models import MajorDecision, Proposal
from xiaoneng.proposals.tests.factories import ProposalFactory


def register(world: Any, **overrides: Any) -> Proposal:
    args: dict[str, Any] = {
        "actor": world.user("supervisor"),
        "kind": "suggestion",
        "number": "第0012号",
        "session": "青溪市十七届人大五次会议",
        "title": "关于加强农贸市场食品安全监管的建议",
        "proposer": "王代表",
        "content": "建议增加农贸市场快检频次，公开检测结果。",
        "urgent": False,
        "lead_department": world.dept,
        "cohandlers": [world.other_dept],
    }
    args.update(overrides)
    return cast(Proposal, ProposalFactory(**args))


def decision(world: Any, **overrides: Any) -> MajorDecision:
    args: dict[str, Any] = {
        "actor": world.user("dept_head"),
        "department": world.dept,
        "title": "青溪市农贸市场布局规划（2027—2031年）",
        "description": "新建、迁建农贸市场12处，关停3处。",
    }
    args.update(overrides)
    return decision_register(**args)


@pytest.fixture
def proposal(world) -> Proposal:
    return register(world)


@pytest.fixture
def major(world) -> MajorDecision:
    return decision(world)
