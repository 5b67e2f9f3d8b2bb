"""Write knowledge entries by source id, embedding only what changed: the one write path of the
knowledge base, shared by seeding from files (:mod:`argus.knowledge.seed`) and by the single
entries of the API (:mod:`argus.knowledge.curation`).

For each entry the stored row is compared with the new one: identical rows are not written at
all, rows whose fields changed are updated, and only entries whose embedded text changed (or
that have no vector yet) are embedded again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from argus.knowledge.embeddings import Embedder, embed_vectors
from argus.knowledge.entry import KnowledgeEntry
from argus.knowledge.lexicon import forget
from argus.knowledge.space import ensure_embedding_space
from argus.store import knowledge as store

Progress = Callable[[int, int], None]


@dataclass(frozen=True, kw_only=True)
class Written:
    """What a write did."""

    inserted: frozenset[str]  #: source ids that are new
    updated: frozenset[str]  #: existing source ids whose fields changed
    unchanged: frozenset[str]  #: existing source ids left untouched
    embedded: int  #: vectors computed (new entries and changed embedded texts)
    kb_ids: dict[str, int]  #: the primary key of every entry written or left as it was


@dataclass(frozen=True, kw_only=True)
class _Change:
    entry: KnowledgeEntry
    embed: bool  # the embedded text changed or no vector is stored


async def write_entries(
    conn: psycopg.AsyncConnection[Any],
    entries: Sequence[KnowledgeEntry],
    embedder: Embedder,
    *,
    batch_size: int = 64,
    progress: Progress | None = None,
) -> Written:
    """Upsert ``entries`` (distinct source ids) in one transaction, after checking that
    ``embedder`` is the model of the stored vectors.

    ``inserted`` and ``updated`` say what the database did, so a caller that needs a source id
    to be new can check it after the fact (and raise inside its own transaction to undo it).
    """
    await ensure_embedding_space(conn, embedder)
    async with conn.transaction():
        states = await store.stored_states(conn, [e.source_id for e in entries])
        changes = [c for c in (_change(e, states.get(e.source_id)) for e in entries) if c]
        upserted: dict[str, store.Upserted] = {}
        if progress:
            progress(0, len(changes))
        for start in range(0, len(changes), batch_size):
            upserted |= await _write(conn, embedder, changes[start : start + batch_size])
            if progress:
                progress(min(start + batch_size, len(changes)), len(changes))
        if changes:
            forget(conn)
    kb_ids = {sid: state.kb_id for sid, state in states.items()}
    kb_ids |= {sid: row.kb_id for sid, row in upserted.items()}
    return Written(
        inserted=frozenset(sid for sid, row in upserted.items() if row.inserted),
        updated=frozenset(sid for sid, row in upserted.items() if not row.inserted),
        unchanged=frozenset(e.source_id for e in entries) - upserted.keys(),
        embedded=sum(1 for c in changes if c.embed),
        kb_ids=kb_ids,
    )


def _change(entry: KnowledgeEntry, state: store.StoredState | None) -> _Change | None:
    """What to do with one entry; None when the stored row is identical."""
    if state is None:
        return _Change(entry=entry, embed=True)
    embed = state.content_hash != entry.content_hash() or not state.embedded
    if not embed and state.row == entry.row():
        return None
    return _Change(entry=entry, embed=embed)


async def _write(
    conn: psycopg.AsyncConnection[Any], embedder: Embedder, changes: list[_Change]
) -> dict[str, store.Upserted]:
    to_embed = [c.entry.embedding_text() for c in changes if c.embed]
    vectors = iter(await embed_vectors(embedder, to_embed))
    rows = [
        (c.entry.row(), c.entry.content_hash(), next(vectors) if c.embed else None) for c in changes
    ]
    return await store.upsert_entries(conn, rows)
