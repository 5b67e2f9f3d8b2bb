"""Statistics over a batch's pass-2 frames: the digest every agent path starts from.

Pure functions over polars frames (no database): top templates, error templates (by level and
by words), error codes, per-module counts, per-minute bursts and, when a baseline is given, the
rate-normalised comparison with it (see :mod:`argus.tools.baseline`), plus what request or
trace ids reveal (who calls whom, per-module request times, requests taking paths the baseline
never showed; see :mod:`argus.tools.traces`; requests that reach the lines calling a module but
never the module; see :mod:`argus.tools.callsites`).
"""

from __future__ import annotations

from datetime import datetime
from statistics import median

import polars as pl

from argus.tools.baseline import compare
from argus.tools.callsites import unanswered_calls
from argus.tools.departures import departures
from argus.tools.digest import BatchStats, Burst, Digest, ModuleCount, TemplateCount
from argus.tools.latency import module_timing
from argus.tools.textsignals import error_codes, has_error_words, is_error_level
from argus.tools.traces import call_graph

__all__ = ["build_digest", "error_flags", "window_minutes"]

TOP_N = 20  #: templates kept in the top and error lists
BURST_FACTOR = 3.0  #: a minute above this many times a template's average is a burst
MIN_BURST = 10  #: and holds at least this many lines
_MIN_FACTOR_LINES = 5
#: the shortest window a rate is taken over: lines of one instant (a one-second log) would
#: otherwise have an infinite rate; a second is the resolution of most log timestamps
MIN_WINDOW_MINUTES = 1.0 / 60.0


def window_minutes(buckets: pl.DataFrame) -> float:
    """Length of the window in minutes: first to last line, but no more than the minutes that
    hold lines, and at least one second (a batch of one instant still has a rate)."""
    if buckets.is_empty():
        return 1.0
    first, last = buckets["first_ts"].min(), buckets["last_ts"].max()
    active = float(max(1, buckets["minute"].drop_nulls().n_unique()))
    if not isinstance(first, datetime) or not isinstance(last, datetime):
        return active
    # never more than the minutes that hold lines: files of one batch may lie months apart
    return min(span_minutes(first, last), active)


def span_minutes(first: datetime, last: datetime) -> float:
    """Minutes from ``first`` to ``last``, at least :data:`MIN_WINDOW_MINUTES`."""
    return max(MIN_WINDOW_MINUTES, (last - first).total_seconds() / 60.0)


def error_flags(stats: BatchStats, levels: pl.DataFrame) -> dict[int, bool]:
    """Template id -> error template (written at an error level, or with error words)."""
    flags: dict[int, bool] = {}
    for tid, level in levels.select("tid", "level").unique().iter_rows():
        flags[tid] = flags.get(tid, False) or is_error_level(level)
    for tid in flags:
        flags[tid] = flags[tid] or has_error_words(stats.text(tid))
    return flags


def build_digest(current: BatchStats, baseline: BatchStats | None = None) -> Digest:
    """Summarise ``current`` and, when given, compare it with ``baseline``."""
    minutes = window_minutes(current.buckets)
    both = [current.buckets] + ([baseline.buckets] if baseline is not None else [])
    flags = error_flags(_merged(current, baseline), pl.concat(both))
    rows = _rows(current, minutes, flags)
    errors = [r for r in rows if flags.get(r.template_id, False)]
    digest = Digest(
        window_minutes=minutes,
        lines=int(current.buckets["count"].sum()),
        top_templates=rows[:TOP_N],
        error_templates=errors[:TOP_N],
        error_codes=_codes(current, errors),
        modules=_modules(current, minutes, flags),
        bursts=_bursts(current, minutes),
        source=current,
        error_ids=frozenset(tid for tid, on in flags.items() if on),
    )
    digest.calls = _calls(current, baseline)
    digest.requests = template_requests(current.traces)
    if baseline is not None and not baseline.buckets.is_empty():
        digest.baseline_requests = template_requests(baseline.traces)
        _add_baseline(digest, current, baseline, flags)
    return digest


def template_requests(traces: pl.DataFrame | None) -> dict[tuple[str, int], int]:
    """(module, template) -> distinct requests (trace ids) in which it was written."""
    if traces is None or traces.is_empty():
        return {}
    per = traces.drop_nulls(["mod", "tid"]).group_by("mod", "tid").agg(n=pl.col("trace").n_unique())
    return {(str(mod), int(tid)): int(n) for mod, tid, n in per.iter_rows()}


def _merged(current: BatchStats, baseline: BatchStats | None) -> BatchStats:
    texts = dict(baseline.templates) if baseline is not None else {}
    texts.update(current.templates)
    return BatchStats(buckets=current.buckets, templates=texts)


