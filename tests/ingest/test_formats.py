"""log_format parsing: logpai syntax, reserved fields, the fast path agrees with the exact regex."""

from __future__ import annotations

import polars as pl
import pytest

from argus.errors import FormatError
from argus.ingest.formats import COLUMNS, LogFormat
from tests.conftest import SHARED_DATA

HDFS = "<Date> <Time> <Pid> <Level> <Component>: <Content>"


def test_bracket_default_maps_every_column() -> None:
    fmt = LogFormat.parse(None)
    row = fmt.parse_line("[2026-01-01 10:00:00.123][ERROR][T7][payment][pool] Timeout after 30 s")
    assert row == {
        "ts": "2026-01-01 10:00:00.123",
        "level": "ERROR",
        "thread": "T7",
        "mod": "payment",
        "smod": "pool",
        "content": "Timeout after 30 s",
    }


def test_reserved_names_and_joined_timestamp() -> None:
    fmt = LogFormat.parse(HDFS)
    row = fmt.parse_line("081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1")
    assert row is not None
    assert (row["ts"], row["thread"], row["mod"]) == (
        "081109 203615",
        "148",
        "dfs.DataNode$PacketResponder",
    )
    assert row["content"] == "PacketResponder 1"


@pytest.mark.parametrize("spec", ["<Date> <Time>", "<A> <A> <Content>", "<bad name> <Content>"])
def test_bad_formats_are_refused(spec: str) -> None:
    with pytest.raises(FormatError):
        LogFormat.parse(spec)


def test_line_without_header_is_not_a_record() -> None:
    frame = LogFormat.parse(HDFS).parse_frame(pl.Series(["   at java.lang.Thread.run"]))
    assert frame["content"].to_list() == [None]


TRICKY = [
    "[2026-01-01 10:00:00][INFO][T1][a][b] plain",
    "[2026-01-01 10:00:00][INFO][T1][a][b]   leading spaces kept in content",
    "[2026-01-01 10:00:00][INFO][T[1]][a][b] a bracket inside a field",  # fast path fails here
    "[2026-01-01 10:00:00][INFO][T1][a][b]",
    "no header at all",
    "  [2026-01-01 10:00:00][WARN][T2][m][s] indented line",
]


def test_fast_and_exact_parsing_agree() -> None:
    fmt = LogFormat.parse(None)
    frame = fmt.parse_frame(pl.Series(TRICKY))
    for i, line in enumerate(TRICKY):
        expected = fmt.parse_line(line) or dict.fromkeys(COLUMNS)
        got = {c: frame[c][i] for c in COLUMNS}
        assert {k: (v or "").strip() or None for k, v in got.items()} == {
            k: (v or "").strip() or None for k, v in expected.items()
        }, line


def test_fast_path_matches_exact_regex_on_loghub() -> None:
    data = SHARED_DATA / "loghub2k"
    if not data.is_dir():
        pytest.skip(f"{data} is absent: the shared data folder must sit beside the checkout")
    from bench.bench_loghub import FORMATS

    for system, spec in FORMATS.items():
        fmt = LogFormat.parse(spec)
        lines = (data / system / f"{system}_2k.log").read_text(errors="replace").splitlines()
        frame = fmt.parse_frame(pl.Series(lines))
        for i, line in enumerate(lines):
            expected = fmt.parse_line(line) or dict.fromkeys(COLUMNS)
            assert (frame["content"][i] or "").strip() == (expected["content"] or "").strip()
            assert frame["mod"][i] == expected["mod"], (system, line)
