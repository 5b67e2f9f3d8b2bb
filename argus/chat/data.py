"""What the chat tools read about one batch: its row, its report, its statistics (lazily).

The statistics are loaded once per question, on the first tool that needs them, and analysed as
the diagnosis does (:mod:`argus.pipeline.stored_analysis`: the same default baseline and trace
lines), so the chat's suspects are the report's. Nothing here writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from argus.agents.log_analysis import Analysis
from argus.batch_rows import BatchRecord
from argus.config import Settings, get_settings
from argus.knowledge.search import SearchHit
from argus.pipeline.stored_analysis import analyse_batch
from argus.report import Report
from argus.tools import views
from argus.tools.digest import BatchStats

#: Knowledge search: (query text, module or None) -> hits, best first.
KnowledgeSearch = Callable[[str, str | None], Awaitable[list[SearchHit]]]


@dataclass(kw_only=True)
class Statistics:
    """The batch's statistics and their analysis against the baseline."""

    current: BatchStats  #: minute buckets and template texts of the batch
    analysis: Analysis  #: digest, suspects, anomalies (rule-based, deterministic)


@dataclass(kw_only=True)
class BatchData:
    """Read-only access to one batch for the tools of one question."""

    batch: BatchRecord  #: the batch with its files (argus.store.batches.get_batch)
    report: Report | None  #: the stored diagnosis, None until diagnosed
    conninfo: str  #: database to read the statistics from
    search: KnowledgeSearch | None = None  #: None when no knowledge base is reachable
    settings: Settings | None = None  #: how to read the files again; None: get_settings()
    loaded: Statistics | None = field(default=None, repr=False)  #: set on first use
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def batch_id(self) -> str:
        """The batch id as text."""
        return str(self.batch.batch_id)

    async def statistics(self) -> Statistics:
        """The batch's statistics (loaded on first use, in a worker thread)."""
        async with self._lock:
            if self.loaded is None:
                self.loaded = await asyncio.to_thread(
                    load_statistics, self.conninfo, self.batch, self.settings or get_settings()
                )
        return self.loaded


def load_statistics(conninfo: str, batch: BatchRecord, settings: Settings) -> Statistics:
    """The batch's statistics analysed as its diagnosis does: the same default baseline (the
    last diagnosed batches of the source before it) and trace lines (blocking).
    NotReadyError while none of its files is parsed."""
    current, analysis = analyse_batch(settings, conninfo, batch)
    return Statistics(current=current, analysis=analysis)


def error_minutes(stats: Statistics, limit: int, module: str | None = None) -> list[dict[str, Any]]:
    """The minutes with the most error lines ({minute, lines, errors}), in time order."""
    return [minute.model_dump() for minute in views.error_minutes(stats.current, limit, module)]
