"""Signals of a batch that has no baseline: the first batch of a source is the common case.

Without a baseline the batch must be its own reference. Errors that run through the whole
window say nothing about a change; errors that *start* partway through it do. If a module's
``n`` error lines were spread over the window by chance (a steady rate), the chance that all of
them come after the first one's offset ``t`` in a window of length ``T`` is ``(1 - t/T)^n``: an
exact p-value of the *onset*, whatever the rate. A module's onset z-score is that p-value's
normal quantile, and error lines that name another module speak for that module, as with a
baseline. The diagnosis says that no baseline was available.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from argus.report import SignalKind
from argus.tools.digest import Digest
from argus.tools.signals import Evidence, Signal, error_category, module_names, named_in
from argus.tools.surprise import z_of


def unbaselined_signals(digest: Digest) -> Evidence:
    """Per module it speaks for, the strongest onset among its error templates (see the module
    docstring); one test per (error template, module) of the batch."""
    stats = digest.source
    if stats is None or stats.buckets.is_empty():
        return Evidence(signals=[], tests=0)
    start, end = stats.buckets["first_ts"].min(), stats.buckets["last_ts"].max()
    errors = stats.buckets.filter(pl.col("tid").is_in(list(digest.error_ids)))
    per = errors.group_by("tid", "mod").agg(pl.col("count").sum(), pl.col("first_ts").min())
    per = _as_requests(per, stats.traces)
    if not isinstance(start, datetime) or not isinstance(end, datetime) or end <= start:
        return Evidence(signals=[], tests=per.height)
    window = (end - start).total_seconds()
    names = module_names(digest)
    groups: dict[tuple[str, SignalKind], list[_Onset]] = defaultdict(list)
    for tid, mod, count, first in per.iter_rows():
        if mod is None or first is None:
            continue
        text = stats.text(tid)
        offset = (first - start).total_seconds()
        tail = math.exp(count * math.log1p(-min(offset / window, 1 - 1e-12)))
        onset = _Onset(tid=tid, lines=count, offset=offset, z=z_of(tail), text=text)
        groups[_speaks_for(mod, text, names)].append(onset)
    found = [_signal(module, kind, rows, window) for (module, kind), rows in groups.items()]
    return Evidence(signals=[s for s in found if s.z > 0], tests=per.height)


def _as_requests(per: pl.DataFrame, traces: pl.DataFrame | None) -> pl.DataFrame:
    """Count a template's requests instead of its lines where trace ids tell them apart: one
    request can write a template many times at once, and the onset test needs independent
    occurrences."""
    if traces is None or traces.is_empty():
        return per
    requests = traces.group_by("tid", "mod").agg(requests=pl.col("trace").n_unique())
    return (
        per.join(requests, on=["tid", "mod"], how="left")
        .with_columns(count=pl.coalesce(pl.min_horizontal("count", "requests"), "count"))
        .drop("requests")
    )


@dataclass(frozen=True, kw_only=True)
class _Onset:
    tid: int
    lines: int  #: its lines in the batch
    offset: float  #: seconds from the window's start to its first line
    z: float  #: surprise of that offset for that many lines
    text: str


def _speaks_for(mod: str, text: str, names: list[str]) -> tuple[str, SignalKind]:
    """An error naming another module speaks for it; other errors for their writer."""
    named = named_in(text, mod, names)
    return (named, "named") if named else (mod, "errors_unbaselined")


def _signal(module: str, kind: SignalKind, rows: list[_Onset], window: float) -> Signal:
    rows = sorted(rows, key=lambda r: -r.z)
    top = rows[0]
    what = "error lines naming it" if kind == "named" else "error lines"
    worded = [(r.text, r.lines) for r in rows if r.z > 0]
    return Signal(
        module=module,
        kind=kind,
        z=top.z,
        batch=top.lines,
        baseline=None,
        unit="lines",
        claim=f"{top.lines} {what} of a template that first shows {top.offset:.0f} s into the "
        f"{window:.0f} s window (no baseline to compare): {top.text[:120]}",
        template_ids=tuple(r.tid for r in rows[:3]),
        category=error_category(worded) if worded else "unknown",
    )
