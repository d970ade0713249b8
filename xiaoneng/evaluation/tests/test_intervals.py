# mypy: disable-error-code="operator,union-attr,misc,attr-defined"
# (tests read optional scores and clocks that the assertions themselves check)
"""B8: intervals and rank bands (pure)."""

from __future__ import annotations

import math

import pytest

from xiaoneng.evaluation.intervals import Measure, bands, combine, mean_interval, t_critical, wilson


def test_wilson_matches_the_textbook_values():
    # 8 of 10: Wilson 95% interval is [0.490, 0.943]
    m = wilson(8, 10)
    assert m.value == 80
    assert m.lower == pytest.approx(49.0, abs=0.1)
    assert m.upper == pytest.approx(94.3, abs=0.1)
    # all successes: the interval stays inside the scale and is not degenerate
    full = wilson(5, 5)
    assert full.upper == 100
    assert full.lower < 60


def test_wilson_no_data_and_bad_counts():
    assert wilson(0, 0).value is None
    with pytest.raises(ValueError, match="successes must lie"):
        wilson(3, 2)


def test_mean_interval_uses_t_for_small_samples():
    m = mean_interval([80, 90, 85, 95])
    assert m.value == 87.5
    sd = math.sqrt(sum((x - 87.5) ** 2 for x in [80, 90, 85, 95]) / 3)
    assert m.upper - m.value == pytest.approx(t_critical(3) * sd / 2)
    one = mean_interval([70])
    assert one.method == "single"
    assert (one.lower, one.upper) == (0, 100)
    assert t_critical(100) == pytest.approx(1.96, abs=0.01)


def test_combine_scales_weights_without_data_and_widens_with_uncertainty():
    a = Measure(value=80, n=100, lower=75, upper=85, method="t")
    b = Measure.none()
    m, coverage = combine([(60, a), (40, b)])
    assert coverage == 60
    assert m.value == pytest.approx(80)
    assert m.lower == pytest.approx(75, abs=0.01)
    assert combine([(100, b)])[0].value is None


def test_overlapping_intervals_share_a_band_and_a_rank():
    # given A clearly best, B and C overlapping, D clearly last
    triples = [(95, 93, 97), (80, 75, 85), (78, 72, 84), (50, 48, 52)]
    # when banded
    out = bands(triples)
    # then B and C tie (ranks 2–3), D is alone in the last band
    assert out[0] == (1, 1, 1)
    assert out[1] == (2, 2, 3)
    assert out[2] == (2, 2, 3)
    assert out[3] == (3, 4, 4)


def test_all_overlapping_means_no_last_place():
    out = bands([(80, 60, 100), (70, 50, 90), (60, 40, 80)])
    assert {b for b, _f, _l in out} == {1}
