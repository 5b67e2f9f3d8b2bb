"""What every stage worker shares: the consumer loop, claims with renewed leases, the DLQ.

Offsets are committed only after the stage's result is durable in PostgreSQL, so a worker that
dies mid-way leaves the message to be redelivered; a claim (a lease on the batch row, renewed
while the worker lives) keeps two workers off one batch, and a stage already done is skipped
(one diagnosis per batch). A message that cannot be handled goes to ``argus.dlq`` with the error
and never blocks the partition.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord, TopicPartition

from argus.api.metrics import BATCHES, ERRORS, QUEUE_LAG
from argus.config import Settings
from argus.store import batches

log = logging.getLogger(__name__)

#: A claim not renewed for this long belongs to a dead worker and may be taken over.
LEASE_S = 20.0
RENEW_EVERY_S = 5.0
#: Where a batch left in each state is announced again on start.
RESUME_TOPIC = {"uploaded": "argus.batches", "parsing": "argus.batches",
                "parsed": "argus.parsed", "diagnosing": "argus.parsed"}  # fmt: skip


class StageWorker(ABC):
    """One consumer of a stage's consumer group (run several to scale out)."""

    topic: ClassVar[str]  #: the topic consumed
    stage: ClassVar[str]  #: "parse" or "diagnose": the claim kind and the group's suffix
    limit: ClassVar[str]  #: the ``limits`` setting bounding the units run at once per process
    #: True: a batch is claimed only once a slot is free, so while it waits it keeps the state
    #: it was queued in; False: claim at once and let ``process`` take slots for its parts.
    claim_in_slot: ClassVar[bool] = False

    def __init__(
        self, settings: Settings, database_url: str, bootstrap: str,
        slots: asyncio.Semaphore | None = None,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.database_url = database_url
        self.bootstrap = bootstrap
        self.slots = slots or asyncio.Semaphore(self.concurrency(settings))

    @classmethod
    def concurrency(cls, settings: Settings) -> int:
        """How many units of this stage may run at once in one process."""
        return int(getattr(settings.limits, cls.limit))

    @abstractmethod
    async def process(
        self, batch_id: uuid.UUID, batch: dict[str, Any], producer: AIOKafkaProducer
    ) -> None:
        """Do the stage for a claimed batch and announce the next one."""

    @property
    def group(self) -> str:
        """The consumer group: the configured prefix and the stage."""
        return f"{self.settings.kafka_group}-{self.stage}"

    async def run(self) -> None:
        """Consume until cancelled."""
        consumer = AIOKafkaConsumer(
            self.topic, bootstrap_servers=self.bootstrap, group_id=self.group,
            enable_auto_commit=False, auto_offset_reset="earliest",
            session_timeout_ms=10_000, heartbeat_interval_ms=1_000,
        )  # fmt: skip
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        try:  # stopped however the run ends, even while still joining: no ghost group member
            await consumer.start()
            await producer.start()
            await self._resume_stale(producer)
            async for message in consumer:
                self._record_lag(consumer, message)
                await self._handle(message.value, producer)
                await consumer.commit()
        finally:
            await consumer.stop()
            await producer.stop()

    def _record_lag(self, consumer: AIOKafkaConsumer, message: ConsumerRecord[Any, Any]) -> None:
        partition = TopicPartition(message.topic, message.partition)
        end = consumer.highwater(partition)
        if end is not None:
            QUEUE_LAG.labels(self.topic, self.group, str(message.partition)).set(
                max(0, end - message.offset - 1)
            )

    async def _handle(self, raw: bytes, producer: AIOKafkaProducer) -> None:
        try:
            batch_id = uuid.UUID(str(json.loads(raw)["batch_id"]))
        except (ValueError, KeyError, TypeError) as exc:
            await self._dead_letter(producer, raw, f"malformed event: {exc!r}")
            return
        try:
            async with self._admission():
                batch = await self._claim(batch_id)
                if batch is not None:
                    async with self._renewing(batch_id):
                        await self.process(batch_id, batch, producer)
        except Exception as exc:  # the batch fails with its reason; the partition goes on
            ERRORS.labels(type(exc).__name__).inc()
            await self.fail(batch_id, f"{type(exc).__name__}: {exc}")
            await self._dead_letter(producer, raw, f"{type(exc).__name__}: {exc}")

    def _admission(self) -> contextlib.AbstractAsyncContextManager[Any]:
        return self.slots if self.claim_in_slot else contextlib.nullcontext()

    async def _claim(self, batch_id: uuid.UUID) -> dict[str, Any] | None:
        """Claim the batch for this stage, waiting out a claim held by a worker that may have
        died (or an earlier stage still running); None when there is nothing to do."""
        async with await psycopg.AsyncConnection.connect(self.database_url, autocommit=True) as c:
            for _ in range(int(LEASE_S / 2) + 5):
                outcome = await batches.claim(c, batch_id, LEASE_S, self.stage)
                if outcome == "missing":
                    raise LookupError(f"no batch {batch_id}")
                if outcome == "done":
                    return None  # redelivered after success: exactly once
                if outcome == "claimed":
                    return await batches.get_batch(c, batch_id)
                await asyncio.sleep(2.0)  # busy: its holder renews the claim while it lives
        return None  # still held by a live worker: it will finish the stage

    @contextlib.asynccontextmanager
    async def _renewing(self, batch_id: uuid.UUID) -> AsyncIterator[None]:
        async def renew() -> None:
            async with await psycopg.AsyncConnection.connect(
                self.database_url, autocommit=True
            ) as conn:
                while True:
                    await asyncio.sleep(RENEW_EVERY_S)
                    await batches.renew(conn, batch_id)

        task = asyncio.create_task(renew())
        try:
            yield
        finally:
            task.cancel()

    async def _resume_stale(self, producer: AIOKafkaProducer) -> None:
        """Re-announce batches left mid-way by workers that died (claims time out)."""
        async with await psycopg.AsyncConnection.connect(self.database_url, autocommit=True) as c:
            stale = await batches.stale_batches(c, LEASE_S)
        for batch_id, state in stale:
            if RESUME_TOPIC[state] == self.topic:
                await announce(producer, self.topic, batch_id)

    async def fail(self, batch_id: uuid.UUID, reason: str) -> None:
        """Mark the batch failed with its reason."""
        BATCHES.labels("failed").inc()
        async with await psycopg.AsyncConnection.connect(self.database_url, autocommit=True) as c:
            await batches.set_status(c, batch_id, "failed", reason[:2000])

    async def _dead_letter(self, producer: AIOKafkaProducer, raw: bytes, error: str) -> None:
        log.warning("dead-lettering a batch event: %s", error)
        body = json.dumps({"event": raw.decode("utf-8", "replace"), "error": error}).encode()
        await producer.send_and_wait("argus.dlq", body)


async def announce(
    producer: AIOKafkaProducer, topic: str, batch_id: uuid.UUID, **extra: Any
) -> None:
    """Publish a batch event (keyed by the batch, so one batch stays on one partition)."""
    event = json.dumps({"batch_id": str(batch_id), **extra}).encode()
    await producer.send_and_wait(topic, event, key=str(batch_id).encode())
