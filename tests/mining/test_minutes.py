"""Minute buckets: the fast fixed-width minute key never merges two minutes."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from argus.config import MiningSettings
from argus.ingest.formats import LogFormat
from argus.mining.engine import MiningEngine
from argus.mining.library import MemoryTemplateStore
from argus.mining.minutes import MinuteKeys


def test_fixed_width_stamps_are_cut_and_others_fall_back_to_the_regex() -> None:
    keys = MinuteKeys()
    fixed = pl.Series(["2026-01-01 10:00:59.1", "2026-01-01 10:01:00.0"])
    cut, was_fixed = keys.of(fixed)
    assert was_fixed and cut.to_list() == ["2026-01-01 10:00", "2026-01-01 10:01"]
    mixed = pl.Series(["2026-01-01 10:00:59.1", "2026-01-01 9:01:00.00"])
    cut, was_fixed = keys.of(mixed)
    assert not was_fixed and cut.to_list() == ["2026-01-01 10:00", "2026-01-01 9:01"]


def test_buckets_count_each_minute_whatever_the_stamp_widths(tmp_path: Path) -> None:
    stamps = ["Jun 9 09:59:58", "Jun 9 09:59:59", "Jun 9 10:00:01", "Jun 10 00:00:02"] * 3
    path = tmp_path / "a.log"
    path.write_text("".join(f"{ts} host app: request {i} done\n" for i, ts in enumerate(stamps)))
    fmt = LogFormat.parse("<Month> <Date> <Time> <Node> <Component>: <Content>")
    engine = MiningEngine(MemoryTemplateStore(), MiningSettings(), fmt)
    run = engine.process(path)
    buckets = run.pass2.buckets.sort("minute")
    assert buckets["count"].to_list() == [6, 3, 3]
    assert [m.strftime("%d %H:%M") for m in buckets["minute"]] == [
        "09 09:59",
        "09 10:00",
        "10 00:00",
    ]
