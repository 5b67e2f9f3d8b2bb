"""Sensitivity of the scores to each tunable constant: every numeric field halved and doubled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import BaseModel

from argus.evals.breakdown import Scores
from argus.evals.tuning import OutcomesOf, scores_on
from argus.evals.variants import one_at_a_time

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, kw_only=True)
class SensitivityRow:
    """The scores of one variant of the settings."""

    label: str  #: ``defaults`` or ``<field> x<factor>``
    changes: dict[str, float]  #: field -> value where it differs from the defaults
    scores: Scores  #: on every case


@dataclass(frozen=True, kw_only=True)
class Sensitivity:
    """The defaults' row first, then each variant; variants the model refused are listed."""

    rows: list[SensitivityRow]  #: defaults, then each field halved and doubled
    invalid: list[str] = field(default_factory=list)  #: refused variants, with why


def sensitivity(defaults: M, outcomes_of: OutcomesOf[M], case_ids: Sequence[str]) -> Sensitivity:
    """Score the defaults and each one-at-a-time variant on ``case_ids``."""
    variants = one_at_a_time(defaults)
    rows = [
        SensitivityRow(
            label=v.label,
            changes=v.changes,
            scores=scores_on(outcomes_of, v.settings, case_ids),
        )
        for v in [variants.defaults, *variants.scaled]
    ]
    return Sensitivity(rows=rows, invalid=variants.invalid)
