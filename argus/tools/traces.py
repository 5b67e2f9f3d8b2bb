"""Request and trace ids: which lines belong to one request, and so which module calls which.

:func:`trace_lines` works on the records pass 2 parses (one row per record with ``ts``,
``mod``, ``level``, ``content`` and the matched ``tid``); it keeps the lines that carry an id and
aggregates them per (trace, module, template, level). :func:`call_graph` then orders the modules
of each trace by their first line: a module whose first line of a request comes before another's
is upstream of it (its caller, directly or not).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polars as pl

from argus.ingest.timestamps import detect_format
from argus.mining.engine import MiningEngine

#: ``TraceID: abc``, ``trace_id=abc``, ``X-Request-ID: abc``, ``traceparent: 00-<id>-...``.
TRACE_ID = (
    r"(?i)\b(?:trace[-_ ]?id|request[-_ ]?id|req[-_ ]?id|correlation[-_ ]?id|x-request-id|"
    r"traceparent)[\"']?\s*[:=]\s*[\"']?(?:00-)?([0-9a-z][0-9a-z-]{7,63})"
)

TRACE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "trace": pl.String,
    "mod": pl.String,
    "tid": pl.Int64,
    "level": pl.String,
    "count": pl.Int64,
    "first_ts": pl.Datetime("us"),
    "last_ts": pl.Datetime("us"),
}

#: A caller must come first in at least this share of the traces two modules share.
_ORDER_SHARE = 0.8
_MIN_SHARED = 2


def empty_traces() -> pl.DataFrame:
    """A trace-lines frame with no rows."""
    return pl.DataFrame(schema=TRACE_SCHEMA)


def trace_lines(records: pl.DataFrame) -> pl.DataFrame:
    """Aggregate the records that carry a trace or request id.

    ``records`` needs ``ts`` (text), ``mod``, ``level``, ``content`` and ``tid``; records
    without a template id or without an id in their content are skipped. The result has the
    columns of :data:`TRACE_SCHEMA`, one row per (trace, mod, tid, level).
    """
    if records.is_empty():
        return empty_traces()
    found = records.select(
        "ts", "mod", "level", "tid", trace=pl.col("content").str.extract(TRACE_ID, 1)
    ).filter(pl.col("trace").is_not_null() & pl.col("tid").is_not_null())
    if found.is_empty():
        return empty_traces()
    stamps = detect_format(found["ts"]).parse(found["ts"])
    return (
        found.with_columns(ts=stamps, tid=pl.col("tid").cast(pl.Int64))
        .group_by("trace", "mod", "tid", "level")
        .agg(
            pl.len().cast(pl.Int64).alias("count"),
            pl.col("ts").min().alias("first_ts"),
            pl.col("ts").max().alias("last_ts"),
        )
        .select(list(TRACE_SCHEMA))
    )


def call_graph(traces: pl.DataFrame) -> dict[str, set[str]]:
    """Caller -> callees: A calls B when A's first line precedes B's in most shared traces."""
    starts = module_starts(traces)
    pairs = starts.join(starts, on="trace", suffix="_b").filter(pl.col("mod") < pl.col("mod_b"))
    if pairs.is_empty():
        return {}
    counted = pairs.group_by("mod", "mod_b").agg(
        shared=pl.len(),
        first=(pl.col("start") < pl.col("start_b")).sum(),
        second=(pl.col("start") > pl.col("start_b")).sum(),
    )
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b, shared, first, second in counted.iter_rows():
        if shared < _MIN_SHARED:
            continue
        if first >= _ORDER_SHARE * shared:
            graph[a].add(b)
        elif second >= _ORDER_SHARE * shared:
            graph[b].add(a)
    return dict(graph)


def module_starts(traces: pl.DataFrame) -> pl.DataFrame:
    """Per (trace, mod): ``start``, the module's first line in the request."""
    return (
        traces.drop_nulls(["mod", "first_ts"])
        .group_by("trace", "mod")
        .agg(start=pl.col("first_ts").min())
    )


def preceding_lines(starts: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Per (trace, mod) of ``starts``: the latest of ``lines`` (trace, mod, tid, ts) written by
    another module at or before the module's start (prev_mod, prev_tid, prev_ts, with start).

    Lines at the same instant are ordered by module and template, so the choice is stable.
    """
    before = starts.join(lines, on="trace", suffix="_prev").filter(
        (pl.col("mod_prev") != pl.col("mod")) & (pl.col("ts") <= pl.col("start"))
    )
    order = ["ts", "mod_prev", "tid"]
    return before.group_by("trace", "mod").agg(
        pl.col("start").first(),
        prev_mod=pl.col("mod_prev").sort_by(order).last(),
        prev_tid=pl.col("tid").sort_by(order).last(),
        prev_ts=pl.col("ts").max(),
    )


def traces_of(engine: MiningEngine, path: Path) -> pl.DataFrame:
    """Trace-id lines of ``path`` (who calls whom, request paths) with the engine's index."""
    parts = [
        trace_lines(frame.filter(pl.col("starts")).select("ts", "mod", "level", "content", "tid"))
        for frame in engine.assign_lines(path)
    ]
    return pl.concat(parts) if parts else empty_traces()
