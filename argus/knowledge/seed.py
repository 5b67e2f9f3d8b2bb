"""Seed the knowledge base from files: idempotent upsert by source id, re-embedding only changes.

For each entry the stored row is compared with the file: identical rows are not written at all,
rows whose fields changed are updated, and only entries whose embedded text changed (or that have
no vector yet) are embedded again. Everything is validated before anything is written, and one
seed is one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from argus.errors import InputError
from argus.knowledge.embeddings import Embedder, embed_vectors
from argus.knowledge.lexicon import forget
from argus.knowledge.loaded import LoadedEntry
from argus.knowledge.loaders import knowledge_files, load_file
from argus.knowledge.space import ensure_embedding_space
from argus.store import knowledge as store

Progress = Callable[[int, int], None]


@dataclass(frozen=True, kw_only=True)
class SeedReport:
    """What a seed did."""

    entries: int  #: entries read from the files
    inserted: int  #: new source ids
    updated: int  #: existing source ids whose fields changed
    unchanged: int  #: existing source ids left untouched
    embedded: int  #: vectors computed (new entries and changed embedded texts)


@dataclass(frozen=True, kw_only=True)
class _Change:
    loaded: LoadedEntry
    embed: bool  # the embedded text changed or no vector is stored


def load_paths(paths: Iterable[Path]) -> list[LoadedEntry]:
    """Read every knowledge file under ``paths``; a source id may appear only once."""
    loaded: list[LoadedEntry] = []
    for path in paths:
        for file in knowledge_files(path):
            loaded.extend(load_file(file))
    check_unique(loaded)
    return loaded


def check_unique(loaded: list[LoadedEntry]) -> None:
    """Raise InputError naming both places when two entries share a source id."""
    seen: dict[str, str] = {}
    for item in loaded:
        first = seen.setdefault(item.entry.source_id, item.location)
        if first != item.location:
            raise InputError(
                f"{item.location}: source id {item.entry.source_id!r} already used at {first}",
                hint="source ids are the upsert key: give every entry its own id",
            )


async def seed_entries(
    conn: psycopg.AsyncConnection[Any],
    loaded: list[LoadedEntry],
    embedder: Embedder,
    *,
    batch_size: int = 64,
    progress: Progress | None = None,
) -> SeedReport:
    """Upsert ``loaded`` into the knowledge base in one transaction; see the module doc.

    On an autocommit connection the seed is committed when this returns; inside a transaction
    already open on ``conn`` it is part of that transaction and the caller commits.
    """
    check_unique(loaded)
    await ensure_embedding_space(conn, embedder)
    async with conn.transaction():
        states = await store.stored_states(conn, [e.entry.source_id for e in loaded])
        changes = [c for c in (_change(e, states.get(e.entry.source_id)) for e in loaded) if c]
        if progress:
            progress(0, len(changes))
        for start in range(0, len(changes), batch_size):
            await _write(conn, embedder, changes[start : start + batch_size])
            if progress:
                progress(min(start + batch_size, len(changes)), len(changes))
        if changes:
            await store.analyze(conn)
            forget(conn)
    inserted = sum(1 for c in changes if c.loaded.entry.source_id not in states)
    return SeedReport(
        entries=len(loaded),
        inserted=inserted,
        updated=len(changes) - inserted,
        unchanged=len(loaded) - len(changes),
        embedded=sum(1 for c in changes if c.embed),
    )


def _change(loaded: LoadedEntry, state: store.StoredState | None) -> _Change | None:
    """What to do with one entry; None when the stored row is identical."""
    entry = loaded.entry
    if state is None:
        return _Change(loaded=loaded, embed=True)
    embed = state.content_hash != entry.content_hash() or not state.embedded
    if not embed and state.row == entry.row():
        return None
    return _Change(loaded=loaded, embed=embed)


async def _write(
    conn: psycopg.AsyncConnection[Any], embedder: Embedder, changes: list[_Change]
) -> None:
    to_embed = [c.loaded.entry.embedding_text() for c in changes if c.embed]
    vectors = iter(await embed_vectors(embedder, to_embed))
    rows = [
        (c.loaded.entry.row(), c.loaded.entry.content_hash(), next(vectors) if c.embed else None)
        for c in changes
    ]
    await store.upsert_entries(conn, rows)
