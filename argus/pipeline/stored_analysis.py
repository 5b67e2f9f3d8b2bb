"""A batch's analysis from what is stored: its statistics, its baseline's, and their trace lines.

Both the diagnosis and the chat analyse a batch this way, so the chat's suspects are the
report's. Statistics come from PostgreSQL; trace-id lines are not stored, so they are read
again from the files (where those can still be read) with the template index.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl
import psycopg

from argus.agents.log_analysis import Analysis, analyse
from argus.batch_rows import BatchRecord
from argus.batch_status import FileStatus
from argus.config import Settings
from argus.errors import NotReadyError
from argus.ingest.formats import LogFormat
from argus.mining.engine import MiningEngine
from argus.pipeline.process import template_store
from argus.store.batch_stats import (
    StoredFile,
    earlier_batch_files,
    load_batch_stats,
    stored_files,
)
from argus.store.connection import connect_sync
from argus.store.unmatched import unmatched_by_file
from argus.tools.digest import BatchStats
from argus.tools.traces import empty_traces, traces_of


@dataclass(frozen=True, kw_only=True)
class StoredBatch:
    """What to analyse: the batch's stored files and where its baseline comes from."""

    files: Sequence[StoredFile]  #: the batch's files whose statistics are stored
    source: str  #: the batch's source (its default baseline: earlier batches of it)
    log_format: LogFormat  #: how to read the files again for their trace lines
    #: explicit baseline files; None: the last diagnosed batches of ``source`` before this one
    baseline: Sequence[StoredFile] | None = None
    batch_id: uuid.UUID | str | None = None  #: the batch itself, when it is stored already


def analyse_stored(
    settings: Settings, database_url: str, batch: StoredBatch
) -> tuple[BatchStats, Analysis]:
    """The batch's statistics and their rule-based analysis against its baseline, with the
    count of its records no template matched (blocking)."""
    ids = [f.file_id for f in batch.files]
    with connect_sync(database_url, autocommit=False, vectors=False) as conn:
        current = load_batch_stats(conn, ids)
        unmatched = sum(unmatched_by_file(conn, ids).values())
        base = baseline_files(conn, batch)
        baseline = load_batch_stats(conn, [f.file_id for f in base]) if base else None
    with template_store(database_url) as store:
        engine = MiningEngine(
            store,
            settings.mining,
            batch.log_format,
            max_line_bytes=settings.limits.max_line_bytes,
        )
        current.traces = _traces(engine, batch.files)
        if baseline is not None and not current.traces.is_empty():  # else nothing to compare
            baseline.traces = _traces(engine, base)
    return current, replace(analyse(current, baseline, settings.diagnosis), unmatched=unmatched)


def baseline_files(conn: psycopg.Connection, batch: StoredBatch) -> Sequence[StoredFile]:
    """The batch's baseline: its explicit files, else the last diagnosed batches of its source."""
    if batch.baseline is not None:
        return batch.baseline
    ids = [f.file_id for f in batch.files]
    return earlier_batch_files(conn, batch.source, ids, before=batch.batch_id)


def _traces(engine: MiningEngine, files: Sequence[StoredFile]) -> pl.DataFrame:
    parts = [traces_of(engine, f.path) for f in files if f.path is not None]
    return pl.concat(parts) if parts else empty_traces()


def analyse_batch(
    settings: Settings, database_url: str, batch: BatchRecord
) -> tuple[BatchStats, Analysis]:
    """:func:`analyse_stored` for a batch row with its files (``store.batches.get_batch``):
    its parsed files, its source's default baseline, its log_format (blocking).
    NotReadyError while none of its files is parsed."""
    ids = parsed_ids(batch)
    with connect_sync(database_url, autocommit=False, vectors=False) as conn:
        files = stored_files(conn, ids)
    fmt = LogFormat.parse(batch.labels.get("log_format"))
    stored = StoredBatch(files=files, source=batch.source, log_format=fmt, batch_id=batch.batch_id)
    return analyse_stored(settings, database_url, stored)


def parsed_stats(database_url: str, batch: BatchRecord) -> BatchStats:
    """The statistics of a batch row's parsed files, without baseline or analysis (blocking).
    NotReadyError while none of its files is parsed."""
    with connect_sync(database_url, autocommit=False, vectors=False) as conn:
        return load_batch_stats(conn, parsed_ids(batch))


def parsed_ids(batch: BatchRecord) -> list[str]:
    """Ids of a batch row's parsed files (their statistics are stored), never empty:
    NotReadyError while none is parsed."""
    ids = [f.file_id for f in batch.files if f.file_id and f.status is FileStatus.PARSED]
    if not ids:
        raise NotReadyError(
            f"batch {batch.batch_id} has no parsed files yet (status: {batch.status})",
            hint="ask again once the batch is parsed",
        )
    return ids


def stats_and_baseline(
    database_url: str, batch: BatchRecord
) -> tuple[BatchStats, BatchStats | None]:
    """The statistics of a batch row's parsed files and of its default baseline (None when
    it has none), without trace lines or analysis: what its charts draw (blocking).
    NotReadyError while none of its files is parsed."""
    ids = parsed_ids(batch)
    with connect_sync(database_url, autocommit=False, vectors=False) as conn:
        current = load_batch_stats(conn, ids)
        stored = StoredBatch(
            files=stored_files(conn, ids),
            source=batch.source,
            log_format=LogFormat.parse(None),
            batch_id=batch.batch_id,
        )
        base = baseline_files(conn, stored)
        baseline = load_batch_stats(conn, [f.file_id for f in base]) if base else None
    return current, baseline
