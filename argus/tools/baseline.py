"""Comparison of a batch with its baseline, rate-normalised per minute.

Rates are lines per minute of each window, and the baseline's rates are scaled by the batch's
*traffic factor* (the median, over modules seen in both windows, of batch rate / baseline rate),
so that neither a longer window nor a busier hour is mistaken for a spike. A (template, module)
is *new* when the baseline never saw it, a *spike* when it runs well above its expected count
(ratio and Poisson-style z-score both high), a *drop* when it nearly vanishes.
"""

from __future__ import annotations

import math
import re
from difflib import SequenceMatcher
from statistics import median

import polars as pl

from argus.tools.digest import BatchStats, Change

SPIKE_RATIO = 3.0  #: observed / expected above which a template spikes
SPIKE_Z = 3.0  #: and its z-score above this
MIN_SPIKE_COUNT = 5  #: fewer lines than this are never a spike
DROP_RATIO = 0.25  #: observed / expected below which a template drops
MIN_DROP_EXPECTED = 8.0  #: a drop needs at least this many expected lines
NON_ERROR_WEIGHT = 0.05  #: weight of a change of a non-error template (traffic mix shifts)
MIN_MODULE_LINES = 20  #: lines a module needs in both windows to have its own factor
FACTOR_RANGE = (0.2, 5.0)  #: the traffic factor is clamped to this range
_MIN_FACTOR_LINES = 5
_TOKEN = re.compile(r"<\*>|[A-Za-z]+|\d+")


def per_template(stats: BatchStats) -> pl.DataFrame:
    """One row per (tid, mod): count, first_ts, last_ts, levels (list)."""
    return stats.buckets.group_by("tid", "mod").agg(
        pl.col("count").sum(),
        pl.col("first_ts").min(),
        pl.col("last_ts").max(),
        levels=pl.col("level").unique().drop_nulls(),
    )


def traffic_factor(
    current: pl.DataFrame, baseline: pl.DataFrame, minutes: float, base_minutes: float
) -> float:
    """Median batch/baseline rate ratio over modules with enough lines in both windows."""
    cur = current.group_by("mod").agg(pl.col("count").sum())
    base = baseline.group_by("mod").agg(pl.col("count").sum().alias("base"))
    both = cur.join(base, on="mod").filter(
        (pl.col("count") >= _MIN_FACTOR_LINES) & (pl.col("base") >= _MIN_FACTOR_LINES)
    )
    if both.is_empty():
        return 1.0
    ratios = [
        (c / minutes) / (b / base_minutes) for c, b in zip(both["count"], both["base"], strict=True)
    ]
    low, high = FACTOR_RANGE
    return float(min(high, max(low, median(ratios))))


def module_factors(
    cur: pl.DataFrame,
    base: pl.DataFrame,
    is_error: dict[int, bool],
    minutes: float,
    base_minutes: float,
) -> dict[str | None, float]:
    """Module -> batch/baseline rate of its non-error templates (when both have enough lines).

    A template is judged against its own module's traffic: an error template that grows only
    as much as the rest of its module is no spike.
    """
    ok = pl.col("tid").map_elements(lambda t: not is_error.get(t, False), return_dtype=pl.Boolean)
    c = cur.filter(ok).group_by("mod").agg(pl.col("count").sum())
    b = base.filter(ok).group_by("mod").agg(pl.col("count").sum().alias("base"))
    both = c.join(b, on="mod").filter(
        (pl.col("count") >= MIN_MODULE_LINES) & (pl.col("base") >= MIN_MODULE_LINES)
    )
    low, high = FACTOR_RANGE
    return {
        mod: min(high, max(low, (count / minutes) / (base_count / base_minutes)))
        for mod, count, base_count in both.iter_rows()
    }


