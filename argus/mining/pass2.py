"""Pass 2: statistics. It drafts nothing; it counts records per template, module and minute.

Each chunk is parsed, matched with the final index (vectorised, see :mod:`matching`) and
aggregated in memory into minute buckets keyed by (template, mod, smod, level[, thread]);
the per-template summary is derived from the buckets. Misses are kept (de-duplicated, capped)
for ``unmatched_log`` and for re-feeding pass 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from argus.ingest.formats import LogFormat
from argus.ingest.records import parse_records, records_only
from argus.ingest.timestamps import TimestampFormat, detect_format
from argus.mining.index import TemplateIndex
from argus.mining.matching import ChunkMatcher, shape_of
from argus.mining.minutes import MinuteKeys

#: Unmatched key texts kept per file (all are counted).
MAX_UNMATCHED_KEPT = 20_000
_COMPACT_EVERY = 16

BUCKET_KEYS = ["tid", "mod", "smod", "level", "thread", "minute"]
#: The columns of a chunk's matched records that its buckets are made of.
_MATCHED_COLUMNS = ["tid", "mod", "smod", "level", "thread", "key", "ts"]


@dataclass(kw_only=True)
class Pass2Result:
    """Aggregates of one file."""

    buckets: pl.DataFrame  #: BUCKET_KEYS + count, first_ts, last_ts (minute may be null)
    unmatched: dict[str, str] = field(default_factory=dict)  #: key text -> first raw line
    lines: int = 0  #: physical lines read
    records: int = 0  #: records (lines that start one)
    headed: int = 0  #: records whose line matched the log format (not lines before the first)
    unmatched_records: int = 0  #: records no template matched

    def summary(self) -> pl.DataFrame:
        """One row per (template, mod, smod, level, thread): count and first/last time."""
        keys = [k for k in BUCKET_KEYS if k != "minute"]
        return (
            self.buckets.group_by(keys)
            .agg(
                pl.col("count").sum(),
                pl.col("first_ts").min(),
                pl.col("last_ts").max(),
            )
            .sort("count", descending=True)
        )


class StatsAggregator:
    """Accumulates pass-2 statistics chunk by chunk."""

    def __init__(self, fmt: LogFormat, index: TemplateIndex, *, track_threads: bool = False):
        self.fmt = fmt
        self.matcher = ChunkMatcher(index)
        self.track_threads = track_threads
        self._ts: TimestampFormat | None = None
        self._minutes = MinuteKeys()
        self._parts: list[pl.DataFrame] = []
        self.result = Pass2Result(buckets=empty_buckets())

    def add(self, lines: pl.Series | list[str]) -> pl.DataFrame:
        """Aggregate one chunk; return its records with their template ids (``tid``)."""
        first = self._ts is None
        records = records_only(parse_records(self.fmt, lines, file_start=first))
        if self._ts is None:
            self._ts = detect_format(records["ts"])
        keys, fixed = self._minutes.of(records["ts"])
        records = (
            records.lazy()
            .with_columns(keys, shape=shape_of(pl.col("content")))
            .collect(engine="streaming")
        )
        tids = self.matcher.assign(records["content"], records["shape"])
        records = records.with_columns(tid=tids)
        self.result.lines += len(lines)
        self.result.records += records.height
        self.result.headed += int(records["headed"].sum())
        matched = records.select(_MATCHED_COLUMNS)  # the filter copies only what buckets need
        if tids.null_count():
            self._keep_unmatched(records.filter(pl.col("tid").is_null()))
            matched = matched.filter(pl.col("tid").is_not_null())
        buckets = self._bucketed(matched)
        if fixed and not _one_minute_each(buckets):  # a stamp of another layout slipped in
            buckets = self._bucketed(matched.with_columns(MinuteKeys.by_regex(matched["ts"])))
        self._parts.append(buckets)
        if len(self._parts) >= _COMPACT_EVERY:
            self._compact()
        return records

    def _bucketed(self, matched: pl.DataFrame) -> pl.DataFrame:
        """Group by the timestamp text without its seconds, then parse two stamps per group."""
        assert self._ts is not None
        thread = pl.col("thread") if self.track_threads else pl.lit(None, dtype=pl.String)
        keys = [k for k in BUCKET_KEYS if k != "minute"]
        grouped = (
            matched.lazy()
            .with_columns(thread=thread)
            .group_by([*keys, "key"])
            .agg(
                pl.len().cast(pl.Int64).alias("count"),
                first=pl.col("ts").min(),
                last=pl.col("ts").max(),
            )
            .collect(engine="streaming")
        )
        return grouped.with_columns(
            first_ts=self._ts.parse(grouped["first"]), last_ts=self._ts.parse(grouped["last"])
        ).select(
            *keys,
            minute=pl.col("first_ts").dt.truncate("1m"),
            count="count",
            first_ts="first_ts",
            last_ts="last_ts",
        )

    def _compact(self) -> None:
        merged = pl.concat([self.result.buckets, *self._parts])
        self.result.buckets = merged.group_by(BUCKET_KEYS).agg(
            pl.col("count").sum(), pl.col("first_ts").min(), pl.col("last_ts").max()
        )
        self._parts.clear()

    def _keep_unmatched(self, missed: pl.DataFrame) -> None:
        self.result.unmatched_records += missed.height
        room = MAX_UNMATCHED_KEPT - len(self.result.unmatched)
        if room <= 0 or missed.is_empty():
            return
        fresh = missed.unique(subset="content", keep="first", maintain_order=True).head(room)
        for text, raw in zip(fresh["content"], fresh["raw"], strict=True):
            self.result.unmatched.setdefault(text, raw)

    def finish(self) -> Pass2Result:
        """Merge the pending chunks and return the file's aggregates."""
        self._compact()
        return self.result


def _one_minute_each(buckets: pl.DataFrame) -> bool:
    """True when every group's first and last stamp fall in one minute."""
    same = buckets["first_ts"].dt.truncate("1m") == buckets["last_ts"].dt.truncate("1m")
    return bool(same.fill_null(True).all())


def empty_buckets() -> pl.DataFrame:
    """An empty bucket frame with the schema pass 2 produces."""
    return pl.DataFrame(
        schema={
            "tid": pl.Int64,
            "mod": pl.String,
            "smod": pl.String,
            "level": pl.String,
            "thread": pl.String,
            "minute": pl.Datetime("us"),
            "count": pl.Int64,
            "first_ts": pl.Datetime("us"),
            "last_ts": pl.Datetime("us"),
        }
    )
