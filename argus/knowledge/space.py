"""Keep every stored vector in one embedding space: detect a changed model, re-embed on demand.

The ``embedding_space`` row says which model (name and dimension) produced the vectors of
``knowledge_base`` and ``diagnosis``. Before Argus writes or compares vectors it checks that the
configured model is that one. When nothing is stored yet the configured model is simply adopted
(resizing the columns if its dimension differs); otherwise a different model is refused with a
ConfigError until ``argus knowledge reembed`` has re-embedded everything with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import psycopg

from argus.errors import ConfigError
from argus.knowledge.embeddings import Embedder, embed_vectors
from argus.knowledge.entry import content_hash, embedding_text
from argus.knowledge.incidents import incident_text
from argus.store import knowledge as store
from argus.store.knowledge import EmbeddingSpace

#: pgvector 0.6 indexes vectors of at most this many dimensions with HNSW.
HNSW_MAX_DIMENSIONS = 2_000

Progress = Callable[[int, int], None]


async def configured_space(embedder: Embedder) -> EmbeddingSpace:
    """The space of the configured embedder (a remote one may need a probe request)."""
    dimension = await asyncio.to_thread(lambda: embedder.dimension)
    if dimension > HNSW_MAX_DIMENSIONS:
        raise ConfigError(
            f"embedding model {embedder.name!r} returns {dimension}-d vectors; pgvector's HNSW "
            f"index takes at most {HNSW_MAX_DIMENSIONS}",
            hint="choose an embedding model of at most 2000 dimensions (ARGUS_EMBEDDING_MODEL)",
        )
    return EmbeddingSpace(model=embedder.name, dimension=dimension)


async def ensure_embedding_space(
    conn: psycopg.AsyncConnection[Any], embedder: Embedder
) -> EmbeddingSpace:
    """Check that ``embedder`` matches the stored vectors; adopt it when none are stored."""
    wanted = await configured_space(embedder)
    if await store.read_space(conn) == wanted:
        return wanted
    async with conn.transaction():
        current = await store.read_space(conn, lock=True)
        if current == wanted:
            return wanted
        if await store.has_vectors(conn):
            raise _mismatch(current, wanted)
        await _switch_columns(conn, wanted)
        await store.write_space(conn, wanted)
    return wanted


async def reembed_all(
    conn: psycopg.AsyncConnection[Any],
    embedder: Embedder,
    *,
    batch_size: int = 64,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Re-embed every knowledge entry and diagnosis with ``embedder``, in one transaction.

    Resizes the vector columns when the dimension changes and rebuilds the HNSW indexes.
    Returns (entries, diagnoses) re-embedded. Readers wait until it commits.
    """
    wanted = await configured_space(embedder)
    async with conn.transaction():
        await store.read_space(conn, lock=True)
        entries = await store.entry_texts(conn)
        diagnoses = await store.diagnosis_texts(conn)
        total = len(entries) + len(diagnoses)
        await store.drop_vector_indexes(conn)
        await _resize_columns(conn, wanted.dimension)
        done = await _reembed_entries(conn, embedder, entries, batch_size, progress, total)
        await _reembed_diagnoses(conn, embedder, diagnoses, batch_size, progress, done, total)
        await store.create_vector_indexes(conn)
        await store.write_space(conn, wanted)
        await store.analyze(conn)
    return len(entries), len(diagnoses)


async def _switch_columns(conn: psycopg.AsyncConnection[Any], space: EmbeddingSpace) -> None:
    """Resize the (vector-free) columns to the space's dimension, indexes included."""
    dims = {await store.column_dimension(conn, table) for table in store.VECTOR_TABLES}
    if dims != {space.dimension}:
        await store.drop_vector_indexes(conn)
        await _resize_columns(conn, space.dimension)
        await store.create_vector_indexes(conn)


async def _resize_columns(conn: psycopg.AsyncConnection[Any], dimension: int) -> None:
    dims = {await store.column_dimension(conn, table) for table in store.VECTOR_TABLES}
    if dims != {dimension}:
        await store.resize_vector_columns(conn, dimension)


async def _reembed_entries(
    conn: psycopg.AsyncConnection[Any],
    embedder: Embedder,
    entries: list[tuple[int, str, str | None, str | None]],
    batch_size: int,
    progress: Progress | None,
    total: int,
) -> int:
    for start in range(0, len(entries), batch_size):
        chunk = entries[start : start + batch_size]
        texts = [embedding_text(symptom, cause, category) for _, symptom, cause, category in chunk]
        vectors = await embed_vectors(embedder, texts)
        rows = [
            (kb_id, content_hash(t), v)
            for (kb_id, *_), t, v in zip(chunk, texts, vectors, strict=True)
        ]
        await store.set_entry_vectors(conn, rows)
        if progress:
            progress(start + len(chunk), total)
    return len(entries)


async def _reembed_diagnoses(
    conn: psycopg.AsyncConnection[Any],
    embedder: Embedder,
    diagnoses: list[tuple[int, str | None, Any]],
    batch_size: int,
    progress: Progress | None,
    done: int,
    total: int,
) -> None:
    for start in range(0, len(diagnoses), batch_size):
        chunk = diagnoses[start : start + batch_size]
        texts = [incident_text(summary, report) for _, summary, report in chunk]
        present = [t for t in texts if t]
        vectors = iter(await embed_vectors(embedder, present))
        rows = [(d[0], next(vectors) if t else None) for d, t in zip(chunk, texts, strict=True)]
        await store.set_diagnosis_vectors(conn, rows)
        if progress:
            progress(done + start + len(chunk), total)


def _mismatch(current: EmbeddingSpace | None, wanted: EmbeddingSpace) -> ConfigError:
    stored = f"{current.model!r} ({current.dimension}-d)" if current else "an unrecorded model"
    return ConfigError(
        f"the stored vectors come from {stored} but the configured embedding model is "
        f"{wanted.model!r} ({wanted.dimension}-d); vectors of two models cannot be compared",
        hint=(
            f"run `argus knowledge reembed` to re-embed the knowledge base and past diagnoses "
            f"with {wanted.model!r}"
            + (f", or set ARGUS_EMBEDDING_MODEL back to {current.model!r}" if current else "")
        ),
    )
