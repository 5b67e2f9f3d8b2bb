"""Batch workers as separate processes in one consumer group: exactly once, even after SIGKILL."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from argus import events
from argus.batch_status import BatchStatus
from argus.errors import FormatError
from argus.events import TOPICS, BatchEvent
from argus.runtime.kafka import ensure_topics
from argus.store import batches
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.integration

NORMAL = EXAMPLES / "shop" / "baseline" / "payment-normal.log.gz"


def _start_worker(
    db_url: str, bootstrap: str, home: Path, group: str, kinds: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ARGUS_DATABASE_URL": db_url,
        "ARGUS_KAFKA_BOOTSTRAP": bootstrap,
        "ARGUS_HOME": str(home),
        "ARGUS_LLM": "none",
        "ARGUS_KAFKA_GROUP": group,
    }
    kind_args = [arg for kind in kinds for arg in ("--kind", kind)]
    return subprocess.Popen(
        [sys.executable, "-m", "argus", "worker", *kind_args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _status(db_url: str, batch_id: uuid.UUID) -> BatchStatus | None:
    async with await psycopg.AsyncConnection.connect(db_url) as conn:
        cur = await conn.execute("SELECT status FROM batch WHERE batch_id = %s", (batch_id,))
        row = await cur.fetchone()
    return BatchStatus(row[0]) if row else None


async def _new_batches(db_url: str, bootstrap: str, count: int, source: str) -> list[uuid.UUID]:
    ids = []
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        for _ in range(count):
            batch_id = await batches.create_batch(conn, source, {}, BatchStatus.PENDING)
            await batches.register_upload(conn, batch_id, NORMAL.name, str(NORMAL), 1)
            await batches.set_status(conn, batch_id, BatchStatus.UPLOADED)
            ids.append(batch_id)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    for batch_id in ids:
        event = BatchEvent(batch_id=batch_id)
        await producer.send_and_wait(events.BATCHES, event.encode(), key=event.key)
    await producer.stop()
    return ids


async def _wait_diagnosed(db_url: str, ids: list[uuid.UUID], timeout_s: float) -> None:
    for _ in range(int(timeout_s)):
        async with await psycopg.AsyncConnection.connect(db_url) as conn:
            cur = await conn.execute(
                "SELECT count(*) FROM batch WHERE batch_id = ANY(%s) AND status = %s"
                " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.batch_id = batch.batch_id"
                "                 AND o.published_at IS NULL)",  # its events are on the broker
                (ids, BatchStatus.DIAGNOSED),
            )
            row = await cur.fetchone()
        if row and row[0] == len(ids):
            return
        await asyncio.sleep(1)
    raise AssertionError(f"not all {len(ids)} batches were diagnosed in {timeout_s}s")


def _batch_ids(values: Iterable[bytes | None]) -> Iterator[str]:
    """The batch ids of the batch events among ``values``; other messages on the shared
    session broker's topic (another test's malformed event, sent to see it dead-lettered)
    belong to no batch."""
    for value in values:
        with contextlib.suppress(FormatError):
            yield str(BatchEvent.decode(value or b"").batch_id)


async def _diagnosed_events(bootstrap: str) -> Counter[str]:
    consumer = AIOKafkaConsumer(
        events.DIAGNOSED,
        bootstrap_servers=bootstrap,
        group_id=f"audit-{uuid.uuid4()}",
        auto_offset_reset="earliest",
        session_timeout_ms=2000,
        heartbeat_interval_ms=300,
    )
    await consumer.start()
    seen: Counter[str] = Counter()
    try:
        for _ in range(6):
            for messages in (await consumer.getmany(timeout_ms=1000)).values():
                seen.update(_batch_ids(m.value for m in messages))
    finally:
        await consumer.stop()
    return seen


async def test_two_worker_processes_diagnose_each_batch_exactly_once(
    db_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    await ensure_topics(kafka_bootstrap, TOPICS)
    group = f"workers-{uuid.uuid4().hex[:8]}"  # this test's own group
    workers = [_start_worker(db_url, kafka_bootstrap, tmp_path / f"w{i}", group) for i in range(2)]
    try:
        ids = await _new_batches(db_url, kafka_bootstrap, 20, "fleet-a")
        await _wait_diagnosed(db_url, ids, timeout_s=300)
    finally:
        for w in workers:
            w.terminate()
            w.wait(timeout=30)
    seen = await _diagnosed_events(kafka_bootstrap)
    assert [seen[str(i)] for i in ids] == [1] * 20


async def test_a_worker_killed_mid_diagnosis_is_replaced_and_the_batch_done_once(
    db_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    await ensure_topics(kafka_bootstrap, TOPICS)
    group = f"workers-{uuid.uuid4().hex[:8]}"
    first = _start_worker(db_url, kafka_bootstrap, tmp_path / "first", group)
    (batch_id,) = await _new_batches(db_url, kafka_bootstrap, 1, "fleet-b")
    held = False
    for _ in range(120):  # wait until the worker holds the batch
        if await _status(db_url, batch_id) in {"parsing", "diagnosing"}:
            held = True
            break
        await asyncio.sleep(0.25)
    assert held, "the first worker never took the batch"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    second = _start_worker(db_url, kafka_bootstrap, tmp_path / "second", group)
    try:
        await _wait_diagnosed(db_url, [batch_id], timeout_s=240)
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert (await _diagnosed_events(kafka_bootstrap))[str(batch_id)] == 1


async def test_parse_and_diagnose_are_separate_consumer_groups(
    db_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    await ensure_topics(kafka_bootstrap, TOPICS)
    group = f"workers-{uuid.uuid4().hex[:8]}"
    parser = _start_worker(db_url, kafka_bootstrap, tmp_path / "p", group, ("parse",))
    try:
        (batch_id,) = await _new_batches(db_url, kafka_bootstrap, 1, "fleet-c")
        for _ in range(240):
            if await _status(db_url, batch_id) is BatchStatus.PARSED:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(3)  # nobody in the diagnose group: the batch waits, parsed
        assert await _status(db_url, batch_id) is BatchStatus.PARSED
        diagnoser = _start_worker(db_url, kafka_bootstrap, tmp_path / "d", group, ("diagnose",))
        try:
            await _wait_diagnosed(db_url, [batch_id], timeout_s=180)
        finally:
            diagnoser.terminate()
            diagnoser.wait(timeout=30)
    finally:
        parser.terminate()
        parser.wait(timeout=30)
    assert (await _diagnosed_events(kafka_bootstrap))[str(batch_id)] == 1
