"""Split a window of log files in two at its middle timestamp, each file's lines in time order.

Timestamps are parsed with the window's log_format (:class:`~argus.ingest.formats.LogFormat`,
:mod:`argus.ingest.timestamps`). A line that starts no record (a stack trace's continuation, say)
belongs to the record before it, so it goes to the same half; lines before a file's first record
go with that record. The middle is halfway between the window's first and last timestamps (over
all its files); each file's lines stamped before it form its first half, the others the second.
Each half is written as a gzip file of the same name, in its own folder; an empty half is not
written.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from argus.ingest.formats import LogFormat
from argus.ingest.reader import iter_line_series
from argus.ingest.timestamps import detect_format

#: Lines are copied whole: a cap far above any real line.
MAX_LINE_BYTES = 1 << 30


@dataclass(frozen=True, kw_only=True)
class SplitWindow:
    """Where the halves of a window were written."""

    middle: datetime  #: the split point: earlier lines form the first half
    first: list[Path]  #: files of the first half
    second: list[Path]  #: files of the second half


def timed_lines(path: Path, fmt: LogFormat) -> pl.DataFrame:
    """The file's lines (``raw``) with the timestamp of the record each belongs to (``ts``)."""
    series = list(iter_line_series(path, MAX_LINE_BYTES))
    lines = pl.concat(series) if series else pl.Series("raw", [], dtype=pl.String)
    text = fmt.parse_frame(lines)["ts"]
    stamps = detect_format(text).parse(text)
    filled = stamps.fill_null(strategy="forward").fill_null(strategy="backward")
    return pl.DataFrame({"raw": lines, "ts": filled})


def middle_of(frames: Sequence[pl.DataFrame]) -> datetime | None:
    """Halfway between the earliest and the latest timestamp of ``frames`` (None: no stamp)."""
    stamps = [s for f in frames for s in (f["ts"].min(), f["ts"].max()) if s is not None]
    times = [s for s in stamps if isinstance(s, datetime)]
    if not times:
        return None
    first, last = min(times), max(times)
    return first + (last - first) / 2


def split_lines(frame: pl.DataFrame, middle: datetime) -> tuple[list[str], list[str]]:
    """Lines stamped before ``middle``, and the others (a file without stamps: all first)."""
    early = frame["ts"].is_null() | (frame["ts"] < middle)
    return frame.filter(early)["raw"].to_list(), frame.filter(~early)["raw"].to_list()


def write_lines(path: Path, lines: Sequence[str]) -> None:
    """Write ``lines`` to a gzip file, one per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", newline="\n") as fh:
        fh.writelines(line + "\n" for line in lines)


def split_window(files: Sequence[Path], log_format: str | None, out: Path) -> SplitWindow | None:
    """Write each file's halves under ``out/first`` and ``out/second``; None without stamps."""
    fmt = LogFormat.parse(log_format)
    frames = [timed_lines(path, fmt) for path in files]
    middle = middle_of(frames)
    if middle is None:
        return None
    first: list[Path] = []
    second: list[Path] = []
    for path, frame in zip(files, frames, strict=True):
        early, late = split_lines(frame, middle)
        for lines, folder, kept in ((early, "first", first), (late, "second", second)):
            if lines:
                target = out / folder / _gz_name(path)
                write_lines(target, lines)
                kept.append(target)
    return SplitWindow(middle=middle, first=first, second=second)


def _gz_name(path: Path) -> str:
    """The file's name, with ``.gz`` added when it is not already a gzip name."""
    return path.name if path.name.endswith(".gz") else f"{path.name}.gz"
