"""Where a request first departs from the paths the baseline showed, and whose fault that is.

A failure spreads along a request: the failing module writes an error or stops early, then its
caller handles the failure (other lines, a shorter request), and the modules the caller would
have called next are never reached. Every one of them writes an unusual sequence of lines, but
only one departs *first*. For each module, the baseline gives the sequences of templates it
writes in one request (in the order of their first line) and all their prefixes; a batch
request departs, in a module, at the first template that no baseline prefix continues with, or
at its last line when it stops where no baseline request of the module stopped. The module
whose departure is earliest in the request is where that request went wrong.

Per module, the requests in which it departed first are counted against the rate at which its
baseline requests took paths seen only once (Good-Turing: the chance that the next request
takes a path not seen before), so a module whose requests are always diverse is not blamed for
being diverse again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

#: Requests of a module the baseline needs before the module's paths are judged.
MIN_BASELINE_REQUESTS = 5
#: Requests this close to either end of a window are left out (in the batch and the baseline):
#: they may have started before it or go on after it, so their paths look cut short.
EDGE = timedelta(seconds=5)

Sequence = tuple[int, ...]


@dataclass(kw_only=True)
class Departures:
    """One module's first departures in the batch."""

    requests: int = 0  #: batch requests in which it wrote lines (and that were judged)
    first: int = 0  #: of those, requests that departed from the baseline first in it
    expected: float = 0.0  #: first departures its baseline's diversity explains
    baseline_requests: int = 0  #: its requests in the baseline
    baseline_once: int = 0  #: of those, requests whose path the baseline showed only once
    templates: dict[int, int] = field(default_factory=dict)  #: template at departure -> count
    traces: list[str] = field(default_factory=list)  #: a few such requests
    minutes: list[datetime] = field(default_factory=list)  #: when they departed


@dataclass(kw_only=True)
class _Paths:
    """A module's baseline: its complete sequences and all their prefixes."""

    complete: set[Sequence] = field(default_factory=set)
    prefixes: set[Sequence] = field(default_factory=set)
    counts: dict[Sequence, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        """Baseline requests of the module."""
        return sum(self.counts.values())

    @property
    def once(self) -> int:
        """Baseline requests whose path no other baseline request took."""
        return sum(1 for n in self.counts.values() if n == 1)

    @property
    def novelty(self) -> float:
        """Good-Turing chance that the next request takes a path not seen yet."""
        return (self.once + 1) / (self.requests + 2)


def sequences(traces: pl.DataFrame) -> pl.DataFrame:
    """Per (trace, mod): ``tids`` in the order of their first line, ``times`` of those lines
    and ``end``, the module's last line in the request (requests near the window's ends left
    out, see EDGE)."""
    known = traces.drop_nulls(["mod", "tid", "first_ts", "last_ts"])
    first, last = known["first_ts"].min(), known["last_ts"].max()
    if not isinstance(first, datetime) or not isinstance(last, datetime):
        return known.select("trace", "mod", tids="tid", times="first_ts", end="last_ts")
    spans = known.group_by("trace").agg(
        start=pl.col("first_ts").min(), stop=pl.col("last_ts").max()
    )
    inside = spans.filter((pl.col("start") >= first + EDGE) & (pl.col("stop") <= last - EDGE))
    return (
        known.join(inside.select("trace"), on="trace")
        .group_by("trace", "mod", "tid")
        .agg(pl.col("first_ts").min(), pl.col("last_ts").max())
        .sort("trace", "mod", "first_ts", "tid")
        .group_by("trace", "mod", maintain_order=True)
        .agg(tids=pl.col("tid"), times=pl.col("first_ts"), end=pl.col("last_ts").max())
    )


def departures(current: pl.DataFrame, baseline: pl.DataFrame) -> dict[str, Departures]:
    """Module -> its first departures in ``current`` (trace lines) against ``baseline``."""
    paths = _baseline_paths(sequences(baseline))
    earliest: dict[str, tuple[datetime, str, int]] = {}
    found: dict[str, Departures] = defaultdict(Departures)
    for trace, mod, tids, times, end in sequences(current).iter_rows():
        known = paths.get(mod)
        if known is None:
            continue
        tally = found[mod]
        tally.requests += 1
        tally.expected += known.novelty
        tally.baseline_requests, tally.baseline_once = known.requests, known.once
        departed = _departure(tuple(tids), times, end, known)
        if departed is not None and (trace not in earliest or departed[0] < earliest[trace][0]):
            earliest[trace] = (departed[0], mod, departed[1])
    for trace, (at, mod, tid) in earliest.items():
        tally = found[mod]
        tally.first += 1
        tally.templates[tid] = tally.templates.get(tid, 0) + 1
        if len(tally.traces) < 3:
            tally.traces.append(trace)
            tally.minutes.append(at.replace(second=0, microsecond=0))
    return dict(found)


def _baseline_paths(frame: pl.DataFrame) -> dict[str, _Paths]:
    paths: dict[str, _Paths] = defaultdict(_Paths)
    for _trace, mod, tids, _times, _end in frame.iter_rows():
        seq = tuple(tids)
        known = paths[mod]
        known.complete.add(seq)
        known.counts[seq] = known.counts.get(seq, 0) + 1
        known.prefixes.update(seq[:i] for i in range(1, len(seq) + 1))
    return {m: p for m, p in paths.items() if p.requests >= MIN_BASELINE_REQUESTS}


def _departure(
    seq: Sequence, times: list[datetime], end: datetime, known: _Paths
) -> tuple[datetime, int] | None:
    """When and at which template ``seq`` departs from the baseline's paths; None if it
    follows one of them to its end."""
    for i in range(len(seq)):
        if seq[: i + 1] not in known.prefixes:
            return times[i], seq[i]
    if seq not in known.complete:  # stopped where no baseline request of the module stopped
        return end, seq[-1]
    return None
