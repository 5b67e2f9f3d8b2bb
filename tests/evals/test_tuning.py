"""Candidate settings: each numeric field halved and doubled, and one coordinate round."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, Field

from argus.config import DiagnosisSettings
from argus.evals.scoring import Outcome
from argus.evals.sensitivity import sensitivity
from argus.evals.tuning import choose
from argus.evals.variants import numeric_fields, one_at_a_time


class Knobs(BaseModel):
    """Two numeric fields, a bounded one among them, and two fields that are not tunable."""

    rate: float = Field(0.6, gt=0, lt=1)
    window: int = 5
    enabled: bool = True
    name: str = "x"


def test_only_numeric_fields_are_scaled_and_out_of_bounds_variants_are_refused() -> None:
    assert numeric_fields(Knobs()) == ["rate", "window"]
    variants = one_at_a_time(Knobs())
    assert variants.defaults.label == "defaults" and variants.defaults.settings == Knobs()
    found = {v.label: v.settings for v in variants.scaled}
    assert set(found) == {"rate x0.5", "window x0.5", "window x2"}
    assert found["rate x0.5"] == Knobs(rate=0.3)
    assert found["window x2"] == Knobs(window=10)
    assert isinstance(found["window x0.5"].window, int)
    assert len(variants.invalid) == 1 and variants.invalid[0].startswith("rate x2 = 1.2")


def test_every_numeric_diagnosis_setting_gets_both_variants_or_a_reason() -> None:
    defaults = DiagnosisSettings()
    variants = one_at_a_time(defaults)
    assert numeric_fields(defaults)  # the study needs at least one tunable constant
    for name in numeric_fields(defaults):
        for factor in ("x0.5", "x2"):
            label = f"{name} {factor}"
            scaled = [v for v in variants.scaled if v.label == label]
            refused = [i for i in variants.invalid if i.startswith(label)]
            assert len(scaled) + len(refused) == 1, label


def _outcome(case_id: str, hit: bool) -> Outcome:
    return Outcome(
        case_id=case_id,
        expected_module="db",
        expected_category="timeout",
        predicted_modules=["db"] if hit else ["api"],
        predicted_category="timeout",
        incident=True,
    )


def _each_field_helps_one_case(knobs: Knobs) -> Mapping[str, Outcome]:
    return {
        "a": _outcome("a", knobs.rate == 0.3),
        "b": _outcome("b", knobs.window == 10),
        "c": _outcome("c", True),
    }


def test_the_coordinate_round_combines_the_best_value_of_each_field() -> None:
    choice = choose(Knobs(), _each_field_helps_one_case, ["a", "b", "c"])
    assert choice.chosen.label == "combined: rate x0.5, window x2"
    assert choice.chosen.settings == Knobs(rate=0.3, window=10)
    singles = ["defaults", "rate x0.5", "window x0.5", "window x2"]
    assert [t.label for t in choice.tried] == [*singles, "combined: rate x0.5, window x2"]
    assert choice.objective > max(t.objective for t in choice.tried[:-1])


def test_choice_is_made_on_the_given_cases_only() -> None:
    choice = choose(Knobs(), _each_field_helps_one_case, ["b", "c"])
    assert choice.chosen.label == "window x2"  # case a (helped by rate) is not looked at


def test_sensitivity_lists_the_defaults_then_each_variant() -> None:
    found = sensitivity(Knobs(), _each_field_helps_one_case, ["a", "b", "c"])
    labels = [row.label for row in found.rows]
    assert labels == ["defaults", "rate x0.5", "window x0.5", "window x2"]
    at_1 = {row.label: round(row.scores.accuracy_at_1, 3) for row in found.rows}
    assert at_1 == {"defaults": 0.333, "rate x0.5": 0.667, "window x0.5": 0.333, "window x2": 0.667}
    assert found.invalid and found.invalid[0].startswith("rate x2")
