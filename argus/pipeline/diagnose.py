"""``argus diagnose``: one batch end to end on the local (or configured) services.

Files (and baseline files) go through both passes into PostgreSQL; the batch's statistics are
analysed against the baseline; the supervisor graph writes the report (template_mining may have
pass 1 re-run on the batch's stored misses: :mod:`argus.pipeline.remine`); the batch, its files
and its diagnosis are stored (with an embedding for similar-incident search).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from argus.agents.context import DiagnosisContext
from argus.batch_status import BatchStatus, FileStatus
from argus.config import Settings
from argus.errors import InputError
from argus.events import BatchEvent
from argus.graph.inputs import digest_of, knowledge_hits, llm_runtime
from argus.graph.run import run_diagnosis
from argus.ingest.formats import LogFormat
from argus.knowledge.embeddings import local_embedder
from argus.knowledge.incidents import index_diagnosis
from argus.knowledge.pack import seed_starter_pack_if_empty
from argus.knowledge.space import ensure_embedding_space
from argus.llm.usage import Usage, UsageLimits
from argus.pipeline.process import FileHooks, FileOutcome, process_files, unreadable_reason
from argus.pipeline.remine import remine_port
from argus.pipeline.stored_analysis import StoredBatch, analyse_stored
from argus.report import Report
from argus.store import batches
from argus.store.batch_stats import StoredFile
from argus.store.connection import connect


@dataclass(kw_only=True)
class BatchRequest:
    """What to diagnose."""

    paths: Sequence[Path]  #: the batch's files
    baseline: Sequence[Path] = ()  #: fault-free files of the same system (optional)
    log_format: str | None = None  #: logpai log_format; None: the bracket format
    source: str = "cli"  #: where the batch comes from
    labels: dict[str, str] | None = None  #: platform, firmware, ...
    batch_id: uuid.UUID | None = None  #: an existing batch (the service); None: create one


@dataclass(kw_only=True)
class BatchDiagnosis:
    """The outcome of one local diagnosis."""

    batch_id: uuid.UUID  #: the stored batch
    report: Report  #: the validated report
    files: list[FileOutcome]  #: what happened to each file
    errors: list[str]  #: non-fatal problems met by the agents


async def diagnose_batch(
    settings: Settings, database_url: str, request: BatchRequest, hooks: FileHooks | None = None
) -> BatchDiagnosis:
    """Run the passes, the analysis and the graph; store batch and diagnosis. ``hooks`` follow
    the files of the batch, then those of the baseline."""
    fmt = LogFormat.parse(request.log_format)
    files = await asyncio.to_thread(
        process_files, settings, database_url, request.paths, fmt, "all", hooks
    )
    return await diagnose_files(settings, database_url, request, files, hooks)


async def diagnose_files(
    settings: Settings,
    database_url: str,
    request: BatchRequest,
    files: list[FileOutcome],
    hooks: FileHooks | None = None,
    *,
    record_files: bool = True,
    announce: bool = False,
) -> BatchDiagnosis:
    """Analyse files whose statistics are stored, run the graph, store the diagnosis.

    ``record_files`` attaches the files to the batch (off when the parse stage already did);
    ``announce`` enqueues the ``argus.diagnosed`` event with the transition to "diagnosed";
    ``hooks`` follow the baseline files through the passes.
    Raises InputError when no file gave a readable record (nothing to diagnose).
    """
    _require_records(files)
    fmt = LogFormat.parse(request.log_format)
    base = (
        await asyncio.to_thread(
            process_files, settings, database_url, request.baseline, fmt, "all", hooks
        )
        if request.baseline
        else []
    )
    stored = StoredBatch(
        files=_stored(files),
        source=request.source,
        log_format=fmt,
        baseline=_stored(base) if request.baseline else None,
        batch_id=request.batch_id,
    )
    _, analysis = await asyncio.to_thread(analyse_stored, settings, database_url, stored)
    embedder = await asyncio.to_thread(local_embedder, settings.embedding_model)
    async with await connect(database_url) as conn:
        await seed_starter_pack_if_empty(conn, embedder)
        batch_id = await _open_batch(conn, request, files if record_files else [])
        limits, usage = UsageLimits.from_settings(settings.limits), Usage()
        with llm_runtime(settings, limits, usage) as llm:
            ctx = DiagnosisContext(
                batch_id=str(batch_id),
                analyse=lambda: digest_of(analysis),
                search=knowledge_hits(conn, embedder),
                labels=request.labels or {},
                llm=llm,
                limits=limits,
                usage=usage,
                remine=remine_port(settings, database_url, stored),
                remine_unmatched_rate=settings.mining.remine_unmatched_rate,
            )
            report, state = await run_diagnosis(ctx)
        await _close_batch(conn, batch_id, report, embedder, announce)
    return BatchDiagnosis(
        batch_id=batch_id, report=report, files=files, errors=list(state.get("errors", []))
    )


def _require_records(files: Sequence[FileOutcome]) -> None:
    """InputError naming each file's reason when none gave a readable record."""
    if any(f.file_id and f.headed > 0 for f in files):
        return
    reasons = "; ".join(f"{f.path.name} ({unreadable_reason(f) or 'no records'})" for f in files)
    raise InputError(
        f"no readable log lines: {reasons or 'no file given'}",
        hint="check the files and the log format (--format); nothing was diagnosed",
    )


def _stored(files: Sequence[FileOutcome]) -> list[StoredFile]:
    """Files with stored statistics; a file that failed part-way gives no trace lines."""
    return [
        StoredFile(file_id=f.file_id, path=None if f.error else f.path) for f in files if f.file_id
    ]


async def _open_batch(
    conn: psycopg.AsyncConnection[Any], request: BatchRequest, files: list[FileOutcome]
) -> uuid.UUID:
    labels = dict(request.labels or {})
    if request.log_format:  # as the service stores it: the chat reads the files again with it
        labels["log_format"] = request.log_format
    batch_id = request.batch_id or await batches.create_batch(
        conn, request.source, labels, BatchStatus.PARSED
    )
    if files:
        await batches.add_files(
            conn,
            batch_id,
            [
                (
                    f.path.name,
                    f.file_id,
                    FileStatus.FAILED if f.error else FileStatus.PARSED,
                    f.error,
                )
                for f in files
            ],
        )
    await batches.set_status(conn, batch_id, BatchStatus.DIAGNOSING)
    return batch_id


async def _close_batch(
    conn: psycopg.AsyncConnection[Any],
    batch_id: uuid.UUID,
    report: Report,
    embedder: Any,
    announce: bool,
) -> None:

    await batches.save_diagnosis(conn, batch_id, report)
    await ensure_embedding_space(conn, embedder)
    await index_diagnosis(conn, embedder, batch_id)
    event = BatchEvent(
        batch_id=batch_id,
        incident=report.incident,
        module=report.root_cause.module,
        category=report.root_cause.category,
    )
    await batches.finish_diagnosis(conn, batch_id, event if announce else None)
