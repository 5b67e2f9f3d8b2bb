"""Choosing settings on some cases: defaults, one-at-a-time variants and one coordinate round.

The candidates are the defaults, each numeric field halved and doubled with the others at their
defaults (:func:`argus.evals.variants.one_at_a_time`), and one round of coordinate ascent: for
each field the best of its default, half and double on the training cases, all combined. The
candidate with the best :attr:`~argus.evals.breakdown.Scores.objective` on the training cases is
chosen; on a tie the earlier one wins, and the defaults come first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from argus.evals.breakdown import Scores
from argus.evals.scoring import Outcome
from argus.evals.variants import Variant, Variants, one_at_a_time, with_values

M = TypeVar("M", bound=BaseModel)

#: The outcome of every case under some settings, by case id.
OutcomesOf = Callable[[M], Mapping[str, Outcome]]


@dataclass(frozen=True, kw_only=True)
class Tried:
    """One candidate and its objective on the training cases."""

    label: str  #: the candidate's label
    objective: float  #: its objective on the training cases


@dataclass(frozen=True, kw_only=True)
class Choice(Generic[M]):
    """The settings chosen on some cases, and every candidate tried."""

    chosen: Variant[M]  #: the winner
    objective: float  #: its objective on the training cases
    defaults_objective: float  #: the defaults' objective on the same cases
    tried: list[Tried]  #: every candidate, in the order tried


def scores_on(outcomes_of: OutcomesOf[M], settings: M, case_ids: Sequence[str]) -> Scores:
    """The scores of ``settings`` on the cases ``case_ids`` only."""
    outcomes = outcomes_of(settings)
    return Scores.of(outcomes[case_id] for case_id in case_ids)


def coordinate_round(
    variants: Variants[M], objective: Callable[[Variant[M]], float]
) -> Variant[M] | None:
    """Per field the best of its default and its scaled values, combined; None when that is
    the defaults or a single variant already listed, or the model refuses the combination."""
    best: dict[str, tuple[float, Variant[M] | None]] = {}
    base = objective(variants.defaults)
    for variant in variants.scaled:
        (name,) = variant.changes
        score = objective(variant)
        if score > best.get(name, (base, None))[0]:
            best[name] = (score, variant)
    winners = [v for _, v in best.values() if v is not None]
    if len(winners) < 2:
        return None
    changes = {k: value for v in winners for k, value in v.changes.items()}
    try:
        settings = with_values(variants.defaults.settings, changes)
    except ValidationError:
        return None
    label = "combined: " + ", ".join(v.label for v in winners)
    return Variant(label=label, settings=settings, changes=changes)


def choose(defaults: M, outcomes_of: OutcomesOf[M], case_ids: Sequence[str]) -> Choice[M]:
    """The candidate with the best objective on ``case_ids`` (ties: the earlier; defaults first)."""
    variants = one_at_a_time(defaults)
    cache: dict[str, float] = {}

    def objective(variant: Variant[M]) -> float:
        if variant.label not in cache:
            cache[variant.label] = scores_on(outcomes_of, variant.settings, case_ids).objective
        return cache[variant.label]

    candidates = [variants.defaults, *variants.scaled]
    combined = coordinate_round(variants, objective)
    if combined is not None:
        candidates.append(combined)
    tried = [Tried(label=c.label, objective=objective(c)) for c in candidates]
    winner = candidates[0]
    for candidate in candidates[1:]:
        if objective(candidate) > objective(winner):
            winner = candidate
    return Choice(
        chosen=winner,
        objective=objective(winner),
        defaults_objective=objective(variants.defaults),
        tried=tried,
    )
