"""Tail probabilities and the bar: the one scale every signal is judged on."""

from __future__ import annotations

import math

import pytest

from argus.tools.surprise import bar, binomial_tail, rate_tail, share_tail, z_of


def test_rate_tail_sums_to_the_predictive_mean() -> None:
    """E[X] = sum of P(X >= k): (baseline count + 1/2) x scale under Jeffreys' prior."""
    mean = sum(rate_tail(k, 3, 2.0) for k in range(1, 400))
    assert mean == pytest.approx(3.5 * 2.0, rel=1e-6)


def test_share_tail_is_a_distribution_and_a_short_baseline_is_less_sure() -> None:
    total = share_tail(0, 20, 2, 40) - share_tail(21, 20, 2, 40)
    assert total == pytest.approx(1.0)
    # 8 of 14 new requests novel: against 0 of 15 baseline requests, less surprising than
    # against 0 of 150
    assert share_tail(8, 14, 0, 15) > share_tail(8, 14, 0, 150) * 100


def test_binomial_tail_matches_its_definition() -> None:
    exact = sum(math.comb(10, k) * 0.2**k * 0.8 ** (10 - k) for k in range(4, 11))
    assert binomial_tail(4, 10, 0.2) == pytest.approx(exact)


def test_z_of_is_the_normal_quantile_and_never_negative() -> None:
    assert z_of(0.5) == 0.0 and z_of(0.9) == 0.0
    assert z_of(0.001) == pytest.approx(3.09, abs=0.01)


def test_the_bar_rises_with_the_number_of_tests() -> None:
    assert bar(0.01, 1) == pytest.approx(2.326, abs=0.01)
    assert bar(0.01, 10) < bar(0.01, 100) < bar(0.01, 1000)
