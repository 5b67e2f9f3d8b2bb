"""Seed the knowledge base from files: idempotent upsert by source id, re-embedding only changes.

The writing is :func:`argus.knowledge.upsert.write_entries` (identical rows are not written,
only changed embedded texts are embedded again), the path the API's single entries take too.
Everything is validated before anything is written, and one seed is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from argus.errors import InputError
from argus.knowledge.embeddings import Embedder
from argus.knowledge.lexicon import forget
from argus.knowledge.loaded import LoadedEntry
from argus.knowledge.loaders import knowledge_files, load_file
from argus.knowledge.upsert import Progress, write_entries
from argus.store import knowledge as store


@dataclass(frozen=True, kw_only=True)
class SeedReport:
    """What a seed did."""

    entries: int  #: entries read from the files
    inserted: int  #: new source ids
    updated: int  #: existing source ids whose fields changed
    unchanged: int  #: existing source ids left untouched
    embedded: int  #: vectors computed (new entries and changed embedded texts)


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
    """Upsert ``loaded`` into the knowledge base in one transaction (through
    :func:`argus.knowledge.upsert.write_entries`, as the API's single entries are), then
    refresh the planner statistics when anything changed.

    On an autocommit connection the seed is committed when this returns; inside a transaction
    already open on ``conn`` it is part of that transaction and the caller commits.
    """
    check_unique(loaded)
    async with conn.transaction():
        written = await write_entries(
            conn, [e.entry for e in loaded], embedder, batch_size=batch_size, progress=progress
        )
        if written.inserted or written.updated:
            await store.analyze(conn)
            forget(conn)  # the frequencies come from the statistics just refreshed
    return SeedReport(
        entries=len(loaded),
        inserted=len(written.inserted),
        updated=len(written.updated),
        unchanged=len(written.unchanged),
        embedded=written.embedded,
    )
