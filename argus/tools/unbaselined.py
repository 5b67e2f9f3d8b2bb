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
from collections.abc import Iterator
from datetime import datetime

import polars as pl

from argus.report import SignalKind
from argus.tools.digest import Digest
from argus.tools.signals import Evidence, Signal, error_category, module_names, named_in
from argus.tools.surprise import z_of


def unbaselined_signals(digest: Digest) -> Evidence:
    """Per module it speaks for, the onset of its error lines (see the module docstring); one
    test per module and kind (its own errors, errors naming it)."""
    none = Evidence(signals=[], tests=2 * len(digest.modules))
    stats = digest.source
    if stats is None or stats.buckets.is_empty():
        return none
    start, end = stats.buckets["first_ts"].min(), stats.buckets["last_ts"].max()
    if not isinstance(start, datetime) or not isinstance(end, datetime) or end <= start:
        return none
    errors = stats.buckets.filter(pl.col("tid").is_in(list(digest.error_ids)))
    per = errors.group_by("tid", "mod").agg(pl.col("count").sum(), pl.col("first_ts").min())
    names = module_names(digest)
    groups: dict[tuple[str, SignalKind], list[tuple[int, int, datetime, str]]] = defaultdict(list)
    for tid, mod, count, first in per.iter_rows():
        if mod is None or first is None:
            continue
        text = stats.text(tid)
        named = named_in(text, mod, names)
        key: tuple[str, SignalKind] = (named, "named") if named else (mod, "errors_unbaselined")
        groups[key].append((tid, count, first, text))
    window = (end - start).total_seconds()
    found = [s for s in _onsets(groups, start, window) if s.z > 0]
    return Evidence(signals=found, tests=none.tests)


def _onsets(
    groups: dict[tuple[str, SignalKind], list[tuple[int, int, datetime, str]]],
    start: datetime,
    window: float,
) -> Iterator[Signal]:
    for (module, kind), rows in groups.items():
        rows.sort(key=lambda r: -r[1])
        lines = sum(r[1] for r in rows)
        first = min(r[2] for r in rows)
        offset = (first - start).total_seconds()
        tail = math.exp(lines * math.log1p(-min(offset / window, 1 - 1e-12)))
        yield Signal(
            module=module,
            kind=kind,
            z=z_of(tail),
            batch=lines,
            baseline=None,
            unit="lines",
            claim=f"{lines} error lines{' naming it' if kind == 'named' else ''}, the first "
            f"{offset:.0f} s into the {window:.0f} s window (no baseline to compare): "
            f"{rows[0][3][:120]}",
            template_ids=tuple(r[0] for r in rows[:3]),
            category=error_category([(r[3], r[1]) for r in rows]),
        )
