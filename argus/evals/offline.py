"""Batch statistics of local files without a database (the eval harness's data path).

Every file of a case (baseline first, then the batch) is mined with one in-memory library, then
all are counted again with the final index so that the same line gets the same template id in
both windows. Trace ids are extracted from the matched records (see
:func:`argus.tools.traces.trace_lines`).
"""

from __future__ import annotations

from collections.abc import Sequence
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


def stats_of(engine: MiningEngine, paths: Sequence[Path]) -> BatchStats:
    """Count ``paths`` with the engine's current index: merged buckets, texts and traces."""
    buckets = [engine.count(path)[0].buckets for path in paths]
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
