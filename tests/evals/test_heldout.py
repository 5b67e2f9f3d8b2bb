"""Leave one day out: days from batch timestamps, settings chosen on the other days only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import polars as pl
from pydantic import BaseModel, Field

from argus.evals.cases import Case, Expected
from argus.evals.heldout import UNKNOWN_DAY, batch_day, days_of, leave_one_day_out
from argus.evals.prepared import PreparedCase
from argus.evals.scoring import Outcome
from argus.evals.stats_cache import MinedStats
from argus.mining.pass2 import empty_buckets
from argus.tools.digest import BatchStats


def _stats(*first: datetime | None) -> BatchStats:
    rows = pl.DataFrame(
        {"first_ts": list(first), "last_ts": list(first)},
        schema={"first_ts": pl.Datetime("us"), "last_ts": pl.Datetime("us")},
    )
    buckets = pl.concat([empty_buckets(), rows], how="diagonal_relaxed")
    return BatchStats(buckets=buckets)


def _prepared(case_id: str, stats: BatchStats) -> PreparedCase:
    case = Case(
        id=case_id,
        path=Path("."),
        system="s",
        log_format=None,
        expected=Expected(root_cause_module="m", category="timeout"),
        logs=(Path("a.log"),),
        notes="2031-12-31: notes and ids never decide the day",
    )
    return PreparedCase(case=case, stats=MinedStats(current=stats, baseline=None))


def test_the_day_is_the_date_of_the_earliest_timestamp_not_of_the_first_row() -> None:
    late, early = datetime(2023, 1, 30, 0, 1), datetime(2023, 1, 29, 23, 59)
    assert batch_day(_stats(late, None, early)) == "2023-01-29"
    assert batch_day(_stats(None)) == UNKNOWN_DAY
    assert batch_day(BatchStats(buckets=empty_buckets())) == UNKNOWN_DAY


def test_cases_are_grouped_by_batch_day_in_date_order() -> None:
    prepared = [
        _prepared("2023-01-29-x", _stats(datetime(2023, 1, 30, 9))),
        _prepared("b", _stats(datetime(2023, 1, 29, 8))),
        _prepared("c", _stats(datetime(2023, 1, 30, 23, 59))),
    ]
    assert days_of(prepared) == {"2023-01-29": ["b"], "2023-01-30": ["2023-01-29-x", "c"]}


class Knobs(BaseModel):
    """A stand-in for DiagnosisSettings: two numeric fields and two that are not tunable."""

    rate: float = Field(0.1, gt=0, lt=1)
    window: int = 4
    enabled: bool = True
    name: str = "x"


DAYS = {"mon": ["m1", "m2", "m3"], "tue": ["t1", "t2"]}


def _hit(case_id: str, ok: bool) -> Outcome:
    return Outcome(
        case_id=case_id,
        expected_module="db",
        expected_category="timeout",
        predicted_modules=["db"] if ok else ["api", "web", "cache"],
        predicted_category="timeout" if ok else "resource_cpu",
        incident=True,
    )


def _outcomes(knobs: Knobs) -> Mapping[str, Outcome]:
    """Monday's cases are found only with rate 0.2 (doubled); Tuesday's only with the defaults."""
    monday_ok = knobs.rate == 0.2
    tuesday_ok = knobs == Knobs()
    return {
        **{c: _hit(c, monday_ok) for c in DAYS["mon"]},
        **{c: _hit(c, tuesday_ok) for c in DAYS["tue"]},
    }


def test_the_setting_that_helps_the_training_day_is_chosen_and_scored_on_the_other_day() -> None:
    held = leave_one_day_out(DAYS, Knobs(), _outcomes)
    by_day = {f.day: f for f in held.folds}
    assert set(by_day) == {"mon", "tue"}  # both directions

    trained_on_monday = by_day["tue"]
    assert trained_on_monday.train_cases == DAYS["mon"]
    assert trained_on_monday.held_out_cases == DAYS["tue"]
    assert trained_on_monday.choice.chosen.label == "rate x2"
    assert trained_on_monday.choice.chosen.changes == {"rate": 0.2}
    assert trained_on_monday.choice.objective == 3.0 > trained_on_monday.choice.defaults_objective
    # Only Tuesday's two cases are scored, with Monday's choice: they all fail.
    assert trained_on_monday.held_out.cases == 2
    assert trained_on_monday.held_out.accuracy_at_1 == 0.0
    assert trained_on_monday.held_out_defaults.accuracy_at_1 == 1.0

    trained_on_tuesday = by_day["mon"]
    assert trained_on_tuesday.choice.chosen.label == "defaults"
    assert trained_on_tuesday.held_out.cases == 3
    assert trained_on_tuesday.held_out.accuracy_at_1 == 0.0

    assert held.pooled.cases == 5 and held.pooled.accuracy_at_1 == 0.0


def test_ties_keep_the_defaults_and_one_day_has_nothing_to_hold_out() -> None:
    def same(knobs: Knobs) -> Mapping[str, Outcome]:
        return {c: _hit(c, True) for ids in DAYS.values() for c in ids}

    held = leave_one_day_out(DAYS, Knobs(), same)
    assert [f.choice.chosen.label for f in held.folds] == ["defaults", "defaults"]
    assert held.pooled.accuracy_at_1 == 1.0
    single = leave_one_day_out({"mon": DAYS["mon"]}, Knobs(), same)
    assert single.folds == [] and single.pooled.cases == 0
