"""Batch statistics of local files without a database (the eval harness's data path).

Every file of a case (baseline first, then the batch) is mined with one in-memory library, then
all are counted again with the final index so that the same line gets the same template id in
both windows. Trace ids are extracted from the matched records (see
:func:`argus.tools.traces.trace_lines`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from argus.config import Settings
from argus.ingest.formats import LogFormat
from argus.mining.engine import MiningEngine
from argus.mining.library import MemoryTemplateStore
from argus.mining.pass2 import empty_buckets
from argus.tools.digest import BatchStats, TemplateText
from argus.tools.traces import empty_traces, traces_of


def engine_for(settings: Settings, log_format: str | None) -> MiningEngine:
    """A mining engine with a private in-memory library."""
    return MiningEngine(
        MemoryTemplateStore(),
        settings.mining,
        LogFormat.parse(log_format),
        max_line_bytes=settings.limits.max_line_bytes,
    )


def mine_all(engine: MiningEngine, paths: Sequence[Path]) -> None:
    """Pass 1 (with pass-2 re-feeding) over every file: the library evolves."""
    for path in paths:
        engine.process(path)


@dataclass(kw_only=True)
class Counted:
    """Files counted with the engine's current index: their statistics and their misses."""

    stats: BatchStats  #: merged buckets, texts and traces
    unmatched: int = 0  #: records no template matched
    misses: list[str] = field(default_factory=list)  #: their distinct key texts (capped per file)


def stats_of(engine: MiningEngine, paths: Sequence[Path]) -> BatchStats:
    """Count ``paths`` with the engine's current index: merged buckets, texts and traces."""
    return count_all(engine, paths).stats


def count_all(engine: MiningEngine, paths: Sequence[Path]) -> Counted:
    """Count ``paths`` with the engine's current index: statistics, unmatched records, misses."""
    results = [engine.count(path)[0] for path in paths]
    misses = dict.fromkeys(key for r in results for key in r.unmatched)
    return Counted(
        stats=_stats(engine, paths, [r.buckets for r in results]),
        unmatched=sum(r.unmatched_records for r in results),
        misses=list(misses),
    )


def _stats(engine: MiningEngine, paths: Sequence[Path], buckets: list[pl.DataFrame]) -> BatchStats:
    """Merged buckets with the index's template texts and the files' trace lines."""
    traces = [traces_of(engine, path) for path in paths]
    texts = {
        t.template_id: TemplateText(
            template_id=t.template_id, template=t.template, sample=t.sample, category=t.category
        )
        for t in engine.holder.active.templates
    }
    return BatchStats(
        buckets=pl.concat(buckets) if buckets else empty_buckets(),
        templates=texts,
        traces=pl.concat(traces) if traces else empty_traces(),
    )
