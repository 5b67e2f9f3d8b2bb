"""The schema's constraints make the pipeline idempotent; vectors round-trip through pgvector."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import numpy as np
import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from argus.store.pool import open_pool

pytestmark = pytest.mark.integration

FILE_ID = "a" * 64


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[AsyncConnectionPool]:
    pool = await open_pool(db_url, max_size=2)
    yield pool
    await pool.close()


def _unit(rng: np.random.Generator, n: int = 384) -> np.ndarray:
    v = rng.normal(size=n).astype(np.float32)
    return v / np.linalg.norm(v)


async def test_vector_round_trip(pool: AsyncConnectionPool) -> None:
    vec = _unit(np.random.default_rng(1))
    async with pool.connection() as conn:
        cur = await conn.execute(
            "INSERT INTO knowledge_base (source_id, symptom, solution, embedding)"
            " VALUES (%s, 'disk full', 'free space', %s) RETURNING embedding",
            (f"rt-{uuid.uuid4()}", vec),
        )
        row = await cur.fetchone()
        await conn.rollback()
    assert row is not None
    np.testing.assert_allclose(row[0].to_numpy(), vec, rtol=1e-6)


async def test_hnsw_nearest_neighbour_query(pool: AsyncConnectionPool) -> None:
    rng = np.random.default_rng(2)
    vectors = [_unit(rng) for _ in range(400)]
    async with pool.connection() as conn:
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO knowledge_base (source_id, symptom, solution, embedding)"
                " VALUES (%s, %s, 'fix', %s)",
                [(f"nn-{i}", f"symptom {i}", v) for i, v in enumerate(vectors)],
            )
        query = vectors[123] + 0.05 * _unit(rng)
        await conn.execute("SET LOCAL enable_seqscan = off")
        sql = (
            "SELECT source_id FROM knowledge_base WHERE source_id LIKE 'nn-%%'"
            " ORDER BY embedding <=> %s LIMIT 5"
        )
        cur = await conn.execute("EXPLAIN " + sql, (query,))
        plan = " ".join(r[0] for r in await cur.fetchall())
        cur = await conn.execute(sql, (query,))
        hits = [r[0] for r in await cur.fetchall()]
        await conn.rollback()
    assert "knowledge_base_embedding_hnsw" in plan
    exact = np.argsort([-float(np.dot(v, query)) for v in vectors])[:5]
    assert hits[0] == "nn-123"
    assert len(set(hits) & {f"nn-{i}" for i in exact}) >= 4


async def test_statistics_rows_are_unique_even_with_null_dimensions(db_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(db_url) as conn:
        await conn.execute(
            "INSERT INTO file_registry (file_id, path, size_bytes) VALUES (%s, 'x.log', 1)",
            (FILE_ID,),
        )
        cur = await conn.execute(
            "INSERT INTO run_session (file_id, pass_type) VALUES (%s, 'pass2') RETURNING run_id",
            (FILE_ID,),
        )
        run_id = (await cur.fetchone() or [0])[0]
        cur = await conn.execute(
            "INSERT INTO regex_template (pattern, template, sample_log, source)"
            " VALUES ('^ok$', 'ok', 'ok', 'rule') RETURNING template_id"
        )
        template_id = (await cur.fetchone() or [0])[0]
        row = "INSERT INTO log_match_summary (run_id, file_id, template_id, mod, level, line_count)"
        row += " VALUES (%s, %s, %s, 'pay', NULL, 1)"
        await conn.execute(row, (run_id, FILE_ID, template_id))
        with pytest.raises(psycopg.errors.UniqueViolation):
            await conn.execute(row, (run_id, FILE_ID, template_id))
        await conn.rollback()


async def test_one_diagnosis_per_batch(db_url: str) -> None:
    batch_id = uuid.uuid4()
    async with await psycopg.AsyncConnection.connect(db_url) as conn:
        await conn.execute("INSERT INTO batch (batch_id, source) VALUES (%s, 'car-7')", (batch_id,))
        await conn.execute("INSERT INTO diagnosis (batch_id) VALUES (%s)", (batch_id,))
        with pytest.raises(psycopg.errors.UniqueViolation):
            await conn.execute("INSERT INTO diagnosis (batch_id) VALUES (%s)", (batch_id,))
        await conn.rollback()


async def test_unknown_batch_state_is_rejected(db_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(db_url) as conn:
        with pytest.raises(psycopg.errors.CheckViolation):
            await conn.execute(
                "INSERT INTO batch (batch_id, source, status) VALUES (%s, 's', 'half-done')",
                (uuid.uuid4(),),
            )
        await conn.rollback()
