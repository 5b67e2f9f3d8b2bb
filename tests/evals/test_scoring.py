"""Scores: accuracy@k, categories, false alarms, ID-based retrieval, percentiles."""

from __future__ import annotations

import pytest

from argus.evals.scoring import (
    Outcome,
    accuracy_at,
    category_accuracy,
    false_alarms,
    macro_f1,
    percentile,
    retrieval,
)


def _o(exp: str | None, cat: str, pred: list[str], pcat: str, **kw: object) -> Outcome:
    return Outcome(
        case_id="c",
        expected_module=exp,
        predicted_modules=pred,
        incident=bool(pred),
        expected_category=cat,
        predicted_category=pcat,
        **kw,  # type: ignore[arg-type]
    )


OUTCOMES = [
    _o("a", "code_exception", ["a", "b"], "code_exception"),
    _o("b", "code_exception", ["a", "c", "b"], "resource_cpu"),
    _o("c", "resource_cpu", ["a", "b", "d", "c"], "resource_cpu"),
    _o(None, "none", [], "none"),
]


def test_accuracy_at_k_counts_none_cases_without_incident_as_hits() -> None:
    assert accuracy_at(OUTCOMES, 1) == 0.5
    assert accuracy_at(OUTCOMES, 3) == 0.75
    assert accuracy_at(OUTCOMES, 4) == 1.0


def test_category_accuracy_and_macro_f1() -> None:
    assert category_accuracy(OUTCOMES) == 0.75
    f1, per = macro_f1(OUTCOMES)
    assert per == {
        "code_exception": pytest.approx(2 / 3),
        "none": 1.0,
        "resource_cpu": pytest.approx(2 / 3),
    }
    assert f1 == pytest.approx((2 / 3 + 1 + 2 / 3) / 3)


def test_false_alarm_is_an_incident_on_a_none_case() -> None:
    assert false_alarms(OUTCOMES) == 0
    alarm = _o(None, "none", ["a"], "code_exception")
    assert false_alarms([*OUTCOMES, alarm]) == 1
    assert accuracy_at([alarm], 1) == 0.0


def test_failed_case_scores_nothing() -> None:
    failed = _o("a", "code_exception", ["a"], "code_exception", error="boom")
    assert accuracy_at([failed], 1) == 0.0 and category_accuracy([failed]) == 0.0


def test_id_based_retrieval_precision_and_recall() -> None:
    scored = [
        _o("a", "x", ["a"], "x", expected_knowledge=["k1", "k2"], retrieved_knowledge=["k1", "k9"]),
        _o("a", "x", ["a"], "x", expected_knowledge=["k3"], retrieved_knowledge=[]),
        _o("a", "x", ["a"], "x"),  # no expected ids: not scored
    ]
    precision, recall = retrieval(scored)
    assert precision == pytest.approx(0.25) and recall == pytest.approx(0.25)
    assert retrieval(OUTCOMES) == (None, None)


def test_percentiles_interpolate() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)


def test_localisation_counts_a_ranking_without_incident_but_strict_does_not() -> None:
    from argus.evals.scoring import detection_rate, strict_accuracy_at

    quiet = Outcome(
        case_id="q",
        expected_module="a",
        expected_category="code_exception",
        predicted_modules=["a"],
        predicted_category="none",
        incident=False,
    )
    assert accuracy_at([quiet], 1) == 1.0
    assert strict_accuracy_at([quiet], 1) == 0.0
    assert detection_rate([quiet, OUTCOMES[0], OUTCOMES[3]]) == 0.5