def compare(
    current: BatchStats,
    baseline: BatchStats,
    minutes: float,
    base_minutes: float,
    is_error: dict[int, bool],
) -> tuple[list[Change], float]:
    """The changes of ``current`` against ``baseline`` and the traffic factor used."""
    cur, base = per_template(current), per_template(baseline)
    factor = traffic_factor(current.buckets, baseline.buckets, minutes, base_minutes)
    joined = cur.join(
        base.select("tid", "mod", base="count"), on=["tid", "mod"], how="full", coalesce=True
    ).with_columns(pl.col("count").fill_null(0), pl.col("base").fill_null(0))
    known_errors = _baseline_texts(baseline, is_error)
    own = module_factors(cur, base, is_error, minutes, base_minutes)
    changes = []
    for row in joined.iter_rows(named=True):
        scale = own.get(row["mod"], factor)
        change = _classify(row, current, minutes, base_minutes, scale, is_error, known_errors)
        if change is not None:
            changes.append(change)
    changes.sort(key=lambda c: c.score, reverse=True)
    return changes, factor


def _classify(
    row: dict[str, object],
    current: BatchStats,
    minutes: float,
    base_minutes: float,
    factor: float,
    is_error: dict[int, bool],
    known: dict[bool, list[tuple[int, list[str]]]],
) -> Change | None:
    tid, mod = int(row["tid"]), row["mod"]  # type: ignore[call-overload]
    count, base = int(row["count"]), int(row["base"])  # type: ignore[call-overload]
    error = is_error.get(tid, False)
    scale = factor * minutes / base_minutes
    expected = base * scale
    text = current.text(tid)
    common = dict(
        template_id=tid,
        template=text,
        module=mod,
        baseline_per_min=base / base_minutes,
        current_per_min=count / minutes,
        count=count,
        error=error,
        baseline_count=base,
        scale=scale,
        first_ts=row.get("first_ts"),
    )
    if base == 0:
        variant = _variant_of(text, known[error])
        weight = (2.0 if error else NON_ERROR_WEIGHT) * (0.2 if variant is not None else 1.0)
        return Change(kind="new", score=weight * math.log1p(count), variant_of=variant, **common)  # type: ignore[arg-type]
    z = (count - expected) / math.sqrt(expected + 1.0)
    ratio = (count + 1.0) / (expected + 1.0)
    if count >= MIN_SPIKE_COUNT and ratio >= SPIKE_RATIO and z >= SPIKE_Z:
        weight = 1.0 if error else NON_ERROR_WEIGHT
        score = weight * math.log1p(count - expected) * min(math.log2(ratio), 4.0) / 2
        return Change(kind="spike", score=score, **common)  # type: ignore[arg-type]
    if expected >= MIN_DROP_EXPECTED and ratio <= DROP_RATIO and z <= -SPIKE_Z:
        score = NON_ERROR_WEIGHT * math.log1p(expected - count)
        return Change(kind="drop", score=score, **common)  # type: ignore[arg-type]
    return None


def _baseline_texts(
    baseline: BatchStats, is_error: dict[int, bool]
) -> dict[bool, list[tuple[int, list[str]]]]:
    """Tokenised texts of the baseline's templates, split by error flag."""
    known: dict[bool, list[tuple[int, list[str]]]] = {True: [], False: []}
    for tid in baseline.buckets["tid"].unique().to_list():
        known[is_error.get(tid, False)].append((tid, tokens(baseline.text(tid))))
    return known


def tokens(text: str) -> list[str]:
    """The words, numbers and ``<*>`` of a template, in order."""
    return _TOKEN.findall(text)


def _variant_of(text: str, known: list[tuple[int, list[str]]]) -> int | None:
    """A known template that differs from ``text`` by one word (a name, an id), if any."""
    mine = tokens(text)
    for tid, theirs in known:
        if len(theirs) == len(mine) and sum(a != b for a, b in zip(mine, theirs, strict=True)) <= 1:
            return tid
        if len(mine) >= 8 and SequenceMatcher(None, mine, theirs).ratio() >= 0.92:
            return tid
    return None
