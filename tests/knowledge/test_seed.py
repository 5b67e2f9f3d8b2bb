"""Seeding against the real database and model: idempotent, re-embeds only what changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest

from argus.errors import ConfigError, InputError
from argus.knowledge.embeddings import LocalEmbedder
from argus.knowledge.seed import load_paths, seed_entries
from tests.knowledge.conftest import FakeEmbedder, entry

pytestmark = pytest.mark.integration


async def _rows(conn: psycopg.AsyncConnection[Any], prefix: str) -> dict[str, tuple[Any, ...]]:
    cur = await conn.execute(
        "SELECT source_id, updated_at, content_hash, embedding, tags, solution, xmin::text"
        " FROM knowledge_base WHERE source_id LIKE %s",
        (prefix + "%",),
    )
    rows = {r[0]: r[1:] for r in await cur.fetchall()}
    await conn.rollback()
    return rows


async def test_seeding_twice_changes_nothing(
    conn: psycopg.AsyncConnection[Any], embedder: LocalEmbedder, tag: str
) -> None:
    loaded = [
        entry(
            f"{tag}/disk",
            symptom="No space left on device",
            category="disk_full",
            error_code="ENOSPC",
            tags=["disk"],
        ),
        entry(
            f"{tag}/dns",
            symptom="Temporary failure in name resolution",
            category="dns_failure",
            firmware="v2.3",
        ),
    ]
    first = await seed_entries(conn, loaded, embedder)
    assert (first.inserted, first.updated, first.unchanged, first.embedded) == (2, 0, 0, 2)
    before = await _rows(conn, tag)
    assert all(row[3] is not None for row in before.values())

    second = await seed_entries(conn, loaded, embedder)
    assert (second.inserted, second.updated, second.unchanged, second.embedded) == (0, 0, 2, 0)
    assert await _rows(conn, tag) == before  # same row versions (xmin), vectors, timestamps


async def test_changed_entry_is_re_embedded_and_others_are_not(
    conn: psycopg.AsyncConnection[Any], embedder: LocalEmbedder, tag: str
) -> None:
    a, b = f"{tag}/pool", f"{tag}/tls"
    await seed_entries(
        conn,
        [
            entry(a, symptom="Connection is not available, request timed out after 30000ms"),
            entry(b, symptom="x509: certificate has expired"),
        ],
        embedder,
    )
    before = await _rows(conn, tag)
    counting = _Counting(embedder)
    changed = [
        entry(a, symptom="remaining connection slots are reserved for superuser connections"),
        entry(b, symptom="x509: certificate has expired", solution="renew it", tags=["tls"]),
    ]
    report = await seed_entries(conn, changed, counting)
    assert (report.updated, report.embedded) == (2, 1)
    assert counting.texts == [changed[0].entry.embedding_text()]
    after = await _rows(conn, tag)
    assert after[a][1] != before[a][1]  # content hash
    assert not np.allclose(after[a][2].to_numpy(), before[a][2].to_numpy())
    expected = embedder.embed([changed[0].entry.embedding_text()])[0]
    np.testing.assert_allclose(after[a][2].to_numpy(), expected, atol=1e-5)
    # b: fields updated, vector kept
    assert (after[b][3], after[b][4]) == (["tls"], "renew it")
    np.testing.assert_array_equal(after[b][2].to_numpy(), before[b][2].to_numpy())


async def test_bad_file_writes_nothing(
    conn: psycopg.AsyncConnection[Any], tmp_path: Path, tag: str
) -> None:
    path = tmp_path / "kb.yaml"
    path.write_text(
        f"- {{id: {tag}/ok, symptom: s, solution: x}}\n"
        f"- {{id: {tag}/bad, symptom: s, solution: x, platform: [J7]}}\n"
    )
    with pytest.raises(InputError, match=rf"kb.yaml:2: entry '{tag}/bad': platform"):
        load_paths([path])
    assert await _rows(conn, tag) == {}


async def test_a_different_model_is_refused_before_writing(
    conn: psycopg.AsyncConnection[Any], embedder: LocalEmbedder, tag: str
) -> None:
    await seed_entries(conn, [entry(f"{tag}/a")], embedder)
    with pytest.raises(ConfigError, match=r"'all-MiniLM-L6-v2' \(384-d\).*'fake-bow' \(8-d\)"):
        await seed_entries(conn, [entry(f"{tag}/b")], FakeEmbedder())
    assert set(await _rows(conn, tag)) == {f"{tag}/a"}


class _Counting:
    """Wraps an embedder and records the texts it is asked to embed."""

    def __init__(self, inner: LocalEmbedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.texts.extend(texts)
        return self.inner.embed(texts)
