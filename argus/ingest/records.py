"""Record assembly: a line that does not start a record (no header) continues the previous one.

Continuation lines (stack traces, wrapped messages) belong to the record above them: they are
not counted on their own and never become key texts. Lines before the first header of a file
have no record to join, so each stands alone with the whole line as its key text.
"""

from __future__ import annotations

import polars as pl

from argus.ingest.formats import LogFormat

#: Key texts are cut here: templates of 64 KB one-off lines help nobody and slow every match.
MAX_KEY_CHARS = 2048


def parse_records(
    fmt: LogFormat,
    lines: pl.Series | list[str],
    *,
    file_start: bool,
) -> pl.DataFrame:
    """Parse a chunk of lines into one row per line with columns of COLUMNS plus:

    ``raw`` (the line), ``line_no`` (0-based within the chunk), ``starts`` (the line starts a
    record), ``headed`` (it does so because it matched the format: not an orphan) and
    ``record`` (index of the record the line belongs to, -1 for the continuation of a record
    of an earlier chunk).
    """
    raw = lines.alias("raw") if isinstance(lines, pl.Series) else pl.Series("raw", lines, pl.String)
    frame = _capped(fmt.parse_frame(raw)).with_columns(raw=raw, line_no=pl.int_range(pl.len()))
    starts = pl.col("content").is_not_null()
    frame = frame.with_columns(
        starts=starts, headed=starts, record=starts.cast(pl.Int64).cum_sum() - 1
    )
    if file_start:
        orphan = pl.col("record") < 0
        frame = frame.with_columns(
            content=pl.when(orphan)
            .then(pl.col("raw").str.slice(0, MAX_KEY_CHARS))
            .otherwise(pl.col("content")),
            starts=pl.col("starts") | orphan,
        ).with_columns(record=pl.col("starts").cast(pl.Int64).cum_sum() - 1)
    return frame


def _capped(frame: pl.DataFrame) -> pl.DataFrame:
    """Key texts cut at MAX_KEY_CHARS (checked by bytes first: slicing copies every text)."""
    if (frame["content"].str.len_bytes() > MAX_KEY_CHARS).any():
        frame = frame.with_columns(pl.col("content").str.slice(0, MAX_KEY_CHARS))
    return frame


def records_only(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows that start a record (the ones that are counted and matched)."""
    return frame.filter(pl.col("starts"))
