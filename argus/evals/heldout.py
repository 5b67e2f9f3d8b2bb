"""Leave one day out: settings chosen on the other days' cases, scored on the day held out.

A case's day is the calendar date of its batch's first timestamp (the earliest ``first_ts`` of
its minute buckets), never its id or notes. For each day, :func:`argus.evals.tuning.choose` picks
settings on the cases of every other day, and those settings are scored on that day's cases
alone; the held-out outcomes of all days together give the held-out score of the method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel

from argus.evals.breakdown import Scores
from argus.evals.prepared import PreparedCase
from argus.evals.scoring import Outcome
from argus.evals.tuning import Choice, OutcomesOf, choose, scores_on
from argus.tools.digest import BatchStats

M = TypeVar("M", bound=BaseModel)

#: The day of a batch without any timestamp.
UNKNOWN_DAY = "unknown"


@dataclass(frozen=True, kw_only=True)
class Fold(Generic[M]):
    """One day held out."""

    day: str  #: the day held out (ISO date)
    train_cases: list[str]  #: the other days' cases, on which the settings were chosen
    held_out_cases: list[str]  #: the day's cases, on which they are scored
    choice: Choice[M]  #: the settings chosen and every candidate tried
    held_out: Scores  #: the chosen settings on the held-out cases
    held_out_defaults: Scores  #: the defaults on the same cases


@dataclass(frozen=True, kw_only=True)
class HeldOut(Generic[M]):
    """Every fold, and the held-out outcomes of all of them scored together."""

    days: dict[str, list[str]]  #: case ids per day
    folds: list[Fold[M]]  #: one per day (none when there are fewer than two days)
    pooled: Scores  #: each case scored with the settings chosen without its day


def batch_day(stats: BatchStats) -> str:
    """The ISO date of the batch's first timestamp (:data:`UNKNOWN_DAY` when it has none)."""
    buckets = stats.buckets
    if buckets.is_empty() or "first_ts" not in buckets.columns:
        return UNKNOWN_DAY
    first = buckets["first_ts"].min()
    return first.date().isoformat() if isinstance(first, datetime) else UNKNOWN_DAY


def days_of(prepared: Sequence[PreparedCase]) -> dict[str, list[str]]:
    """Case ids per day of their batch, days in order."""
    days: dict[str, list[str]] = {}
    for one in prepared:
        days.setdefault(batch_day(one.stats.current), []).append(one.case.id)
    return dict(sorted(days.items()))


def fold(
    day: str, days: Mapping[str, Sequence[str]], defaults: M, outcomes_of: OutcomesOf[M]
) -> Fold[M]:
    """Choose settings on every day but ``day``; score them on ``day``'s cases."""
    train = [case_id for other, ids in days.items() if other != day for case_id in ids]
    test = list(days[day])
    choice = choose(defaults, outcomes_of, train)
    return Fold(
        day=day,
        train_cases=train,
        held_out_cases=test,
        choice=choice,
        held_out=scores_on(outcomes_of, choice.chosen.settings, test),
        held_out_defaults=scores_on(outcomes_of, defaults, test),
    )


def leave_one_day_out(
    days: Mapping[str, Sequence[str]], defaults: M, outcomes_of: OutcomesOf[M]
) -> HeldOut[M]:
    """A fold per day (each direction); with fewer than two days there is nothing to hold out."""
    folds = [fold(day, days, defaults, outcomes_of) for day in days] if len(days) > 1 else []
    pooled: list[Outcome] = []
    for one in folds:
        outcomes = outcomes_of(one.choice.chosen.settings)
        pooled.extend(outcomes[case_id] for case_id in one.held_out_cases)
    return HeldOut(
        days={day: list(ids) for day, ids in days.items()}, folds=folds, pooled=Scores.of(pooled)
    )
