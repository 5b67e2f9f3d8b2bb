"""The starter knowledge pack shipped in ``argus/knowledge/pack/``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import psycopg

from argus.knowledge.loaded import LoadedEntry
from argus.knowledge.loaders import knowledge_files, load_file
from argus.knowledge.seed import seed_entries

#: Prefix of every source id of the starter pack, so user entries never collide with it.
PACK_ID_PREFIX = "starter/"


def pack_dir() -> Path:
    """The folder holding the pack's files (installed as package data)."""
    return Path(str(resources.files("argus.knowledge") / "pack"))


def load_starter_pack() -> list[LoadedEntry]:
    """Every entry of the starter pack, with ``source`` set to ``starter:<file>``."""
    loaded: list[LoadedEntry] = []
    for path in knowledge_files(pack_dir()):
        loaded.extend(load_file(path, source=f"starter:{path.name}"))
    return loaded


async def seed_starter_pack_if_empty(conn: psycopg.AsyncConnection[Any], embedder: Any) -> None:
    """Seed the starter pack into an empty knowledge base (first use only)."""
    row = await (await conn.execute("SELECT EXISTS (SELECT 1 FROM knowledge_base)")).fetchone()
    if row is not None and not row[0]:
        await seed_entries(conn, load_starter_pack(), embedder)