def _rows(stats: BatchStats, minutes: float, flags: dict[int, bool]) -> list[TemplateCount]:
    summary = (
        stats.buckets.group_by("tid", "mod", "level")
        .agg(pl.col("count").sum(), pl.col("first_ts").min(), pl.col("last_ts").max())
        .sort(["count", "tid"], descending=[True, False])
    )
    out = []
    for tid, mod, level, count, first, last in summary.iter_rows():
        why = (
            "+".join(
                w
                for w, on in (
                    ("level", is_error_level(level)),
                    ("words", has_error_words(stats.text(tid))),
                )
                if on
            )
            if flags.get(tid)
            else ""
        )
        out.append(
            TemplateCount(
                template_id=tid,
                template=stats.text(tid),
                module=mod,
                level=level,
                count=count,
                per_min=count / minutes,
                first_ts=first,
                last_ts=last,
                why=why,
            )
        )
    return out


def _codes(stats: BatchStats, errors: list[TemplateCount]) -> list[str]:
    texts = []
    for row in errors:
        texts.append(row.template)
        known = stats.templates.get(row.template_id)
        if known is not None:
            texts.append(known.sample)
    return error_codes(texts)


def _modules(stats: BatchStats, minutes: float, flags: dict[int, bool]) -> list[ModuleCount]:
    error_ids = [tid for tid, on in flags.items() if on]
    per = (
        stats.buckets.group_by("mod")
        .agg(
            pl.col("count").sum(),
            errors=pl.col("count").filter(pl.col("tid").is_in(error_ids)).sum(),
        )
        .sort("count", descending=True)
    )
    return [
        ModuleCount(module=str(mod), count=count, per_min=count / minutes, errors=errors)
        for mod, count, errors in per.iter_rows()
    ]


def _bursts(stats: BatchStats, minutes: float) -> list[Burst]:
    if minutes < 2.0 or stats.buckets.is_empty():
        return []
    per_minute = (
        stats.buckets.drop_nulls("minute")
        .group_by("tid", "mod", "minute")
        .agg(pl.col("count").sum())
        .with_columns(total=pl.col("count").sum().over("tid", "mod"))
        .with_columns(mean=pl.col("total") / minutes)
        .filter((pl.col("count") >= MIN_BURST) & (pl.col("count") >= BURST_FACTOR * pl.col("mean")))
        .sort("count", descending=True)
        .head(TOP_N)
    )
    return [
        Burst(template_id=tid, module=mod, minute=minute, count=count, mean_per_min=mean)
        for tid, mod, minute, count, _total, mean in per_minute.iter_rows()
    ]


def _gap_minutes(earlier: pl.DataFrame, later: pl.DataFrame) -> float | None:
    """Minutes from the last line of ``earlier`` to the first line of ``later``."""
    end, start = earlier["last_ts"].max(), later["first_ts"].min()
    if not isinstance(end, datetime) or not isinstance(start, datetime):
        return None
    return (start - end).total_seconds() / 60.0


def _calls(current: BatchStats, baseline: BatchStats | None) -> dict[str, set[str]]:
    frames = [s.traces for s in (current, baseline) if s is not None and s.traces is not None]
    return call_graph(pl.concat(frames)) if frames else {}


def _add_baseline(
    digest: Digest, current: BatchStats, baseline: BatchStats, flags: dict[int, bool]
) -> None:
    base_minutes = window_minutes(baseline.buckets)
    digest.baseline_minutes = base_minutes
    digest.baseline_gap_minutes = _gap_minutes(baseline.buckets, current.buckets)
    digest.changes, digest.traffic_factor = compare(
        current, baseline, digest.window_minutes, base_minutes, flags
    )
    base_rates = baseline.buckets.group_by("mod").agg(pl.col("count").sum())
    rates = {str(mod): count / base_minutes for mod, count in base_rates.iter_rows()}
    factors = caller_factors(digest, rates)
    digest.modules = [
        ModuleCount(
            module=m.module,
            count=m.count,
            per_min=m.per_min,
            errors=m.errors,
            baseline_per_min=rates.get(m.module, 0.0),
            expected_per_min=rates.get(m.module, 0.0)
            * factors.get(m.module, digest.traffic_factor),
        )
        for m in digest.modules
    ]
    if current.traces is not None and baseline.traces is not None:
        digest.timing = module_timing(current.traces, baseline.traces)
        digest.departures = departures(current.traces, baseline.traces)
        present = {m.module for m in digest.modules}
        digest.unanswered = unanswered_calls(current.traces, baseline.traces, present)


def caller_factors(digest: Digest, base_rates: dict[str, float]) -> dict[str, float]:
    """Module -> traffic factor of its callers (median batch/baseline rate of its callers).

    A callee's load follows its callers', not the whole system's: a module called by a job at a
    fixed pace keeps its pace when user traffic doubles. Modules without known callers (or
    callers without enough lines in both windows) use the batch's traffic factor.
    """
    ratios = {}
    for m in digest.modules:
        base = base_rates.get(m.module, 0.0)
        if (
            base * (digest.baseline_minutes or 1.0) >= _MIN_FACTOR_LINES
            and m.count >= _MIN_FACTOR_LINES
        ):
            ratios[m.module] = m.per_min / base
    callers: dict[str, list[float]] = {}
    for caller, callees in digest.calls.items():
        if caller in ratios:
            for callee in callees:
                callers.setdefault(callee, []).append(ratios[caller])
    return {module: float(median(values)) for module, values in callers.items()}
