"""Prepared cases: mined like graph_diagnose mines them, cached, re-scored without mining."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from argus.config import DiagnosisSettings, Settings
from argus.evals.cases import load_case
from argus.evals.diagnose import graph_diagnose
from argus.evals.offline import count_all, engine_for, mine_all
from argus.evals.prepared import PrepareStep, count_batch, prepare_cases, unmatched_share
from argus.evals.rescore import Rescorer
from argus.evals.runner import outcome_of
from argus.evals.stats_cache import StatsCache, cache_key, file_stamps
from argus.mining.engine import MiningEngine
from tests.evals.synthetic import write_case
from tests.graph.remine_logs import write_log

FAULTY = "ts-beta-service"


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    return write_case(tmp_path / "cases", "one", datetime(2023, 3, 1, 10, 0), fault_in=FAULTY)


def test_rescored_outcome_is_the_eval_outcome_of_the_rule_path(case_dir: Path) -> None:
    case, settings = load_case(case_dir), Settings()
    [prepared] = prepare_cases([case], settings, StatsCache(None))
    rescored = Rescorer([prepared]).outcomes(DiagnosisSettings())[case.id]
    evaluated = outcome_of(case, graph_diagnose(case, settings), 0.0)
    assert rescored.error is None and rescored.incident
    assert rescored.predicted_modules == evaluated.predicted_modules
    assert rescored.predicted_category == evaluated.predicted_category
    assert rescored.incident == evaluated.incident


def test_cached_stats_are_reused_and_a_touched_file_is_mined_again(
    case_dir: Path, tmp_path: Path
) -> None:
    case, settings = load_case(case_dir), Settings()
    cache = StatsCache(tmp_path / "cache")
    steps: list[PrepareStep] = []
    first = prepare_cases([case], settings, cache, progress=steps.append)
    again = prepare_cases([case], settings, cache, progress=steps.append)
    assert [s.cached for s in steps] == [False, True]
    assert again[0].stats.current.buckets.equals(first[0].stats.current.buckets)

    alone = prepare_cases([case], settings, cache, use_baseline=False, progress=steps.append)
    assert steps[-1].cached is False and alone[0].stats.baseline is None

    before = cache_key("case", settings, case.log_format, file_stamps(case.logs))
    stat = case.logs[0].stat()
    os.utime(case.logs[0], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert cache_key("case", settings, case.log_format, file_stamps(case.logs)) != before
    prepare_cases([case], settings, cache, progress=steps.append)
    assert steps[-1].cached is False
    refresh = StatsCache(tmp_path / "cache", read=False)
    prepare_cases([case], settings, refresh, progress=steps.append)
    assert steps[-1].cached is False


def test_an_unreadable_cache_entry_counts_as_absent(case_dir: Path, tmp_path: Path) -> None:
    case, settings = load_case(case_dir), Settings()
    cache = StatsCache(tmp_path / "cache")
    prepare_cases([case], settings, cache)
    [entry] = (tmp_path / "cache").glob("*.pkl")
    entry.write_bytes(b"not a pickle")
    steps: list[PrepareStep] = []
    prepare_cases([case], settings, cache, progress=steps.append)
    assert steps[-1].cached is False


def test_a_batch_mostly_unmatched_is_counted_again_after_pass_1_learns_its_misses(
    tmp_path: Path,
) -> None:
    baseline = write_log(tmp_path / "quiet.log.gz", 3_000, seed=1)
    batch = write_log(tmp_path / "failing.log.gz", 3_000, seed=2, failing_share=0.4)

    def engine_knowing_the_baseline() -> MiningEngine:
        engine = engine_for(Settings(), None)
        mine_all(engine, [baseline])  # the batch is not mined: its new shapes match nothing
        return engine

    before = count_all(engine_knowing_the_baseline(), [batch])
    assert unmatched_share(before) > 0.3
    stats, remined = count_batch(engine_knowing_the_baseline(), [batch], 0.1)
    assert remined and int(stats.buckets["count"].sum()) > int(before.stats.buckets["count"].sum())
    kept, remined = count_batch(engine_knowing_the_baseline(), [batch], 0.9)
    assert not remined and kept.buckets["count"].sum() == before.stats.buckets["count"].sum()
