"""Call sites: the line after which a module is called, and requests that never reach it.

When trace or request ids relate the lines of a request, the baseline shows, for each module,
which line of another module comes just before the module's first line in a request: its *call
site* (``basic: "query price config"`` before ``price: "query price"``). A call site after which
the module reliably writes a line in the baseline but, in the batch, often does not, means the
module failed to answer: it threw before logging anything, was unreachable, or the request
never got through. That holds even when the module itself writes nothing unusual and its caller
handles the failure silently, which is what logs of many code faults look like.

Works on the trace-lines frames of :mod:`argus.tools.traces` (trace, mod, tid, first_ts, ...).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

import polars as pl

from argus.tools.digest import Unanswered
from argus.tools.traces import preceding_lines

#: In the baseline, the module must write a line after its call site in this share of the
#: requests that reached it, so that a call site which only sometimes leads to it is not judged.
RELIABLE_SHARE = 0.9
MIN_CALLS = 5  #: baseline requests in which a line was the module's call site
#: Call sites this close to the batch's last line are not judged: the answer may lie beyond it.
EDGE = timedelta(seconds=5)


def unanswered_calls(
    current: pl.DataFrame, baseline: pl.DataFrame, present: Collection[str]
) -> dict[str, Unanswered]:
    """Module -> its unanswered calls in ``current``, judged by its call sites in ``baseline``.

    Only modules in ``present`` (those that wrote lines in the batch) are judged: a module
    with no lines at all may simply not have been collected.
    """
    sites = _reliable_sites(baseline)
    events = _events(current)
    last = events["ts"].max()
    if sites.is_empty() or not isinstance(last, datetime):
        return {}
    judged = _answers(events, sites).filter(
        (pl.col("ts") <= last - EDGE) & pl.col("mod").is_in(list(present))
    )
    per = judged.group_by("mod").agg(
        calls=pl.len(), missing=(~pl.col("answered")).sum(), expected=(1 - pl.col("share")).sum()
    )
    base = sites.group_by("mod").agg(
        base_calls=pl.col("reached").sum(),
        base_missing=(pl.col("reached") - pl.col("answered")).sum(),
    )
    return {
        str(mod): Unanswered(
            calls=int(calls),
            missing=int(missing),
            expected=float(expected),
            baseline_calls=int(base_calls),
            baseline_missing=int(base_missing),
        )
        for mod, calls, missing, expected, base_calls, base_missing in per.join(
            base, on="mod"
        ).iter_rows()
    }


def _events(traces: pl.DataFrame) -> pl.DataFrame:
    """One row per (trace, mod, tid): the template's first line in the request (``ts``)."""
    return (
        traces.drop_nulls(["mod", "tid", "first_ts"])
        .group_by("trace", "mod", "tid")
        .agg(ts=pl.col("first_ts").min())
    )


def _call_sites(events: pl.DataFrame) -> pl.DataFrame:
    """Per (trace, mod): the template of another module that comes last before the module's
    first line (site_mod, tid)."""
    starts = events.group_by("trace", "mod").agg(start=pl.col("ts").min())
    return preceding_lines(starts, events).select(
        "trace", "mod", site_mod="prev_mod", tid="prev_tid"
    )


def _answers(events: pl.DataFrame, sites: pl.DataFrame) -> pl.DataFrame:
    """Every request line that is one of ``sites`` (site_mod, tid, mod, and the sites' other
    columns), with ``answered``: whether ``mod`` wrote a line at or after it in the request."""
    reached = events.rename({"mod": "site_mod"}).join(sites, on=["site_mod", "tid"])
    latest = events.group_by("trace", "mod").agg(latest=pl.col("ts").max())
    return reached.join(latest, on=["trace", "mod"], how="left").with_columns(
        answered=pl.col("latest").is_not_null() & (pl.col("latest") >= pl.col("ts"))
    )


def _reliable_sites(baseline: pl.DataFrame) -> pl.DataFrame:
    """Baseline call sites (site_mod, tid, mod) the module answered reliably, with ``share``:
    the (smoothed) share of requests in which it did."""
    events = _events(baseline)
    if events.is_empty():
        return pl.DataFrame(
            schema={
                "site_mod": pl.String,
                "tid": pl.Int64,
                "mod": pl.String,
                "reached": pl.UInt32,
                "answered": pl.UInt32,
                "share": pl.Float64,
            }
        )
    sites = (
        _call_sites(events)
        .group_by("site_mod", "tid", "mod")
        .agg(sites=pl.len())
        .filter(pl.col("sites") >= MIN_CALLS)
    )
    return (
        _answers(events, sites)
        .group_by("site_mod", "tid", "mod")
        .agg(reached=pl.len(), answered=pl.col("answered").sum())
        .filter(pl.col("answered") >= RELIABLE_SHARE * pl.col("reached"))
        .with_columns(share=(pl.col("answered") + 0.5) / (pl.col("reached") + 1))
    )
