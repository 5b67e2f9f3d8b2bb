"""The per-file barrier: a batch is parsed once, when its last file is, and only then."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest

from argus.batch_status import BatchStatus, FileStatus
from argus.ingest.reader import FileFacts
from argus.store import batches
from argus.store.batches import ClaimOutcome
from argus.store.files import register_file
from tests.conftest import migrated_database


@pytest.fixture(scope="module")
async def db_url(pg_url: str) -> str:
    """A database of this module's own: its half-done batches must not reach other tests'
    workers (their sweeps would announce them)."""
    return await migrated_database(pg_url, "batch_barrier")


async def _batch(conn: psycopg.AsyncConnection[object], names: list[str]) -> uuid.UUID:
    batch_id = await batches.create_batch(conn, "barrier-test", {}, BatchStatus.PENDING)
    for name in names:
        await batches.register_upload(conn, batch_id, name, f"/nowhere/{name}", 1)
    await batches.set_status(conn, batch_id, BatchStatus.UPLOADED)
    return batch_id


def _known_file(db_url: str) -> str:
    file_id = uuid.uuid4().hex * 2  # a sha256-shaped id
    with psycopg.connect(db_url, autocommit=True) as conn:
        register_file(
            conn,
            FileFacts(path=Path("/nowhere/a.log"), file_id=file_id, size_bytes=1, compressed=False),
        )
    return file_id


async def test_the_barrier_closes_once_after_the_last_file(db_url: str) -> None:
    file_id = _known_file(db_url)
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        batch_id = await _batch(conn, ["a.log", "b.log"])
        assert await batches.claim(conn, batch_id, 20, "parse") is ClaimOutcome.CLAIMED
        assert await batches.claim(conn, batch_id, 20, "diagnose") is ClaimOutcome.NOT_READY
        await batches.file_done(conn, batch_id, "a.log", file_id, None, records=10)
        assert await batches.close_parse_barrier(conn, batch_id) is None
        await batches.file_done(conn, batch_id, "b.log", None, "gzip stream is corrupt")
        await batches.file_done(conn, batch_id, "b.log", None, "gzip stream is corrupt")
        assert await batches.close_parse_barrier(conn, batch_id) is BatchStatus.PARSED
        assert await batches.close_parse_barrier(conn, batch_id) is None  # announced once
        assert await batches.claim(conn, batch_id, 20, "parse") is ClaimOutcome.DONE
        assert await batches.claim(conn, batch_id, 20, "diagnose") is ClaimOutcome.CLAIMED
        batch = await batches.get_batch(conn, batch_id)
    assert batch is not None
    statuses = {f.name: f.status for f in batch.files}
    assert statuses == {"a.log": FileStatus.PARSED, "b.log": FileStatus.FAILED}
    assert batch.files[1].error == "gzip stream is corrupt"


async def test_a_batch_whose_files_all_fail_fails_with_the_reason(db_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as conn:
        batch_id = await _batch(conn, ["x.log"])
        assert await batches.claim(conn, batch_id, 20, "parse") is ClaimOutcome.CLAIMED
        await batches.file_done(conn, batch_id, "x.log", None, "not a log file")
        assert await batches.close_parse_barrier(conn, batch_id) is BatchStatus.FAILED
        batch = await batches.get_batch(conn, batch_id)
    assert batch is not None and batch.status is BatchStatus.FAILED
    assert batch.failure_reason == "no readable log lines: x.log (not a log file)"
