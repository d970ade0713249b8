"""The case's clocks: their kinds and the statutory limits they run on. Every timed obligation of a
case is a workdays Clock (docs/architecture.md, the Clock spine); supervision reads case clocks by
kind prefix (e.g. "case.decision") and the periodic tasks find the clocks past due by kind."""

from __future__ import annotations

__all__ = [
    "ACCEPTANCE_DAYS",
    "DEFAULT_DECISION_DAYS",
    "DELIVERY_DAYS",
    "KIND_ACCEPTANCE",
    "KIND_DECISION",
    "KIND_DELIVERY",
    "KIND_OPINION",
    "KIND_STEP",
    "KIND_WRITTEN",
    "WRITTEN_OPINION_DAYS",
]

KIND_ACCEPTANCE = "case.acceptance"
KIND_DECISION = "case.decision"
KIND_STEP = "case.step"
KIND_OPINION = "case.opinion"  # a step of a parallel stage: one department's opinion
KIND_WRITTEN = "case.written_opinion"
KIND_DELIVERY = "case.delivery"

ACCEPTANCE_DAYS = 5  # CAS-1: 行政许可法 第三十二条
DELIVERY_DAYS = 10  # CAS-3: 行政许可法 第四十四条
WRITTEN_OPINION_DAYS = 1  # CAS-7
DEFAULT_DECISION_DAYS = 20  # CAS-3: 行政许可法 第四十二条
