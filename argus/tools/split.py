"""A batch cut in two at a minute: its early part as the baseline of its late part.

A first batch has no earlier window to compare with, but a fault starts somewhere inside it: the
minutes before the onset are that batch's own fault-free reference. :func:`minute_splits` lists
the minutes a batch can be cut at; :func:`split_at` cuts it.
Minute buckets go to the side of their minute. A request goes whole to the side of its first line,
so that no request is counted on both sides and none loses its start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from argus.tools.digest import BatchStats


@dataclass(frozen=True, kw_only=True)
class Split:
    """A batch cut at ``at``: the lines before it and the lines from it on."""

    at: datetime  #: the first minute of the late part
    before: BatchStats  #: the early part (the reference)
    after: BatchStats  #: the late part (judged against the early one)


#: the shortest part a cut may leave on either side: a rate taken over a few seconds measures
#: where each file happens to start or end more than how often a module writes (10 s to 45 s
#: score alike on the dev cases; a minute drops the cuts right after a fault's onset)
MIN_PART = timedelta(seconds=30)


def minute_splits(stats: BatchStats) -> list[datetime]:
    """Minutes of the batch that can start its late part: minutes holding lines that leave at
    least :data:`MIN_PART` of the batch's time on both sides."""
    held = stats.buckets.filter(pl.col("count") > 0)
    first, last = held["first_ts"].min(), held["last_ts"].max()
    if not isinstance(first, datetime) or not isinstance(last, datetime):
        return []
    minutes = held["minute"].unique().sort().to_list()
    return [
        m
        for m in minutes
        if isinstance(m, datetime) and m - first >= MIN_PART and last - m >= MIN_PART
    ]


def split_at(stats: BatchStats, at: datetime) -> Split:
    """``stats`` cut at minute ``at`` (see the module docstring)."""
    early = pl.col("minute") < at
    before = stats.buckets.filter(early)
    after = stats.buckets.filter(~early)
    traces_before = traces_after = None
    if stats.traces is not None:
        starts = stats.traces.group_by("trace").agg(start=pl.col("first_ts").min())
        marked = stats.traces.join(starts, on="trace", how="left")
        first = pl.col("start") < at
        traces_before = marked.filter(first).drop("start")
        traces_after = marked.filter(~first).drop("start")
    return Split(
        at=at,
        before=BatchStats(buckets=before, templates=stats.templates, traces=traces_before),
        after=BatchStats(buckets=after, templates=stats.templates, traces=traces_after),
    )
