"""State changes and their events in one transaction: complete, barrier, retry, claims, sweep."""

from __future__ import annotations

import json
import uuid
from typing import Any

import psycopg
import pytest

from argus import events
from argus.batch_status import BatchStatus, FileStatus
from argus.store import batches, outbox
from argus.store.batches import ClaimOutcome, CompleteOutcome, RetryOutcome
from tests.conftest import migrated_database

Conn = psycopg.AsyncConnection[Any]


@pytest.fixture(scope="module")
async def db_url(pg_url: str) -> str:
    """A database of this module's own: its half-claimed batches must not reach other tests'
    workers (their sweeps would announce them)."""
    return await migrated_database(pg_url, "outbox_states")


async def _pending(conn: Conn, batch_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
    cur = await conn.execute(
        "SELECT topic, payload FROM outbox WHERE batch_id = %s AND published_at IS NULL"
        " ORDER BY event_id",
        (batch_id,),
    )
    return [(str(t), dict(p)) for t, p in await cur.fetchall()]


async def _publish_all(conn: Conn) -> None:
    async with conn.transaction():
        pending = await outbox.take_pending(conn, 10_000)
        await outbox.mark_published(conn, [e.event_id for e in pending])


async def _uploaded(conn: Conn, names: tuple[str, ...] = ("a.log",)) -> uuid.UUID:
    batch_id = await batches.create_batch(conn, "outbox-test", {}, BatchStatus.PENDING)
    for name in names:
        await batches.register_upload(conn, batch_id, name, f"/nowhere/{name}", 1)
    assert await batches.complete(conn, batch_id) is CompleteOutcome.QUEUED
    return batch_id


async def _status(conn: Conn, batch_id: uuid.UUID) -> tuple[BatchStatus, str | None, str | None]:
    cur = await conn.execute(
        "SELECT status, claimed_by, failure_reason FROM batch WHERE batch_id = %s", (batch_id,)
    )
    row = await cur.fetchone()
    assert row is not None
    return BatchStatus(row[0]), row[1], row[2]


async def test_complete_queues_the_parse_event_once(db_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        empty = await batches.create_batch(conn, "outbox-test", {}, BatchStatus.PENDING)
        assert await batches.complete(conn, empty) is CompleteOutcome.NO_FILES
        assert await batches.complete(conn, uuid.uuid4()) is CompleteOutcome.MISSING
        batch_id = await _uploaded(conn)
        assert await batches.complete(conn, batch_id) is CompleteOutcome.ALREADY
        pending = await _pending(conn, batch_id)
    assert pending == [(events.BATCHES, {"batch_id": str(batch_id)})]
    assert events.BatchEvent.decode(json.dumps(pending[0][1]).encode()).batch_id == batch_id


async def test_the_barrier_announces_a_parsed_batch_with_the_transition(db_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        batch_id = await _uploaded(conn, ("a.log", "b.log"))
        await _publish_all(conn)
        assert await batches.claim(conn, batch_id, 20, "parse", "me") is ClaimOutcome.CLAIMED
        await batches.file_done(conn, batch_id, "a.log", None, "gzip stream is corrupt")
        await batches.file_done(conn, batch_id, "b.log", None, None, 0)
        assert await batches.close_parse_barrier(conn, batch_id) is BatchStatus.FAILED
        status, claimed_by, reason = await _status(conn, batch_id)
        assert await _pending(conn, batch_id) == []  # a failed batch is announced nowhere
    assert (status, claimed_by) == (BatchStatus.FAILED, None)
    assert reason is not None and reason.startswith("no readable log lines")
    assert "a.log (gzip stream is corrupt)" in reason


async def test_a_failed_batch_runs_again_only_when_retried(db_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        batch_id = await _uploaded(conn)
        await _publish_all(conn)
        assert await batches.retry(conn, batch_id) is RetryOutcome.NOT_FAILED
        assert await batches.claim(conn, batch_id, 20, "parse", "me") is ClaimOutcome.CLAIMED
        await batches.file_done(conn, batch_id, "a.log", None, "not a log file")
        assert await batches.close_parse_barrier(conn, batch_id) is BatchStatus.FAILED
        stray = await batches.claim(conn, batch_id, 20, "parse", "me")  # a stray event
        assert stray is ClaimOutcome.FAILED
        assert await batches.retry(conn, batch_id) is RetryOutcome.QUEUED
        assert await _pending(conn, batch_id) == [(events.BATCHES, {"batch_id": str(batch_id)})]
        batch = await batches.get_batch(conn, batch_id)
    assert batch is not None and batch.status is BatchStatus.UPLOADED
    assert [(f.status, f.error) for f in batch.files] == [(FileStatus.UPLOADED, None)]


async def test_an_owner_takes_back_its_own_claims_and_no_one_else_s(db_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        mine, theirs = await _uploaded(conn), await _uploaded(conn)
        await _publish_all(conn)
        assert await batches.claim(conn, mine, 20, "parse", "me") is ClaimOutcome.CLAIMED
        assert await batches.claim(conn, theirs, 20, "parse", "them") is ClaimOutcome.CLAIMED
        assert await batches.claim(conn, mine, 20, "parse", "me") is ClaimOutcome.HELD
        assert (
            await batches.claim(conn, mine, 20, "parse", "me", reclaim_own=True)
            is ClaimOutcome.CLAIMED
        )
        assert (
            await batches.claim(conn, theirs, 20, "parse", "me", reclaim_own=True)
            is ClaimOutcome.HELD
        )
        released = await batches.release_own(conn, "me")
        assert released == [mine]
        assert (await _status(conn, mine))[:2] == (BatchStatus.UPLOADED, None)
        assert (await _status(conn, theirs))[:2] == (BatchStatus.PARSING, "them")
        assert await _pending(conn, mine) == [(events.BATCHES, {"batch_id": str(mine)})]


async def test_the_sweep_announces_a_stranded_batch_once_a_lease(db_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        batch_id = await _uploaded(conn)
        assert batch_id not in await batches.sweep_stale(conn, 0.0)  # its event still pending
        await _publish_all(conn)  # published, then lost with the broker
        await conn.execute(
            "UPDATE batch SET updated_at = now() - interval '1 minute',"
            " announced_at = now() - interval '1 minute' WHERE batch_id = %s",
            (batch_id,),
        )
        assert batch_id in await batches.sweep_stale(conn, 30.0)
        assert batch_id not in await batches.sweep_stale(conn, 30.0)  # pending again
        await _publish_all(conn)
        assert batch_id not in await batches.sweep_stale(conn, 30.0)  # announced just now
        assert await _pending(conn, batch_id) == []


async def test_a_diagnosis_finishes_and_is_announced_once(db_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        batch_id = await batches.create_batch(conn, "outbox-test", {}, BatchStatus.DIAGNOSING)
        event = events.BatchEvent(
            batch_id=batch_id, incident=True, module="db", category="database"
        )
        assert await batches.finish_diagnosis(conn, batch_id, event) is True
        assert await batches.finish_diagnosis(conn, batch_id, event) is False
        pending = await _pending(conn, batch_id)
    assert pending == [
        (
            events.DIAGNOSED,
            {"batch_id": str(batch_id), "incident": True, "module": "db", "category": "database"},
        )
    ]
