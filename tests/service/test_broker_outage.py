"""The broker killed mid-flight: no batch fails, new batches are still accepted, all finish once
it is back (its events wait in the PostgreSQL outbox meanwhile)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from argus.events import TOPICS
from argus.runtime.kafka import EmbeddedKafka, ensure_topics, free_port
from tests.conftest import migrated_database
from tests.service.harness import (
    ServeProcess,
    diagnosed_transitions,
    new_name,
    states,
    submit,
    wait_until,
)

pytestmark = pytest.mark.integration


async def test_a_broker_outage_delays_batches_and_fails_none(pg_url: str, tmp_path: Path) -> None:
    db_url = await migrated_database(pg_url, new_name("broker"))
    port = free_port()
    broker = EmbeddedKafka(tmp_path / "kafka", port=port)
    bootstrap = broker.start()
    await ensure_topics(bootstrap, TOPICS)
    serve = ServeProcess(
        home=tmp_path / "home",
        env_extra={"ARGUS_DATABASE_URL": db_url, "ARGUS_KAFKA_BOOTSTRAP": bootstrap},
    )
    serve.start()
    try:
        await serve.wait_ready()
        async with httpx.AsyncClient(base_url=serve.url, timeout=30) as client:
            first = await submit(client, 3, "broker-test")
            await asyncio.sleep(1.0)
            assert broker._proc is not None
            broker._proc.kill()  # the broker dies with what it held
            broker._proc.wait()
            broker._proc = None
            started = time.monotonic()
            during = await submit(client, 2, "broker-test")  # accepted while it is down
            assert time.monotonic() - started < 30
            await asyncio.sleep(5)
            assert "failed" not in (await states(db_url, first + during)).values()
        broker.start()  # back on the same port, empty
        await ensure_topics(bootstrap, TOPICS)
        await wait_until(db_url, first + during, {"diagnosed"}, 150)
    finally:
        serve.stop()
        broker.stop()
    assert await diagnosed_transitions(db_url, first + during) == dict.fromkeys(first + during, 1)
