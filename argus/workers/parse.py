"""The parse stage: both passes over each file of a batch, then the per-file barrier.

Files of a batch are parsed in parallel (bounded per process); each file's outcome is recorded
on its own row, so a redelivered batch re-parses only the files not finished. A file that gives
no readable record (empty, binary, another format, a corrupt gzip) fails with its reason. When
the last file is done the barrier in PostgreSQL moves the batch to ``parsed`` and enqueues its
diagnose event in the same transaction (or fails it when no file had a readable line).
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from argus import events
from argus.batch_rows import BatchFile, BatchRecord
from argus.batch_status import UNFINISHED_FILES
from argus.ingest.formats import LogFormat
from argus.metrics import BATCHES, PARSE_SECONDS
from argus.pipeline.process import FileOutcome, process_files, unreadable_reason
from argus.store import batches
from argus.workers.stage import StageWorker


class ParseWorker(StageWorker):
    """Consumes ``argus.batches``; parses files; the barrier announces parsed batches."""

    topic = events.BATCHES
    stage = "parse"
    limit = "parse_concurrency"  #: files parsed at once

    async def process(self, batch_id: uuid.UUID, batch: BatchRecord) -> None:
        """Parse the unfinished files in parallel, then close the barrier."""
        fmt = LogFormat.parse(batch.labels.get("log_format"))
        todo = [f for f in batch.files if f.status in UNFINISHED_FILES]
        with PARSE_SECONDS.time():
            await asyncio.gather(*(self._one(batch_id, f, fmt) for f in todo))
        async with self.scope.db() as c:
            reached = await batches.close_parse_barrier(c, batch_id)
        if reached is not None:  # the barrier closed here: the batch is parsed, or failed
            BATCHES.labels(reached).inc()

    async def _one(self, batch_id: uuid.UUID, file: BatchFile, fmt: LogFormat) -> None:
        async with self.slots:
            outcome = await asyncio.to_thread(self._parse, file.path, fmt)
        error = unreadable_reason(outcome)
        async with self.scope.db() as c:
            await batches.file_done(c, batch_id, file.name, outcome.file_id, error, outcome.headed)

    def _parse(self, path: str | None, fmt: LogFormat) -> FileOutcome:
        if not path:
            return FileOutcome(path=Path("?"), file_id=None, error="the file was never uploaded")
        (outcome,) = process_files(self.settings, self.database_url, [Path(path)], fmt, "all")
        return outcome
