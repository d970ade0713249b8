"""Honest uncertainty for scores built on samples (B8; architecture: "publish statistics honestly").

- A rate (satisfied ratings, on-time replies, "fulfilled" votes) gets the 95% Wilson score interval,
  which stays inside [0, 1] and is sensible for small n and for rates near 0 or 1.
- A mean (panel scores, survey answers, monthly index scores) gets the 95% Student t interval
  (normal beyond 30 degrees of freedom); a single value has no interval (n = 1: shown as such).
- Counts of events that are a census, not a sample (red cards, interviews), have no sampling error.

Pure functions, no database: tested on their own (tests/test_intervals.py).
"""

from __future__ import annotations

__all__ = [
    "Z95",
    "Measure",
    "bands",
    "combine",
    "mean_interval",
    "t_critical",
    "wilson",
]

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

Z95 = 1.959963984540054

# two-sided 95% Student t critical values for 1..30 degrees of freedom
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_critical(df: int) -> float:
    if df < 1:
        raise ValueError("degrees of freedom must be positive")
    return _T95[df - 1] if df <= len(_T95) else Z95


@dataclass(frozen=True)
class Measure:
    """One indicator's value for one unit on a 0–100 scale (higher is better), the sample size
    behind it and its 95% interval (`lower` == `upper` == `value` when there is no sampling error).
    `value` None means no data: the indicator's weight goes to its siblings and the unit's coverage
    shows it."""

    value: float | None
    n: int = 0
    lower: float | None = None
    upper: float | None = None
    method: str = "census"  # "wilson", "t", "census", "single", "none"
    raw: dict[str, float | int] = field(default_factory=dict)

    @property
    def half_width(self) -> float:
        if self.value is None or self.lower is None or self.upper is None:
            return 0.0
        return (self.upper - self.lower) / 2

    def as_dict(self) -> dict[str, object]:
        return {
            "value": None if self.value is None else round(self.value, 2),
            "n": self.n,
            "lower": None if self.lower is None else round(self.lower, 2),
            "upper": None if self.upper is None else round(self.upper, 2),
            "method": self.method,
            "raw": self.raw,
        }

    @classmethod
    def none(cls) -> Measure:
        return cls(value=None, n=0, method="none")

    @classmethod
    def census(cls, value: float, n: int, **raw: float | int) -> Measure:
        v = max(0.0, min(100.0, value))
        return cls(value=v, n=n, lower=v, upper=v, method="census", raw=dict(raw))


def wilson(successes: int, n: int, **raw: float | int) -> Measure:
    """A rate in percent with its 95% Wilson score interval; no data for n = 0."""
    if n <= 0:
        return Measure.none()
    if not 0 <= successes <= n:
        raise ValueError("successes must lie in [0, n]")
    p = successes / n
    z2 = Z95 * Z95
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return Measure(
        value=100 * p,
        n=n,
        lower=max(0.0, 100 * (centre - half)),
        upper=min(100.0, 100 * (centre + half)),
        method="wilson",
        raw={"successes": successes, **raw},
    )


def mean_interval(values: Sequence[float], *, low: float = 0.0, high: float = 100.0) -> Measure:
    """The mean of scores on [low, high] with its 95% t interval (clipped to the scale)."""
    n = len(values)
    if n == 0:
        return Measure.none()
    m = sum(values) / n
    if n == 1:
        return Measure(value=m, n=1, lower=low, upper=high, method="single")
    var = sum((x - m) ** 2 for x in values) / (n - 1)
    half = t_critical(n - 1) * math.sqrt(var / n)
    return Measure(value=m, n=n, lower=max(low, m - half), upper=min(high, m + half), method="t")


def mean_from_moments(n: int, total: float, total_sq: float, *, low: float = 0.0, high: float = 100.0) -> Measure:
    """`mean_interval` from aggregates (count, sum, sum of squares) computed by the database."""
    if n <= 0:
        return Measure.none()
    m = total / n
    if n == 1:
        return Measure(value=m, n=1, lower=low, upper=high, method="single")
    var = max(0.0, (total_sq - n * m * m) / (n - 1))
    half = t_critical(n - 1) * math.sqrt(var / n)
    return Measure(value=m, n=n, lower=max(low, m - half), upper=min(high, m + half), method="t")


def combine(parts: Sequence[tuple[float, Measure]]) -> tuple[Measure, float]:
    """The weighted composite of `parts` ((weight, measure) with weights summing to 100) and its 95%
    interval, treating the parts as independent: each part's standard error is its half-width / z.
    A part without data is left out and the others' weights are scaled up; the second value is the
    weight that had data (the coverage, 0–100). A single-value part (n = 1, e.g. one panel member)
    carries the whole scale as its interval: one opinion is not a measurement."""
    have = [(w, m) for w, m in parts if m.value is not None]
    coverage = sum(w for w, _m in have)
    if not have or coverage <= 0:
        return Measure.none(), 0.0
    value = sum(w * (m.value or 0.0) for w, m in have) / coverage
    var = sum((w / coverage) ** 2 * (m.half_width / Z95) ** 2 for w, m in have)
    half = Z95 * math.sqrt(var)
    n = min(m.n for _w, m in have)
    return (
        Measure(value=value, n=n, lower=max(0.0, value - half), upper=min(100.0, value + half), method="composite"),
        coverage,
    )


def bands(intervals: Sequence[tuple[float, float, float]]) -> list[tuple[int, int, int]]:
    """Rank bands for (value, lower, upper) triples, best first (B8: units whose intervals overlap
    are tied, not ranked as if they differed).

    Sorted by value, a band opens with its best unit and takes every following unit whose interval
    still overlaps that leader's (upper ≥ the leader's lower); the next unit that does not opens a new
    band. Returns, per input position, (band number from 1, first rank, last rank) where the ranks
    are the positions the band spans (competition ranking: 1, 1, 1, 4 …)."""
    order = sorted(range(len(intervals)), key=lambda i: -intervals[i][0])
    out: list[tuple[int, int, int]] = [(0, 0, 0)] * len(intervals)
    band = 0
    pos = 0
    while pos < len(order):
        band += 1
        leader_lower = intervals[order[pos]][1]
        end = pos + 1
        while end < len(order) and intervals[order[end]][2] >= leader_lower:
            end += 1
        for k in range(pos, end):
            out[order[k]] = (band, pos + 1, end)
        pos = end
    return out
