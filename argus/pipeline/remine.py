"""Pass 1 again on a stored batch's unmatched records: template_mining's request (DESIGN.md §6).

The key texts pass 2 stored for the batch's files (``unmatched_log``) are re-fed into pass 1
over the library of record. When that drafted or generalised templates, every file of the batch
and of its baseline that had unmatched records and can still be read is counted again with the
grown index (its stored statistics replaced, as re-processing a file does, so the chat later
sees what the report saw and both windows share the new template ids); then the batch is
analysed again from what is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from argus.agents.context import Remine, Remined
from argus.agents.log_analysis import Analysis
from argus.config import Settings
from argus.graph.inputs import digest_of
from argus.mining.engine import MiningEngine
from argus.mining.pass1 import Pass1Stats
from argus.pipeline.drafter import run_drafter
from argus.pipeline.process import process_files, template_store
from argus.pipeline.stored_analysis import StoredBatch, analyse_stored, baseline_files
from argus.store.batch_stats import StoredFile, stored_files
from argus.store.connection import connect_sync
from argus.store.unmatched import unmatched_by_file, unmatched_key_texts


@dataclass(frozen=True, kw_only=True)
class Misses:
    """What pass 2 left unmatched in a stored batch and its baseline."""

    key_texts: list[str]  #: the batch's distinct unmatched key texts, for pass 1
    files: list[StoredFile]  #: readable files (batch and baseline) with unmatched records


def remine_port(settings: Settings, database_url: str, batch: StoredBatch) -> Remine:
    """The diagnosis' ``remine`` for a stored batch (see :func:`remine_stored`)."""

    async def remine() -> Remined:
        analysis, added = await asyncio.to_thread(remine_stored, settings, database_url, batch)
        return Remined(digest=digest_of(analysis), templates_added=added)

    return remine


def remine_stored(
    settings: Settings, database_url: str, batch: StoredBatch
) -> tuple[Analysis, int]:
    """Re-feed the batch's stored misses into pass 1, count again the files they can change,
    analyse the batch again; return the analysis and the templates added (blocking)."""
    misses = stored_misses(database_url, batch)
    grown = refeed(settings, database_url, batch, misses.key_texts)
    if grown.templates_added or grown.templates_revised:
        paths = [f.path for f in misses.files if f.path is not None]
        process_files(settings, database_url, paths, batch.log_format, "stats")
    _, analysis = analyse_stored(settings, database_url, batch)
    return analysis, grown.templates_added


def stored_misses(database_url: str, batch: StoredBatch) -> Misses:
    """The batch's unmatched key texts, and the files of the batch and of its baseline that
    have unmatched records and can still be read (only those can gain matches)."""
    ids = [f.file_id for f in batch.files]
    with connect_sync(database_url, autocommit=False, vectors=False) as conn:
        key_texts = unmatched_key_texts(conn, ids)
        every = [*ids, *(f.file_id for f in baseline_files(conn, batch))]
        missed = [fid for fid, count in unmatched_by_file(conn, every).items() if count > 0]
        files = stored_files(conn, missed)
    return Misses(key_texts=key_texts, files=[f for f in files if f.path is not None])


def refeed(
    settings: Settings, database_url: str, batch: StoredBatch, key_texts: Sequence[str]
) -> Pass1Stats:
    """Pass 1 over ``key_texts`` with the library of record (the library grows)."""
    with template_store(database_url) as store, run_drafter(settings) as drafter:
        engine = MiningEngine(
            store,
            settings.mining,
            batch.log_format,
            max_line_bytes=settings.limits.max_line_bytes,
            drafter=drafter,
        )
        return engine.refeed(list(key_texts))
