"""The batch worker: consumes ``argus.batches``, parses and diagnoses, publishes the outcome.

Offsets are committed only after the diagnosis is stored, so a worker that dies mid-way leaves
the message to be redelivered; a batch already diagnosed is skipped (one diagnosis per batch).
A message that cannot be handled goes to ``argus.dlq`` with the error and never blocks the
partition. Concurrent diagnoses are bounded by a semaphore.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from pathlib import Path
from typing import Any

import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from rich.console import Console

from argus.api.metrics import BATCHES, DIAGNOSIS_SECONDS, ERRORS, LLM_CALLS, LLM_TOKENS
from argus.config import Settings
from argus.graph.diagnose import BatchRequest, diagnose_batch
from argus.store import batches

log = logging.getLogger(__name__)

#: A claim not renewed for this long belongs to a dead worker and may be taken over.
LEASE_S = 20.0
RENEW_EVERY_S = 5.0


class BatchWorker:
    """One consumer of the batch pipeline (run several, in one group, to scale out)."""

    def __init__(self, settings: Settings, database_url: str, bootstrap: str) -> None:
        self.settings = settings
        self.database_url = database_url
        self.bootstrap = bootstrap
        self.slots = asyncio.Semaphore(settings.limits.diagnose_concurrency)
        self.console = Console(quiet=True)

    async def run(self) -> None:
        """Consume until cancelled."""
        consumer = AIOKafkaConsumer(
            "argus.batches", bootstrap_servers=self.bootstrap, group_id=self.settings.kafka_group,
            enable_auto_commit=False, auto_offset_reset="earliest",
            session_timeout_ms=10_000, heartbeat_interval_ms=1_000,
        )  # fmt: skip
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        await consumer.start()
        await producer.start()
        await self._resume_stale(producer)
        try:
            async for message in consumer:
                await self._handle(message.value, producer)
                await consumer.commit()
        finally:
            await consumer.stop()
            await producer.stop()

    async def _handle(self, raw: bytes, producer: AIOKafkaProducer) -> None:
        try:
            batch_id = uuid.UUID(str(json.loads(raw)["batch_id"]))
        except (ValueError, KeyError, TypeError) as exc:
            await self._dead_letter(producer, raw, f"malformed event: {exc!r}")
            return
        try:
            async with self.slots:
                outcome = await self._diagnose(batch_id)
        except Exception as exc:  # the batch fails with its reason; the partition goes on
            ERRORS.labels(type(exc).__name__).inc()
            await self._fail(batch_id, f"{type(exc).__name__}: {exc}")
            await self._dead_letter(producer, raw, f"{type(exc).__name__}: {exc}")
            return
        if outcome is not None:
            await producer.send_and_wait("argus.diagnosed", json.dumps(outcome).encode(),
                                         key=str(batch_id).encode())  # fmt: skip

    async def _resume_stale(self, producer: AIOKafkaProducer) -> None:
        """Re-announce batches left mid-way by workers that died (claims time out)."""
        async with await psycopg.AsyncConnection.connect(self.database_url, autocommit=True) as c:
            stale = await batches.stale_batches(c, LEASE_S)
        for batch_id in stale:
            event = json.dumps({"batch_id": str(batch_id)}).encode()
            await producer.send_and_wait("argus.batches", event, key=str(batch_id).encode())

    async def _claim(self, batch_id: uuid.UUID) -> dict[str, Any] | None:
        """Claim the batch, waiting out a live claim held by a worker that may have died."""
        async with await psycopg.AsyncConnection.connect(self.database_url, autocommit=True) as c:
            for _ in range(int(LEASE_S / 2) + 5):
                outcome = await batches.claim(c, batch_id, LEASE_S)
                if outcome == "missing":
                    raise LookupError(f"no batch {batch_id}")
                if outcome == "done":
                    return None  # redelivered after success: exactly once
                if outcome == "claimed":
                    return await batches.get_batch(c, batch_id)
                await asyncio.sleep(2.0)  # busy: its holder renews the claim while it lives
        return None  # still held by a live worker: it will finish the batch

    async def _renew(self, batch_id: uuid.UUID) -> None:
        async with await psycopg.AsyncConnection.connect(self.database_url, autocommit=True) as c:
            while True:
                await asyncio.sleep(RENEW_EVERY_S)
                await batches.renew(c, batch_id)

    async def _diagnose(self, batch_id: uuid.UUID) -> dict[str, Any] | None:
        batch = await self._claim(batch_id)
        if batch is None:
            return None
        renewing = asyncio.create_task(self._renew(batch_id))
        try:
            return await self._run_batch(batch_id, batch)
        finally:
            renewing.cancel()

    async def _run_batch(self, batch_id: uuid.UUID, batch: dict[str, Any]) -> dict[str, Any]:
        labels = {k: str(v) for k, v in (batch["labels"] or {}).items()}
        request = BatchRequest(
            [Path(f["path"]) for f in batch["files"] if f["path"]], (),
            labels.pop("log_format", None), batch["source"], labels, batch_id,
        )  # fmt: skip
        with DIAGNOSIS_SECONDS.time():
            result = await diagnose_batch(self.settings, self.database_url, request, self.console)
        BATCHES.labels("diagnosed").inc()
        LLM_CALLS.inc(result.report.llm_calls)
        LLM_TOKENS.inc(result.report.tokens)
        return {"batch_id": str(batch_id), "incident": result.report.incident,
                "module": result.report.root_cause.module,
                "category": result.report.root_cause.category}  # fmt: skip

    async def _fail(self, batch_id: uuid.UUID, reason: str) -> None:
        BATCHES.labels("failed").inc()
        async with await psycopg.AsyncConnection.connect(self.database_url, autocommit=True) as c:
            await batches.set_status(c, batch_id, "failed", reason[:2000])

    async def _dead_letter(self, producer: AIOKafkaProducer, raw: bytes, error: str) -> None:
        log.warning("dead-lettering a batch event: %s", error)
        body = json.dumps({"event": raw.decode("utf-8", "replace"), "error": error}).encode()
        await producer.send_and_wait("argus.dlq", body)
