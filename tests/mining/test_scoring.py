"""Loghub-2.0 metrics on small hand-made cases."""

from __future__ import annotations

import pytest

from argus.mining.scoring import (
    ParsingScores,
    f1_grouping_accuracy,
    grouping_accuracy,
    parsing_accuracy,
    score,
)

TRUTH = ["A", "A", "B", "B", "C"]


def test_perfect_grouping_with_other_labels() -> None:
    predicted = [1, 1, 2, 2, 3]
    assert grouping_accuracy(TRUTH, predicted) == 1.0
    assert f1_grouping_accuracy(TRUTH, predicted) == 1.0


def test_a_merged_group_fails_both_truth_groups() -> None:
    predicted = ["x", "x", "x", "x", "y"]
    assert grouping_accuracy(TRUTH, predicted) == pytest.approx(1 / 5)
    # 1 correct group of 2 predicted and 3 true: P = 1/2, R = 1/3.
    assert f1_grouping_accuracy(TRUTH, predicted) == pytest.approx(0.4)


def test_a_split_group_fails_only_itself() -> None:
    predicted = ["x", "z", "y", "y", "w"]
    assert grouping_accuracy(TRUTH, predicted) == pytest.approx(3 / 5)
    # 2 correct groups of 4 predicted and 3 true: P = 1/2, R = 2/3.
    assert f1_grouping_accuracy(TRUTH, predicted) == pytest.approx(2 * (1 / 2) * (2 / 3) / (7 / 6))


def test_nothing_correct() -> None:
    predicted = ["x", "y", "x", "y", "x"]
    assert grouping_accuracy(TRUTH, predicted) == 0.0
    assert f1_grouping_accuracy(TRUTH, predicted) == 0.0


def test_parsing_accuracy_normalises_whitespace() -> None:
    truth = ["a <*> b", "a <*> b", "c <*>"]
    predicted = [" a  <*>  b ", "a b <*>", "c <*>"]
    assert parsing_accuracy(truth, predicted) == pytest.approx(2 / 3)


def test_score_bundles_the_three_figures() -> None:
    truth = ["a <*>", "a <*>", "b"]
    assert score(truth, ["a <*>", "a <*>", "b"]) == ParsingScores(ga=1.0, fga=1.0, pa=1.0)
    result = score(truth, ["a <*>", "a 1", "b"])
    assert result.ga == pytest.approx(1 / 3)
    assert result.pa == pytest.approx(2 / 3)


def test_empty_and_mismatched_inputs() -> None:
    assert grouping_accuracy([], []) == 0.0
    assert parsing_accuracy([], []) == 0.0
    with pytest.raises(ValueError, match="length"):
        grouping_accuracy(["a"], [])
    with pytest.raises(ValueError, match="length"):
        parsing_accuracy(["a"], [])
