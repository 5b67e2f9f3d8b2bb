"""What every stage worker shares: the consumer loop, claims with renewed leases, fault handling.

Offsets are committed only after the stage's result is durable in PostgreSQL, so a worker that
dies mid-way leaves the message to be redelivered; a claim (a lease on the batch row, renewed
while the worker lives, carrying the owner's instance id) keeps two workers off one batch, and a
stage already done is skipped (one diagnosis per batch). Events of the next stage go to the
outbox in the transaction that moves the batch (see ``argus.store.outbox``).

Faults are told apart: an event that cannot be handled goes to ``argus.dlq`` and never blocks
the partition; a fault of the input fails the batch with a reason the user can act on; a fault
of the infrastructure (database, broker, a service down) fails nothing: the consumer stops
without committing, the supervisor restarts it after a back-off, and the event comes again.

Each step of a batch is logged on one line, ``<step> stage=<stage> batch=<id> [key=value ...]``:
claim, start and finish (or skip) at INFO; fail, dlq and interrupted at WARNING.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, assert_never

import psycopg
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord, TopicPartition

from argus.batch_rows import BatchRecord
from argus.batch_status import BatchStatus
from argus.config import Settings
from argus.errors import DatabaseUnavailable, FormatError, InputError
from argus.events import BatchEvent
from argus.metrics import BATCHES, ERRORS, LIVE_CONSUMERS, QUEUE_LAG
from argus.runtime.services import Services
from argus.store import batches, outbox
from argus.store.batches import ClaimOutcome
from argus.store.connection import Connect, connect, direct
from argus.workers.faults import is_infrastructure

log = logging.getLogger(__name__)

#: A claim not renewed for this long belongs to a dead worker and may be taken over.
LEASE_S = 20.0
RENEW_EVERY_S = 5.0


@dataclass(kw_only=True)
class WorkerScope:
    """What the stage workers of one process share."""

    owner: str  #: this process's instance id, written on every claim it takes
    db: Connect  #: short database work (claims, failures, dead letters): the process's pool
    live: dict[str, int] = field(default_factory=dict)  #: running consumers per stage
    active: set[uuid.UUID] = field(default_factory=set)  #: batches this process works on now

    def consumers(self, stage: str) -> int:
        """How many consumers of ``stage`` are connected now."""
        return self.live.get(stage, 0)


class StageWorker(ABC):
    """One consumer of a stage's consumer group (run several to scale out)."""

    topic: ClassVar[str]  #: the topic consumed
    stage: ClassVar[str]  #: "parse" or "diagnose": the claim kind and the group's suffix
    limit: ClassVar[str]  #: the ``limits`` setting bounding the units run at once per process
    #: True: a batch is claimed only once a slot is free, so while it waits it keeps the state
    #: it was queued in; False: claim at once and let ``process`` take slots for its parts.
    claim_in_slot: ClassVar[bool] = False

    def __init__(
        self,
        settings: Settings,
        services: Services,
        slots: asyncio.Semaphore | None = None,
        scope: WorkerScope | None = None,
    ) -> None:
        self.settings = settings
        self.database_url = services.database_url
        self.bootstrap = services.kafka_bootstrap
        self.slots = slots or asyncio.Semaphore(self.concurrency(settings))
        self.scope = scope or WorkerScope(
            owner=f"anonymous-{uuid.uuid4()}", db=direct(services.database_url)
        )

    @classmethod
    def concurrency(cls, settings: Settings) -> int:
        """How many units of this stage may run at once in one process."""
        return int(getattr(settings.limits, cls.limit))

    @abstractmethod
    async def process(self, batch_id: uuid.UUID, batch: BatchRecord) -> None:
        """Do the stage for a claimed batch; enqueue the next stage's event with its result."""

    @property
    def group(self) -> str:
        """The consumer group: the configured prefix and the stage."""
        return f"{self.settings.kafka_group}-{self.stage}"

    async def run(self) -> None:
        """Consume until cancelled; an infrastructure fault ends the run (see module doc)."""
        consumer = group_consumer(self.topic, bootstrap=self.bootstrap, group=self.group)
        try:  # stopped however the run ends, even while still joining: no ghost group member
            await consumer.start()
            with self._counted():
                async for message in consumer:
                    self._record_lag(consumer, message)
                    await self._handle(message.value)
                    await consumer.commit()
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()

    @contextlib.contextmanager
    def _counted(self) -> Any:
        self.scope.live[self.stage] = self.scope.consumers(self.stage) + 1
        LIVE_CONSUMERS.labels(self.stage).inc()
        try:
            yield
        finally:
            self.scope.live[self.stage] -= 1
            LIVE_CONSUMERS.labels(self.stage).dec()

    def _record_lag(self, consumer: AIOKafkaConsumer, message: ConsumerRecord[Any, Any]) -> None:
        partition = TopicPartition(message.topic, message.partition)
        end = consumer.highwater(partition)
        if end is not None:
            QUEUE_LAG.labels(self.topic, self.group, str(message.partition)).set(
                max(0, end - message.offset - 1)
            )

    async def _handle(self, raw: bytes) -> None:
        try:
            event = BatchEvent.decode(raw)
        except FormatError as exc:
            await self._dead_letter(raw, exc.message, None)
            return
        try:
            async with self._admission():
                await self._claimed(event.batch_id)
        except LookupError as exc:
            await self._dead_letter(raw, str(exc), event.batch_id)
        except InputError as exc:  # the batch's own fault: failed, with what to do about it
            ERRORS.labels(type(exc).__name__).inc()
            await self.fail(event.batch_id, str(exc))
        except Exception as exc:
            ERRORS.labels(type(exc).__name__).inc()
            if is_infrastructure(exc):
                self._note(logging.WARNING, "interrupted", event.batch_id, error=type(exc).__name__)
                raise  # nothing committed: the supervisor restarts this consumer, the event returns
            log.exception("error stage=%s batch=%s", self.stage, event.batch_id)
            await self.fail(
                event.batch_id,
                f"internal error in the {self.stage} stage "
                f"({type(exc).__name__}); retry it with POST "
                f"/api/v1/batches/{event.batch_id}/retry",
            )
            await self._dead_letter(raw, f"{type(exc).__name__}: {str(exc)[:500]}", event.batch_id)

    def _note(self, level: int, step: str, batch_id: uuid.UUID | None, **fields: object) -> None:
        """Log one step of a batch as ``<step> stage=<stage> batch=<id|-> [key=value ...]``."""
        extra = "".join(f" {key}={value}" for key, value in fields.items())
        log.log(level, "%s stage=%s batch=%s%s", step, self.stage, batch_id or "-", extra)

    async def _claimed(self, batch_id: uuid.UUID) -> None:
        batch = await self._claim(batch_id)
        if batch is None:
            return
        self._note(logging.INFO, "claim", batch_id, owner=self.scope.owner)
        self.scope.active.add(batch_id)
        try:
            async with self._renewing(batch_id):
                self._note(logging.INFO, "start", batch_id)
                began = time.monotonic()
                await self.process(batch_id, batch)
            self._note(logging.INFO, "finish", batch_id, seconds=f"{time.monotonic() - began:.2f}")
        finally:
            self.scope.active.discard(batch_id)

    def _admission(self) -> contextlib.AbstractAsyncContextManager[Any]:
        return self.slots if self.claim_in_slot else contextlib.nullcontext()

    async def _claim(self, batch_id: uuid.UUID) -> BatchRecord | None:
        """Claim the batch for this stage and return it; None (the skip logged with the
        outcome) when there is nothing to do here: the stage is done (redelivered after success:
        exactly once), a live worker holds the batch (if it dies, its lease expires and the
        sweep announces the batch again), an earlier stage has not finished (its own event
        comes later), or the batch failed (only a retry resumes it). LookupError when there is
        no such batch. A claim of this process that none of its workers holds (left by a
        consumer that was restarted) is taken back at once."""
        async with self.scope.db() as c:
            outcome = await batches.claim(
                c,
                batch_id,
                LEASE_S,
                self.stage,
                self.scope.owner,
                reclaim_own=batch_id not in self.scope.active,
            )
            match outcome:
                case ClaimOutcome.CLAIMED:
                    return await batches.get_batch(c, batch_id)
                case ClaimOutcome.MISSING:
                    raise LookupError(f"no batch {batch_id}")
                case (
                    ClaimOutcome.DONE
                    | ClaimOutcome.HELD
                    | ClaimOutcome.NOT_READY
                    | ClaimOutcome.FAILED
                ):
                    self._note(logging.INFO, "skip", batch_id, reason=outcome.value)
                    return None
                case _:
                    assert_never(outcome)

    @contextlib.asynccontextmanager
    async def _renewing(self, batch_id: uuid.UUID) -> AsyncIterator[None]:
        async def renew() -> None:
            while True:  # a database hiccup must not end the renewals of a live claim
                with contextlib.suppress(psycopg.Error, OSError, DatabaseUnavailable):
                    # its own connection for the claim's lifetime: it must not hold a pool slot
                    async with await connect(self.database_url) as conn:
                        while True:
                            await asyncio.sleep(RENEW_EVERY_S)
                            await batches.renew(conn, batch_id)
                await asyncio.sleep(1.0)

        task = asyncio.create_task(renew())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def fail(self, batch_id: uuid.UUID, reason: str) -> None:
        """Mark the batch failed with its reason (logged at WARNING)."""
        self._note(logging.WARNING, "fail", batch_id, reason=repr(reason[:300]))
        BATCHES.labels(BatchStatus.FAILED).inc()
        async with self.scope.db() as c:
            await batches.set_status(c, batch_id, BatchStatus.FAILED, reason[:2000])

    async def _dead_letter(self, raw: bytes, error: str, batch_id: uuid.UUID | None) -> None:
        """Send the event to ``argus.dlq`` (via the outbox) with why it could not be handled."""
        self._note(logging.WARNING, "dlq", batch_id, error=repr(error[:300]))
        async with self.scope.db() as c:
            await outbox.enqueue_dead_letter(c, raw, error)


def group_consumer(topic: str, *, bootstrap: str, group: str) -> AIOKafkaConsumer:
    """A consumer of ``topic`` in ``group`` that commits only when told (after the work is
    stored), reads a new group's topic from its start, and is declared dead ten seconds after
    its process is."""
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=10_000,
        heartbeat_interval_ms=1_000,
    )
