"""From a diagnosed event on the real Kafka broker, through the rule, to the receiver."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer

from argus import events
from argus.config import AlertSettings, Settings
from argus.events import BatchEvent
from argus.runtime.services import Services
from argus.store import alert_outbox
from argus.store.connection import connect
from argus.workers.alerts import AlertEvaluator
from argus.workers.notify import Deliverer
from bench.alert_receiver import PATHS, Receiver
from tests.alerts.conftest import add_channel, add_rule, diagnosed

pytestmark = pytest.mark.integration


@contextlib.asynccontextmanager
async def alert_workers(url: str, bootstrap: str) -> AsyncIterator[None]:
    settings = Settings(kafka_group=f"e2e-{uuid.uuid4().hex[:8]}")
    fast = AlertSettings(timeout_s=1.0, backoff_first_s=0.05, backoff_max_s=0.2, poll_s=0.05)
    tasks = [
        asyncio.create_task(AlertEvaluator(settings, Services.at(url, bootstrap)).run()),
        asyncio.create_task(Deliverer(fast, url).run()),
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def publish(bootstrap: str, *batch_ids: uuid.UUID) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for batch_id in batch_ids:
            event = BatchEvent(batch_id=batch_id, incident=True)
            await producer.send_and_wait(events.DIAGNOSED, event.encode(), key=event.key)
        await producer.send_and_wait(events.DIAGNOSED, b"not json")  # to the DLQ, not a crash
    finally:
        await producer.stop()


async def decisions(url: str, count: int) -> dict[uuid.UUID, str]:
    """The decisions stored, once there are ``count`` of them (batch id -> outcome)."""
    for _ in range(600):
        async with await connect(url) as conn:
            cur = await conn.execute("SELECT batch_id, outcome FROM alert_decision")
            found = dict(await cur.fetchall())
        if len(found) >= count:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("the rules did not decide")


async def settled(url: str, count: int) -> list[alert_outbox.NotificationRecord]:
    for _ in range(600):
        async with await connect(url) as conn:
            sent = await alert_outbox.list_notifications(conn)
        if len(sent) >= count and all(n.state != "pending" for n in sent):
            return sent
        await asyncio.sleep(0.1)
    raise AssertionError("notifications did not settle")


async def test_a_diagnosed_event_reaches_the_receiver_once_even_when_redelivered(
    alerts_db: str, kafka_bootstrap: str
) -> None:
    with Receiver(secret="k3y", script=["500"]) as rx:
        await add_channel(alerts_db, "ops", "webhook", rx.url + PATHS["webhook"], "k3y")
        await add_rule(alerts_db, name="payments", channels=["ops"], match={"modules": ["payment"]})
        first = await diagnosed(alerts_db)
        repeat = await diagnosed(alerts_db)  # same fingerprint, inside the window: held back
        elsewhere = await diagnosed(alerts_db, module="gateway")  # no rule matches
        async with alert_workers(alerts_db, kafka_bootstrap):
            await publish(kafka_bootstrap, first, first, elsewhere)
            [sent] = await settled(alerts_db, 1)
            await publish(kafka_bootstrap, repeat)  # after the first (partitions are unordered)
            decided = await decisions(alerts_db, 2)
            await publish(kafka_bootstrap, first)  # a late redelivery: decides nothing again
            await asyncio.sleep(1.0)  # room for a wrong second notification to show up
            assert len(await settled(alerts_db, 1)) == 1
        assert decided == {first: "notify", repeat: "suppressed"}
        assert sent.batch_id == first and sent.state == "delivered" and sent.attempts == 2
        assert [r.key for r in rx.delivered()] == [sent.idempotency_key]
        assert all(r.signature_ok for r in rx.requests)
