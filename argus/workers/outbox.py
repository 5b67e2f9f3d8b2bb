"""Publishing the outbox: events leave PostgreSQL for the broker, at least once, in order.

While the broker is down the events wait in the outbox (the work is delayed, never lost); the
publisher raises, the supervisor restarts it after a back-off, and it starts where it stopped.
"""

from __future__ import annotations

import asyncio
import logging

import psycopg
from aiokafka import AIOKafkaProducer

from argus.metrics import OUTBOX_PENDING
from argus.runtime.services import Services
from argus.store import outbox
from argus.store.connection import connect

log = logging.getLogger(__name__)

#: How often an idle publisher looks for new events (the latency it adds to each stage).
POLL_S = 0.2
#: Events published per transaction.
BATCH = 100


class OutboxPublisher:
    """Moves pending outbox events to the broker; several may run (they never share an event)."""

    def __init__(self, services: Services, poll_s: float = POLL_S) -> None:
        self.database_url = services.database_url
        self.bootstrap = services.kafka_bootstrap
        self.poll_s = poll_s

    async def run(self) -> None:
        """Publish until cancelled; a database or broker fault ends the run (to be restarted)."""
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", request_timeout_ms=10_000
        )
        try:
            await producer.start()
            # one connection for the publisher's life, outside the pool (it would hold a slot)
            async with await connect(self.database_url) as conn:
                while True:
                    sent = await self.publish_once(conn, producer)
                    if sent < BATCH:
                        await asyncio.sleep(self.poll_s)
        finally:
            await producer.stop()

    async def publish_once(
        self, conn: psycopg.AsyncConnection[object], producer: AIOKafkaProducer
    ) -> int:
        """Send one batch of pending events; mark them published once the broker has them."""
        async with conn.transaction():
            pending = await outbox.take_pending(conn, BATCH)
            if not pending:
                OUTBOX_PENDING.set(0)
                return 0
            futures = [await producer.send(e.topic, e.value, key=e.key or None) for e in pending]
            await asyncio.gather(*futures)
            await outbox.mark_published(conn, [e.event_id for e in pending])
        OUTBOX_PENDING.set(await outbox.pending_count(conn))
        return len(pending)
