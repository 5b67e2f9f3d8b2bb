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


def downstream(graph: dict[str, set[str]], module: str) -> set[str]:
    """Every module ``module`` calls, directly or through others."""
    seen: set[str] = set()
    stack = list(graph.get(module, ()))
    while stack:
        callee = stack.pop()
        if callee not in seen and callee != module:
            seen.add(callee)
            stack.extend(graph.get(callee, ()))
    return seen


def request_times(traces: pl.DataFrame) -> pl.DataFrame:
    """Per module: median seconds between its first and last line of one request (mod, secs)."""
    spans = (
        traces.drop_nulls(["mod", "first_ts", "last_ts"])
        .group_by("trace", "mod")
        .agg(pl.col("first_ts").min(), pl.col("last_ts").max(), pl.col("count").sum())
        .filter(pl.col("count") >= 2)
        .with_columns(secs=(pl.col("last_ts") - pl.col("first_ts")).dt.total_microseconds() / 1e6)
    )
    return spans.group_by("mod").agg(pl.col("secs").median(), requests=pl.len())


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


def entry_delays(traces: pl.DataFrame) -> pl.DataFrame:
    """Per module: median seconds from the last earlier line of another module in the same
    request to the module's own first line (mod, secs, requests).

    That is how long a request waits before the module starts on it: a module starved of CPU
    or threads starts late, whoever calls it.
    """
    ends = [traces.select("trace", "mod", "tid", ts=col) for col in ("first_ts", "last_ts")]
    lines = pl.concat(ends).drop_nulls().unique()
    waits = preceding_lines(module_starts(traces), lines).with_columns(
        secs=(pl.col("start") - pl.col("prev_ts")).dt.total_microseconds() / 1e6
    )
    return waits.group_by("mod").agg(pl.col("secs").median(), requests=pl.len())


#: Requests a module needs in the batch (and the baseline) before its paths are judged.
MIN_PATH_REQUESTS = 5
MIN_BASELINE_REQUESTS = 3


def request_paths(traces: pl.DataFrame) -> pl.DataFrame:
    """One row per (trace, mod): ``path``, the module's templates in that request.

    Each template is written with its count class (``tid x floor(log2(count))``), so a request
    that loops a little longer keeps its path while one that stops early or takes another
    branch gets a new one.
    """
    per = traces.group_by("trace", "mod", "tid").agg(pl.col("count").sum())
    klass = pl.col("count").log(2).floor().cast(pl.Int64).cast(pl.String)
    keyed = per.with_columns(
        key=pl.concat_str([pl.col("tid").cast(pl.String), klass], separator="x")
    )
    return keyed.group_by("trace", "mod").agg(path=pl.col("key").sort().str.join(","))


def novel_paths(current: pl.DataFrame, baseline: pl.DataFrame) -> dict[str, float]:
    """Module -> z-score of its share of requests whose path the baseline never showed.

    The share expected by chance is the Good-Turing estimate of unseen paths in the baseline
    ((paths seen once + 1) / (requests + 2)), so a module whose requests are always diverse is
    not flagged for being diverse again.
    """
    cur, base = request_paths(current), request_paths(baseline)
    seen = base.select("mod", "path").unique().with_columns(seen=pl.lit(True))
    novel = (
        cur.join(seen, on=["mod", "path"], how="left")
        .group_by("mod")
        .agg(n=pl.len(), novel=pl.col("seen").is_null().sum())
    )
    turing = (
        base.group_by("mod", "path")
        .agg(k=pl.len())
        .group_by("mod")
        .agg(nb=pl.col("k").sum(), once=(pl.col("k") == 1).sum())
    )
    both = novel.join(turing, on="mod").filter(
        (pl.col("n") >= MIN_PATH_REQUESTS) & (pl.col("nb") >= MIN_BASELINE_REQUESTS)
    )
    out = {}
    for mod, n, new, nb, once in both.iter_rows():
        p0 = (once + 1) / (nb + 2)
        out[str(mod)] = (new - n * p0) / (n * p0 * (1 - p0) + 1) ** 0.5
    return out


def traces_of(engine: MiningEngine, path: Path) -> pl.DataFrame:
    """Trace-id lines of ``path`` (who calls whom, request paths) with the engine's index."""
    parts = [
        trace_lines(frame.filter(pl.col("starts")).select("ts", "mod", "level", "content", "tid"))
        for frame in engine.assign_lines(path)
    ]
    return pl.concat(parts) if parts else empty_traces()
