"""Document frequencies of the knowledge base's most common lexemes, cached per database.

They come from the planner statistics (``pg_stats.most_common_elems`` of ``tsv``, refreshed by
ANALYZE, which every seed runs). Reading them takes a catalog query that costs more to plan than
a whole search step, so they are kept for a few minutes; they only steer which query terms the
full-text ranking uses (:func:`argus.knowledge.planner.choose_text_terms`), never which entries
may be returned.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg

from argus.store import knowledge as store

#: Seconds a database's frequencies are reused before being read again.
TTL_S = 300.0

_cache: dict[str, tuple[float, dict[str, float]]] = {}


def _key(conn: psycopg.AsyncConnection[Any]) -> str:
    info = conn.info
    return f"{info.host}:{info.port}/{info.dbname}"


async def lexeme_frequencies(conn: psycopg.AsyncConnection[Any]) -> dict[str, float]:
    """Frequencies (share of entries containing it) of the common lexemes; cached TTL_S."""
    key = _key(conn)
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < TTL_S:
        return hit[1]
    frequencies = await store.common_lexemes(conn)
    _cache[key] = (now, frequencies)
    return frequencies


def forget(conn: psycopg.AsyncConnection[Any]) -> None:
    """Drop the cached frequencies of ``conn``'s database (after its statistics changed)."""
    _cache.pop(_key(conn), None)
