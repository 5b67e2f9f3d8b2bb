"""Splitting a window at its middle timestamp: the halves partition each file's lines by time."""

from __future__ import annotations

import gzip
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from argus.evals.halves import split_window, timed_lines
from argus.ingest.formats import LogFormat
from tests.conftest import SHARED_DATA
from tests.evals.synthetic import LOG_FORMAT, log_line, write_gz

NEZHA = SHARED_DATA / "incidents" / "nezha-tt-dev"
REAL_WINDOW = NEZHA / "tt-2023-01-29-0843-ts-contacts-service-return" / "baseline"


def _lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def test_halves_partition_the_lines_at_the_middle_and_keep_continuations(tmp_path: Path) -> None:
    start = datetime(2023, 5, 1, 12, 0)
    a = [log_line(start + timedelta(seconds=s), "ts-a", f"INFO c.A#1 step {s}") for s in range(60)]
    a.insert(31, "\tat com.example.Thing.run(Thing.java:42)")  # follows the 30 s line
    b = [log_line(start + timedelta(seconds=s), "ts-b", f"INFO c.B#1 tick {s}") for s in (50, 55)]
    write_gz(tmp_path / "in" / "ts-a.log.gz", a)
    write_gz(tmp_path / "in" / "ts-b.log.gz", b)

    files = [tmp_path / "in" / "ts-a.log.gz", tmp_path / "in" / "ts-b.log.gz"]
    split = split_window(files, LOG_FORMAT, tmp_path / "out")
    assert split is not None
    assert split.middle == start + timedelta(seconds=29.5)
    assert [p.name for p in split.first] == ["ts-a.log.gz"]  # ts-b has no early line
    assert [p.name for p in split.second] == ["ts-a.log.gz", "ts-b.log.gz"]
    first, second = _lines(split.first[0]), _lines(split.second[0])
    assert first + second == a
    assert len(first) == 30 and second[1].startswith("\tat com.example")
    assert _lines(split.second[1]) == b


def test_a_window_without_timestamps_is_not_split(tmp_path: Path) -> None:
    write_gz(tmp_path / "x.log.gz", ["no stamp here", "nor here"])
    assert split_window([tmp_path / "x.log.gz"], LOG_FORMAT, tmp_path / "out") is None


@pytest.mark.skipif(not REAL_WINDOW.is_dir(), reason=f"Nezha cases not found at {REAL_WINDOW}")
def test_a_real_baseline_file_splits_by_time(tmp_path: Path) -> None:
    source = REAL_WINDOW / "ts-station-service.log.gz"
    shutil.copy(source, tmp_path / source.name)
    split = split_window([tmp_path / source.name], LOG_FORMAT, tmp_path / "out")
    assert split is not None and split.first and split.second
    original = _lines(source)
    first, second = _lines(split.first[0]), _lines(split.second[0])
    assert first + second == original
    stamps = timed_lines(source, LogFormat.parse(LOG_FORMAT))["ts"].to_list()
    assert all(s < split.middle for s in stamps[: len(first)])
    assert all(s >= split.middle for s in stamps[len(first) :])
