"""The diagnose stage: the graph over a parsed batch's statistics, one diagnosis per batch.

Diagnoses in one process share one semaphore (``limits.diagnose_concurrency``), which bounds
the LLM work they do at once however many consumers run. A consumer claims its batch only once
it holds a slot, so a batch waiting for one still shows ``parsed``.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from rich.console import Console

from argus.api.metrics import BATCHES, DIAGNOSIS_SECONDS, LLM_CALLS, LLM_TOKENS
from argus.graph.diagnose import BatchRequest, diagnose_files
from argus.ingest.pipeline import FileOutcome
from argus.workers.stage import StageWorker, announce


class DiagnoseWorker(StageWorker):
    """Consumes ``argus.parsed``; diagnoses; announces on ``argus.diagnosed``."""

    topic = "argus.parsed"
    stage = "diagnose"
    limit = "diagnose_concurrency"  #: diagnoses run at once
    claim_in_slot = True  #: a batch waiting for a slot still shows "parsed"

    async def process(
        self, batch_id: uuid.UUID, batch: dict[str, Any], producer: AIOKafkaProducer
    ) -> None:
        """Diagnose the batch from its parsed files and publish the outcome."""
        labels = {k: str(v) for k, v in (batch["labels"] or {}).items()}
        files = [FileOutcome(Path(f["path"]), f["file_id"], error=f["error"])
                 for f in batch["files"] if f["file_id"] and f["path"]]  # fmt: skip
        request = BatchRequest([f.path for f in files], (), labels.pop("log_format", None),
                               batch["source"], labels, batch_id)  # fmt: skip
        with DIAGNOSIS_SECONDS.time():  # within a slot: see claim_in_slot
            result = await diagnose_files(self.settings, self.database_url, request, files,
                                          Console(quiet=True), record_files=False)  # fmt: skip
        BATCHES.labels("diagnosed").inc()
        LLM_CALLS.inc(result.report.llm_calls)
        LLM_TOKENS.inc(result.report.tokens)
        await announce(producer, "argus.diagnosed", batch_id, incident=result.report.incident,
                       module=result.report.root_cause.module,
                       category=result.report.root_cause.category)  # fmt: skip
