"""Eval cases mined once into batch statistics, ready to be analysed with any settings.

Each case is mined exactly as :func:`argus.evals.diagnose.graph_diagnose` mines it: one engine
with a private library per case, the baseline files first and then the batch, both counted with
the final index, after the pass-1 re-run the rule path asks for when too many of the batch's
records match no template. Without the baseline (``use_baseline=False``) a fresh engine mines
the batch alone. Results go through a :class:`~argus.evals.stats_cache.StatsCache`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from argus.config import Settings
from argus.evals.cases import Case
from argus.evals.offline import Counted, count_all, engine_for, mine_all, stats_of
from argus.evals.stats_cache import MinedStats, StatsCache, cache_key, file_stamps
from argus.mining.engine import MiningEngine
from argus.tools.digest import BatchStats


@dataclass(frozen=True, kw_only=True)
class PreparedCase:
    """A case with the statistics its diagnosis reads."""

    case: Case  #: the labelled case
    stats: MinedStats  #: its batch and baseline statistics (baseline None when not used)


@dataclass(frozen=True, kw_only=True)
class PrepareStep:
    """Progress of :func:`prepare_cases`: one case done."""

    done: int  #: cases prepared so far
    total: int  #: cases in all
    name: str  #: the case (or window) just prepared
    cached: bool  #: True when its statistics came from the cache
    seconds: float  #: time it took


PrepareProgress = Callable[[PrepareStep], None]


def mine_files(
    settings: Settings, log_format: str | None, logs: Sequence[Path], baseline: Sequence[Path]
) -> MinedStats:
    """Mine ``baseline`` then ``logs`` with one fresh engine; count both with its final index
    (after the pass-1 re-run :func:`count_batch` may make)."""
    engine = engine_for(settings, log_format)
    mine_all(engine, [*baseline, *logs])
    current, remined = count_batch(engine, logs, settings.mining.remine_unmatched_rate)
    base = stats_of(engine, baseline) if baseline else None
    return MinedStats(current=current, baseline=base, remined=remined)


def count_batch(
    engine: MiningEngine, logs: Sequence[Path], remine_rate: float
) -> tuple[BatchStats, bool]:
    """The batch's statistics; True when its share of unmatched records was above
    ``remine_rate``, so that its misses were fed to pass 1 and it was counted again.

    That is the re-run template_mining asks of ``graph_diagnose`` (which then counts the
    baseline again too): without it, the statistics would not be those ``argus eval`` analyses.
    """
    counted = count_all(engine, logs)
    if unmatched_share(counted) <= remine_rate:
        return counted.stats, False
    engine.refeed(counted.misses)
    return count_all(engine, logs).stats, True


def unmatched_share(counted: Counted) -> float:
    """Unmatched records among all the records counted (as ``BatchDigest.unmatched_rate``)."""
    total = int(counted.stats.buckets["count"].sum()) + counted.unmatched
    return counted.unmatched / total if total else 0.0


def prepare_case(
    case: Case, settings: Settings, cache: StatsCache, *, use_baseline: bool = True
) -> tuple[PreparedCase, bool]:
    """The case's statistics from the cache or freshly mined; True when they came from it."""
    baseline = case.baseline if use_baseline else ()
    variant = "case" if use_baseline else "case-no-baseline"
    key = cache_key(variant, settings, case.log_format, file_stamps([*baseline, *case.logs]))
    stats = cache.get(key)
    if stats is not None:
        return PreparedCase(case=case, stats=stats), True
    stats = mine_files(settings, case.log_format, case.logs, baseline)
    cache.put(key, stats)
    return PreparedCase(case=case, stats=stats), False


def prepare_cases(
    cases: Sequence[Case],
    settings: Settings,
    cache: StatsCache,
    *,
    use_baseline: bool = True,
    progress: PrepareProgress | None = None,
) -> list[PreparedCase]:
    """Every case prepared, in order, reporting each one to ``progress``."""
    prepared: list[PreparedCase] = []
    for case in cases:
        began = time.monotonic()
        one, cached = prepare_case(case, settings, cache, use_baseline=use_baseline)
        prepared.append(one)
        if progress:
            progress(
                PrepareStep(
                    done=len(prepared),
                    total=len(cases),
                    name=case.id,
                    cached=cached,
                    seconds=time.monotonic() - began,
                )
            )
    return prepared
