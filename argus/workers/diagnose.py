"""The diagnose stage: the graph over a parsed batch's statistics, one diagnosis per batch.

Diagnoses in one process share one semaphore (``limits.diagnose_concurrency``), which bounds
the LLM work they do at once however many consumers run. A consumer claims its batch only once
it holds a slot, so a batch waiting for one still shows ``parsed``. The ``argus.diagnosed``
event is enqueued in the transaction that moves the batch to ``diagnosed``.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from argus import events
from argus.batch_rows import BatchRecord
from argus.batch_status import BatchStatus
from argus.metrics import BATCHES, DIAGNOSIS_SECONDS, LLM_CALLS, LLM_TOKENS
from argus.pipeline.diagnose import BatchRequest, diagnose_files
from argus.pipeline.process import FileOutcome
from argus.workers.stage import StageWorker


class DiagnoseWorker(StageWorker):
    """Consumes ``argus.parsed``; diagnoses; announces on ``argus.diagnosed``."""

    topic = events.PARSED
    stage = "diagnose"
    limit = "diagnose_concurrency"  #: diagnoses run at once
    claim_in_slot = True  #: a batch waiting for a slot still shows "parsed"

    async def process(self, batch_id: uuid.UUID, batch: BatchRecord) -> None:
        """Diagnose the batch from its parsed files; the outcome is announced with it."""
        labels = dict(batch.labels)
        files = [
            FileOutcome(path=Path(f.path), file_id=f.file_id, headed=f.records or 0, error=f.error)
            for f in batch.files
            if f.file_id and f.path and (f.records or 0) > 0
        ]
        request = BatchRequest(
            paths=[f.path for f in files],
            baseline=(),
            log_format=labels.pop("log_format", None),
            source=batch.source,
            labels=labels,
            batch_id=batch_id,
        )
        with DIAGNOSIS_SECONDS.time():  # within a slot: see claim_in_slot
            result = await diagnose_files(
                self.settings, self.database_url, request, files, record_files=False, announce=True
            )
        BATCHES.labels(BatchStatus.DIAGNOSED).inc()
        LLM_CALLS.inc(result.report.llm_calls)
        LLM_TOKENS.inc(result.report.tokens)
