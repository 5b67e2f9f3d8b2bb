"""Curate single knowledge entries by their primary key: add, read, replace and delete.

Adding and replacing go through :func:`argus.knowledge.upsert.write_entries`, the path a seed
takes, so an entry written here is stored and embedded exactly as one read from a file. An
entry's source id is its upsert key: a later seed of a file with that id updates it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg

from argus.errors import ConflictError, NotFoundError
from argus.knowledge.embeddings import Embedder
from argus.knowledge.entry import KnowledgeEntry
from argus.knowledge.upsert import write_entries
from argus.store import knowledge as store

#: A stored entry as :func:`argus.store.knowledge.get_entry` returns it (STORED_COLUMNS).
StoredEntry = dict[str, Any]


async def add_entry(
    conn: psycopg.AsyncConnection[Any], entry: KnowledgeEntry, embedder: Embedder
) -> StoredEntry:
    """Store ``entry`` as a new entry and return it as stored; ConflictError when its source id
    is taken (checked by the write itself, so two concurrent adds never both succeed)."""
    async with conn.transaction():
        written = await write_entries(conn, [entry], embedder)
        kb_id = written.kb_ids[entry.source_id]
        if entry.source_id not in written.inserted:
            raise ConflictError(
                f"source id {entry.source_id!r} is taken by knowledge entry {kb_id}"
                " (edit that entry, or choose another source id)"
            )
        return await _stored(conn, kb_id)


async def read_entry(conn: psycopg.AsyncConnection[Any], kb_id: int) -> StoredEntry:
    """The entry ``kb_id``; NotFoundError when there is none."""
    return await _stored(conn, kb_id)


async def replace_entry(
    conn: psycopg.AsyncConnection[Any],
    kb_id: int,
    entry_of: Callable[[str], KnowledgeEntry],
    embedder: Embedder,
) -> StoredEntry:
    """Replace entry ``kb_id`` by ``entry_of(its source id)`` (the source id never changes)
    and return it as stored; it is embedded again only when its embedded text changed.
    NotFoundError when there is none. Its row is locked meanwhile: a concurrent delete waits,
    and is never undone by this write."""
    async with conn.transaction():
        current = await store.get_entry(conn, kb_id, lock=True)
        if current is None:
            raise NotFoundError(f"no knowledge entry {kb_id}")
        await write_entries(conn, [entry_of(str(current["source_id"]))], embedder)
        return await _stored(conn, kb_id)


async def remove_entry(conn: psycopg.AsyncConnection[Any], kb_id: int) -> None:
    """Delete the entry ``kb_id``; NotFoundError when there is none."""
    if not await store.delete_entry(conn, kb_id):
        raise NotFoundError(f"no knowledge entry {kb_id}")


async def _stored(conn: psycopg.AsyncConnection[Any], kb_id: int) -> StoredEntry:
    found = await store.get_entry(conn, kb_id)
    if found is None:
        raise NotFoundError(f"no knowledge entry {kb_id}")
    return found
