"""The self-check: baseline windows deduplicated by content, each split and diagnosed both ways."""

from __future__ import annotations

import gzip
import shutil
from datetime import datetime
from pathlib import Path

from argus.config import DiagnosisSettings, Settings
from argus.evals.cases import load_cases
from argus.evals.selfcheck import DIRECTIONS, distinct_windows, self_check
from argus.evals.stats_cache import StatsCache
from tests.evals.synthetic import write_case


def test_shared_baselines_are_one_window_and_each_window_is_diagnosed_both_ways(
    tmp_path: Path,
) -> None:
    root = tmp_path / "cases"
    write_case(root, "a", datetime(2023, 3, 1, 10, 0), fault_in="ts-beta-service", seed=1)
    write_case(root, "b", datetime(2023, 3, 1, 12, 0), fault_in=None, seed=2)
    write_case(root, "c", datetime(2023, 3, 2, 9, 0), fault_in=None, seed=3)
    shutil.rmtree(root / "b" / "baseline")
    shutil.copytree(root / "a" / "baseline", root / "b" / "baseline")  # same bytes as a's
    shutil.rmtree(root / "c" / "baseline")  # no baseline: no window
    cases = load_cases(root)

    windows = distinct_windows(cases)
    assert [w.cases for w in windows] == [("a", "b")]
    assert windows[0].files == cases[0].baseline

    write_case(root, "d", datetime(2023, 3, 3, 9, 0), fault_in=None, seed=4)
    check = self_check(load_cases(root), Settings(), StatsCache(None), DiagnosisSettings())
    assert check.windows == 2 and not check.unsplit
    assert [(d.cases, d.direction) for d in check.diagnoses] == [
        (cases_of, direction) for cases_of in (("a", "b"), ("d",)) for direction in DIRECTIONS
    ]
    assert all(d.error is None for d in check.diagnoses)


def test_the_same_lines_gzipped_twice_are_one_window(tmp_path: Path) -> None:
    """Two cases whose baselines hold the same lines in differently compressed files (another
    gzip header time, another level) share one window: deduplicated by lines, not bytes."""
    root = tmp_path / "cases"
    write_case(root, "a", datetime(2023, 3, 1, 10, 0), fault_in="ts-beta-service", seed=1)
    write_case(root, "b", datetime(2023, 3, 1, 12, 0), fault_in=None, seed=2)
    for theirs in sorted((root / "b" / "baseline").iterdir()):
        theirs.unlink()
    for ours in sorted((root / "a" / "baseline").iterdir()):
        lines = gzip.decompress(ours.read_bytes())
        again = gzip.compress(lines, compresslevel=1, mtime=12345)
        assert again != ours.read_bytes()
        (root / "b" / "baseline" / ours.name).write_bytes(again)

    windows = distinct_windows(load_cases(root))
    assert [w.cases for w in windows] == [("a", "b")]
