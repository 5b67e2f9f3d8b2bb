"""The embedded tansu broker with real aiokafka clients."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from argus.errors import KafkaUnavailable
from argus.runtime.kafka import EmbeddedKafka, ensure_topics, port_open

pytestmark = pytest.mark.integration


async def _consume(bootstrap: str, topic: str, group: str, count: int) -> list[bytes]:
    """Read ``count`` messages one by one, committing each offset after it is handled."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        # tansu delays a group join by half the session timeout: keep it short in tests.
        session_timeout_ms=2000,
        heartbeat_interval_ms=300,
    )
    await consumer.start()
    got: list[bytes] = []
    try:
        for _ in range(50):
            if len(got) >= count:
                break
            batch = await consumer.getmany(timeout_ms=500, max_records=count - len(got))
            for tp, messages in batch.items():
                for msg in messages:
                    got.append(msg.value)
                    await consumer.commit({tp: msg.offset + 1})
    finally:
        await consumer.stop()
    return got


async def test_produce_consume_and_resume_from_committed_offset(kafka_bootstrap: str) -> None:
    topic, group = f"t-{uuid.uuid4().hex[:8]}", "argus-test"
    await ensure_topics(kafka_bootstrap, [topic], partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for i in range(10):
            await producer.send_and_wait(topic, f"batch-{i}".encode(), key=b"k")
    finally:
        await producer.stop()

    first = await _consume(kafka_bootstrap, topic, group, 4)
    # A new consumer of the same group (a restarted worker) resumes after the committed offset.
    rest = await _consume(kafka_bootstrap, topic, group, 6)
    assert first == [f"batch-{i}".encode() for i in range(4)]
    assert rest == [f"batch-{i}".encode() for i in range(4, 10)]


async def test_ensure_topics_is_idempotent(kafka_bootstrap: str) -> None:
    topic = f"t-{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka_bootstrap, [topic])
    await ensure_topics(kafka_bootstrap, [topic])


def test_second_handle_attaches_and_does_not_stop_the_owner(
    kafka_bootstrap: str, argus_home: Path
) -> None:
    other = EmbeddedKafka(argus_home / "kafka")
    assert other.start() == kafka_bootstrap
    assert not other.owned
    other.stop()
    assert port_open(kafka_bootstrap)


def test_owner_stops_its_broker(tmp_path: Path) -> None:
    broker = EmbeddedKafka(tmp_path / "kafka")
    bootstrap = broker.start()
    assert broker.owned and port_open(bootstrap)
    broker.stop()
    assert not port_open(bootstrap)
    assert not (tmp_path / "kafka" / "broker.json").exists()


def test_broken_binary_gives_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "tansu"
    fake.write_text("#!/bin/sh\necho 'cannot bind' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CALF_TANSU_BIN", str(fake))
    with pytest.raises(KafkaUnavailable, match="exited with code 3: cannot bind"):
        EmbeddedKafka(tmp_path / "kafka").start()


async def test_unreachable_broker_is_a_typed_error() -> None:
    with pytest.raises(KafkaUnavailable, match="did not answer"):
        await ensure_topics("127.0.0.1:1", ["x"], timeout_s=3)
