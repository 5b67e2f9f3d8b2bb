"""A changed embedding model is detected, never mixed; reembed switches model and dimension."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from argus.errors import ConfigError
from argus.knowledge.embeddings import LocalEmbedder
from argus.knowledge.filters import SearchFilters
from argus.knowledge.search import hybrid_search
from argus.knowledge.seed import seed_entries
from argus.knowledge.space import ensure_embedding_space, reembed_all
from argus.store import knowledge as store
from argus.store.connection import connect
from argus.store.migrate import apply_migrations
from tests.knowledge.conftest import FakeEmbedder, entry

pytestmark = pytest.mark.integration


async def _indexes(conn: psycopg.AsyncConnection[Any]) -> dict[str, str]:
    cur = await conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%%embedding_hnsw'"
    )
    return {name: ddl for name, ddl in await cur.fetchall()}


async def test_an_empty_database_adopts_the_configured_model(fresh_db: str) -> None:
    await apply_migrations(fresh_db)
    async with await connect(fresh_db) as conn:
        space = await ensure_embedding_space(conn, FakeEmbedder(dimension=8))
        assert (space.model, space.dimension) == ("fake-bow", 8)
        assert await store.read_space(conn) == space
        assert await store.column_dimension(conn, "knowledge_base") == 8
        assert await store.column_dimension(conn, "diagnosis") == 8
        assert len(await _indexes(conn)) == 2


async def test_changed_model_is_refused_then_reembedded(
    fresh_db: str, embedder: LocalEmbedder
) -> None:
    await apply_migrations(fresh_db)
    batch = uuid.uuid4()
    async with await connect(fresh_db) as conn:
        await seed_entries(
            conn,
            [
                entry("kb/dns", symptom="Temporary failure in name resolution"),
                entry("kb/disk", symptom="No space left on device", category="disk_full"),
            ],
            embedder,
        )
        await conn.execute("INSERT INTO batch (batch_id, source) VALUES (%s, 'car-1')", (batch,))
        await conn.execute(
            "INSERT INTO diagnosis (batch_id, status, summary) VALUES (%s, 'completed', %s)",
            (batch, "disk full on the logging partition"),
        )
        fake = FakeEmbedder(dimension=16)
        with pytest.raises(ConfigError) as info:
            await hybrid_search(conn, "disk full", embedder=fake)
        assert "'all-MiniLM-L6-v2' (384-d)" in info.value.message
        assert "'fake-bow' (16-d)" in info.value.message
        assert "argus knowledge reembed" in info.value.hint

        assert await reembed_all(conn, fake, batch_size=1) == (2, 1)
        assert await store.read_space(conn) == store.EmbeddingSpace(model="fake-bow", dimension=16)
        assert await store.column_dimension(conn, "knowledge_base") == 16
        assert len(await _indexes(conn)) == 2
        cur = await conn.execute(
            "SELECT count(*) FROM knowledge_base WHERE vector_dims(embedding) = 16"
            " UNION ALL SELECT count(*) FROM diagnosis WHERE vector_dims(embedding) = 16"
        )
        assert [r[0] for r in await cur.fetchall()] == [2, 1]

        result = await hybrid_search(conn, "No space left on device", embedder=fake)
        assert result.hits[0].source_id == "kb/disk"
        with pytest.raises(ConfigError, match="configured embedding model is 'all-MiniLM-L6-v2'"):
            await seed_entries(conn, [entry("kb/new")], embedder)
        # ... and back: the real model again, through a re-embed.
        await reembed_all(conn, embedder)
        back = await hybrid_search(
            conn, "DNS lookup failed", embedder=embedder, filters=SearchFilters()
        )
        assert back.hits[0].source_id == "kb/dns"


async def test_models_beyond_the_hnsw_limit_are_refused(fresh_db: str) -> None:
    await apply_migrations(fresh_db)
    async with await connect(fresh_db) as conn:
        with pytest.raises(ConfigError, match="at most 2000"):
            await ensure_embedding_space(conn, FakeEmbedder(dimension=3072))
