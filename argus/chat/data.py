"""What the chat tools read about one batch: its row, its report, its statistics (lazily).

The statistics are loaded once per question, on the first tool that needs them, and analysed as
the diagnosis does (:mod:`argus.graph.stored_analysis`: the same default baseline and trace
lines), so the chat's suspects are the report's. Nothing here writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import psycopg

from argus.agents.log_analysis import Analysis
from argus.chat.views import stamp
from argus.config import Settings, get_settings
from argus.errors import NotFoundError
from argus.graph.stored_analysis import StoredBatch, analyse_stored
from argus.ingest.formats import LogFormat
from argus.store.batch_stats import load_batch_stats, stored_files
from argus.tools.digest import BatchStats
from argus.tools.statistics import error_flags

#: Knowledge search: (query text, module or None) -> hits as plain dicts, best first.
KnowledgeSearch = Callable[[str, str | None], Awaitable[list[dict[str, Any]]]]


@dataclass
class Statistics:
    """The batch's statistics and their analysis against the baseline."""

    current: BatchStats  #: minute buckets and template texts of the batch
    analysis: Analysis  #: digest, suspects, anomalies (rule-based, deterministic)


@dataclass
class BatchData:
    """Read-only access to one batch for the tools of one question."""

    batch: dict[str, Any]  #: the batch row with its files (argus.store.batches.get_batch)
    report: dict[str, Any] | None  #: the stored diagnosis, None until diagnosed
    conninfo: str  #: database to read the statistics from
    search: KnowledgeSearch | None = None  #: None when no knowledge base is reachable
    settings: Settings | None = None  #: how to read the files again; None: get_settings()
    loaded: Statistics | None = field(default=None, repr=False)  #: set on first use
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def batch_id(self) -> str:
        """The batch id as text."""
        return str(self.batch["batch_id"])

    async def statistics(self) -> Statistics:
        """The batch's statistics (loaded on first use, in a worker thread)."""
        async with self._lock:
            if self.loaded is None:
                self.loaded = await asyncio.to_thread(
                    load_statistics, self.conninfo, self.batch, self.settings or get_settings()
                )
        return self.loaded


def parsed_file_ids(batch: dict[str, Any]) -> list[str]:
    """Ids of the batch's files whose statistics are stored."""
    return [
        str(f["file_id"])
        for f in batch.get("files", [])
        if f.get("file_id") and f.get("status") == "parsed"
    ]


def load_statistics(conninfo: str, batch: dict[str, Any], settings: Settings) -> Statistics:
    """The batch's statistics analysed as its diagnosis does: the same default baseline (the
    last diagnosed batches of the source before it) and trace lines (blocking)."""
    ids = _parsed_ids(batch)
    with psycopg.connect(conninfo) as conn:
        files = stored_files(conn, ids)
    fmt = LogFormat.parse((batch.get("labels") or {}).get("log_format"))
    stored = StoredBatch(files, str(batch["source"]), fmt, batch_id=batch["batch_id"])
    return Statistics(*analyse_stored(settings, conninfo, stored))


def load_current(conninfo: str, batch: dict[str, Any]) -> BatchStats:
    """The batch's own statistics, without baseline or analysis (blocking)."""
    with psycopg.connect(conninfo) as conn:
        return _current(conn, batch)


def _current(conn: psycopg.Connection, batch: dict[str, Any]) -> BatchStats:
    return load_batch_stats(conn, _parsed_ids(batch))


def _parsed_ids(batch: dict[str, Any]) -> list[str]:
    ids = parsed_file_ids(batch)
    if not ids:
        raise NotFoundError(
            f"batch {batch['batch_id']} has no parsed files yet (status: {batch['status']})",
            hint="ask again once the batch is parsed",
        )
    return ids


def error_ids(stats: Statistics) -> set[int]:
    """Template ids of the batch written at an error level or with error words."""
    flags = error_flags(stats.current, stats.current.buckets)
    return {tid for tid, on in flags.items() if on}


def error_minutes(stats: Statistics, limit: int, module: str | None = None) -> list[dict[str, Any]]:
    """The minutes with the most error lines ({minute, lines, errors}), in time order."""
    buckets = stats.current.buckets.drop_nulls("minute")
    if module is not None:
        buckets = buckets.filter(pl.col("mod") == module)
    ids = list(error_ids(stats))
    per = buckets.group_by("minute").agg(
        lines=pl.col("count").sum(),
        errors=pl.col("count").filter(pl.col("tid").is_in(ids)).sum(),
    )
    top = per.filter(pl.col("errors") > 0).sort("errors", descending=True).head(limit)
    return [{"minute": stamp(minute), "lines": lines, "errors": errors}
            for minute, lines, errors in top.sort("minute").iter_rows()]  # fmt: skip
