"""Repository of ``knowledge_base``, ``embedding_space`` and the embeddings of ``diagnosis``.

All the SQL of the knowledge base lives here: upserts (seeds and single entries alike),
reading and deleting one entry, the filtered candidate queries of hybrid search (exact and HNSW
vector ranking, full-text ranking), the embedding-space bookkeeping, the column resizing of a
re-embed, and similar-incident search over diagnoses.
Vectors are passed as numpy arrays (pgvector's psycopg adapter must be registered).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import psycopg
from psycopg import sql

#: Columns written by a seed, in the order of ``KnowledgeEntry.row()``.
ENTRY_COLUMNS = (
    "source_id",
    "error_code",
    "platform",
    "firmware",
    "module",
    "category",
    "symptom",
    "root_cause",
    "solution",
    "tags",
    "source",
)

#: The tables whose ``embedding`` column holds vectors of the embedding space.
VECTOR_TABLES = ("knowledge_base", "diagnosis")

_Vector = np.ndarray[Any, np.dtype[np.float32]]


# --- embedding space --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EmbeddingSpace:
    """The model that produced every stored vector."""

    model: str  #: model name as configured (ARGUS_EMBEDDING_MODEL)
    dimension: int  #: length of the vectors


async def read_space(
    conn: psycopg.AsyncConnection[Any], *, lock: bool = False
) -> EmbeddingSpace | None:
    """The recorded embedding space; ``lock`` holds its row until the transaction ends."""
    query = "SELECT model, dimension FROM embedding_space" + (" FOR UPDATE" if lock else "")
    cur = await conn.execute(query)  # type: ignore[arg-type]
    row = await cur.fetchone()
    return EmbeddingSpace(model=str(row[0]), dimension=int(row[1])) if row else None


async def write_space(conn: psycopg.AsyncConnection[Any], space: EmbeddingSpace) -> None:
    """Record ``space`` as the origin of every stored vector."""
    await conn.execute(
        "INSERT INTO embedding_space (singleton, model, dimension) VALUES (true, %s, %s)"
        " ON CONFLICT (singleton) DO UPDATE SET model = EXCLUDED.model,"
        " dimension = EXCLUDED.dimension, updated_at = now()",
        (space.model, space.dimension),
    )


async def has_vectors(conn: psycopg.AsyncConnection[Any]) -> bool:
    """True when any knowledge entry or diagnosis holds a vector."""
    cur = await conn.execute(
        "SELECT EXISTS (SELECT 1 FROM knowledge_base WHERE embedding IS NOT NULL)"
        " OR EXISTS (SELECT 1 FROM diagnosis WHERE embedding IS NOT NULL)"
    )
    row = await cur.fetchone()
    return bool(row and row[0])


async def column_dimension(conn: psycopg.AsyncConnection[Any], table: str) -> int:
    """Declared dimension of ``table.embedding`` (pgvector keeps it in the type modifier)."""
    cur = await conn.execute(
        "SELECT atttypmod FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attname = 'embedding'",
        (table,),
    )
    row = await cur.fetchone()
    return int(row[0]) if row else -1


async def drop_vector_indexes(conn: psycopg.AsyncConnection[Any]) -> None:
    """Drop the HNSW indexes (before a bulk rewrite or a change of dimension)."""
    for table in VECTOR_TABLES:
        await conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(_hnsw_name(table)))


async def create_vector_indexes(conn: psycopg.AsyncConnection[Any]) -> None:
    """(Re)create the HNSW cosine indexes of both vector columns."""
    for table in VECTOR_TABLES:
        await conn.execute(
            sql.SQL(
                "CREATE INDEX IF NOT EXISTS {} ON {} USING hnsw (embedding vector_cosine_ops)"
            ).format(_hnsw_name(table), sql.Identifier(table))
        )


async def resize_vector_columns(conn: psycopg.AsyncConnection[Any], dimension: int) -> None:
    """Make both embedding columns ``vector(dimension)``, clearing every stored vector."""
    for table in VECTOR_TABLES:
        await conn.execute(
            sql.SQL("ALTER TABLE {} ALTER COLUMN embedding TYPE vector({}) USING NULL").format(
                sql.Identifier(table), sql.Literal(dimension)
            )
        )


def _hnsw_name(table: str) -> sql.Identifier:
    return sql.Identifier(f"{table}_embedding_hnsw")


# --- seeding ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StoredState:
    """What is stored for one source id, to decide whether a write must write or embed."""

    kb_id: int  #: primary key of the stored entry
    row: tuple[object, ...]  #: the ENTRY_COLUMNS values
    content_hash: str | None  #: hash of the text the stored vector was computed from
    embedded: bool  #: True when a vector is stored


async def stored_states(
    conn: psycopg.AsyncConnection[Any], source_ids: Sequence[str]
) -> dict[str, StoredState]:
    """The stored state of each of ``source_ids`` that exists."""
    query = sql.SQL(
        "SELECT {}, kb_id, content_hash, embedding IS NOT NULL FROM knowledge_base"
        " WHERE source_id = ANY(%s)"
    ).format(sql.SQL(", ").join(map(sql.Identifier, ENTRY_COLUMNS)))
    cur = await conn.execute(query, (list(source_ids),))
    states = {}
    for row in await cur.fetchall():
        values = tuple(row[: len(ENTRY_COLUMNS)])
        states[str(values[0])] = StoredState(
            kb_id=int(row[-3]), row=values, content_hash=row[-2], embedded=bool(row[-1])
        )
    return states


@dataclass(frozen=True, kw_only=True)
class Upserted:
    """One row written by ``upsert_entries``."""

    kb_id: int  #: its primary key (kept when an existing entry is updated)
    inserted: bool  #: True for a new source id, False when an existing entry was updated


async def upsert_entries(
    conn: psycopg.AsyncConnection[Any],
    rows: Sequence[tuple[tuple[object, ...], str, _Vector | None]],
) -> dict[str, Upserted]:
    """Insert or update entries by source id: (ENTRY_COLUMNS values, content hash, vector);
    returns what became of each source id.

    A ``None`` vector keeps the stored one (the embedded text did not change).
    """
    columns = sql.SQL(", ").join(map(sql.Identifier, (*ENTRY_COLUMNS, "content_hash", "embedding")))
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in ENTRY_COLUMNS[1:]
    )
    query = sql.SQL(
        "INSERT INTO knowledge_base ({columns}) VALUES ({params})"
        " ON CONFLICT (source_id) DO UPDATE SET {updates},"
        " content_hash = EXCLUDED.content_hash,"
        " embedding = coalesce(EXCLUDED.embedding, knowledge_base.embedding),"
        " updated_at = now() RETURNING source_id, kb_id, xmax = 0"
    ).format(
        columns=columns,
        params=sql.SQL(", ").join(sql.Placeholder() * (len(ENTRY_COLUMNS) + 2)),
        updates=updates,
    )
    written: dict[str, Upserted] = {}
    if not rows:
        return written
    async with conn.cursor() as cur:
        params = [(*values, digest, vec) for values, digest, vec in rows]
        await cur.executemany(query, params, returning=True)
        while True:
            for source_id, kb_id, inserted in await cur.fetchall():
                written[str(source_id)] = Upserted(kb_id=int(kb_id), inserted=bool(inserted))
            if not cur.nextset():
                break
    return written


#: The columns of a stored entry as read back (``get_entry``).
STORED_COLUMNS = ("kb_id", *ENTRY_COLUMNS, "created_at", "updated_at")


async def get_entry(
    conn: psycopg.AsyncConnection[Any], kb_id: int, *, lock: bool = False
) -> dict[str, Any] | None:
    """The entry ``kb_id`` (STORED_COLUMNS), or None; ``lock`` holds its row (FOR UPDATE)
    until the transaction ends, so it is neither changed nor deleted meanwhile."""
    query = sql.SQL("SELECT {} FROM knowledge_base WHERE kb_id = %s{}").format(
        sql.SQL(", ").join(map(sql.Identifier, STORED_COLUMNS)),
        sql.SQL(" FOR UPDATE" if lock else ""),
    )
    cur = await conn.execute(query, (kb_id,))
    row = await cur.fetchone()
    return dict(zip(STORED_COLUMNS, row, strict=True)) if row else None


async def delete_entry(conn: psycopg.AsyncConnection[Any], kb_id: int) -> bool:
    """Delete the entry ``kb_id``; False when there was none."""
    cur = await conn.execute("DELETE FROM knowledge_base WHERE kb_id = %s RETURNING 1", (kb_id,))
    return await cur.fetchone() is not None


async def analyze(conn: psycopg.AsyncConnection[Any]) -> None:
    """Refresh the planner statistics of knowledge_base (filter selectivity estimates)."""
    await conn.execute("ANALYZE knowledge_base")


# --- hybrid search candidates -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """One entry found by one ranking signal."""

    kb_id: int  #: primary key of the entry
    error_code: str | None  #: its error code (for the exact-code signal)
    score: float  #: cosine distance (vector) or ts_rank_cd normalised to 0..1 (text)


class HardFilters(Protocol):
    """The hard filters a knowledge query applies (``argus.knowledge.filters.SearchFilters``
    is the one implementation; declared here so the SQL layer depends on nothing above it)."""

    @property
    def error_code(self) -> str | None: ...
    @property
    def module(self) -> str | None: ...
    @property
    def category(self) -> object | None: ...
    @property
    def platform(self) -> str | None: ...
    @property
    def firmware(self) -> str | None: ...
    @property
    def include_generic(self) -> bool: ...
    @property
    def firmware_lineage(self) -> list[str]: ...


def filter_clause(filters: HardFilters) -> tuple[sql.Composable, dict[str, Any]]:
    """The WHERE conditions of ``filters`` (``true`` when none) and their parameters."""
    conditions: list[sql.Composable] = []
    params: dict[str, Any] = {}
    for column in ("error_code", "module", "category"):
        value = getattr(filters, column)
        if value is not None:
            conditions.append(
                sql.SQL("{} = %({})s").format(sql.Identifier(column), sql.SQL(column))
            )
            params[column] = str(value)
    generic = sql.SQL(" OR {} IS NULL") if filters.include_generic else sql.SQL("")
    if filters.platform is not None:
        conditions.append(
            sql.SQL("(platform = %(platform)s{})").format(
                generic.format(sql.Identifier("platform"))
            )
        )
        params["platform"] = filters.platform
    if filters.firmware is not None:
        conditions.append(
            sql.SQL("(firmware = ANY(%(fw_lineage)s) OR firmware LIKE %(fw_below)s{})").format(
                generic.format(sql.Identifier("firmware"))
            )
        )
        params["fw_lineage"] = filters.firmware_lineage
        params["fw_below"] = like_escape(filters.firmware) + ".%"
    if not conditions:
        return sql.SQL("true"), params
    return sql.SQL(" AND ").join(conditions), params


def like_escape(value: str) -> str:
    """``value`` with LIKE's wildcards and escape character escaped (matched literally)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def estimate_matching(conn: psycopg.AsyncConnection[Any], filters: HardFilters) -> float:
    """Rows the planner expects to pass ``filters`` (from statistics: no row is read)."""
    where, params = filter_clause(filters)
    query = sql.SQL("EXPLAIN (FORMAT JSON) SELECT 1 FROM knowledge_base WHERE {}").format(where)
    cur = await conn.execute(query, params)
    row = await cur.fetchone()
    plan = row[0] if row else [{}]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0].get("Plan", {}).get("Plan Rows", 0.0))


async def search_context(conn: psycopg.AsyncConnection[Any], text: str) -> tuple[float, list[str]]:
    """Rows of knowledge_base per the statistics, and the distinct lexemes of ``text``.

    The row count is exact when the table was never analysed.
    """
    cur = await conn.execute(
        "SELECT reltuples, ARRAY(SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', %s))"
        " ORDER BY 1) FROM pg_class WHERE oid = 'knowledge_base'::regclass",
        (text,),
    )
    row = await cur.fetchone()
    total, lexemes = (float(row[0]), list(row[1])) if row else (-1.0, [])
    if total < 0:
        cur = await conn.execute("SELECT count(*) FROM knowledge_base")
        counted = await cur.fetchone()
        total = float(counted[0]) if counted else 0.0
    return total, lexemes


async def common_lexemes(conn: psycopg.AsyncConnection[Any]) -> dict[str, float]:
    """Document frequency (0..1) of the most common lexemes of ``tsv``, from ANALYZE."""
    cur = await conn.execute(
        "SELECT u.e, u.f FROM pg_stats s,"
        " unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(e, f)"
        " WHERE s.schemaname = current_schema() AND s.tablename = 'knowledge_base'"
        " AND s.attname = 'tsv' AND u.e IS NOT NULL"
    )
    return {str(e): float(f) for e, f in await cur.fetchall()}


async def vector_candidates_exact(
    conn: psycopg.AsyncConnection[Any], vector: _Vector, filters: HardFilters, n: int
) -> list[Candidate]:
    """The ``n`` nearest entries passing ``filters``, by exact cosine distance (no index)."""
    where, params = filter_clause(filters)
    query = sql.SQL(
        "WITH f AS MATERIALIZED (SELECT kb_id, error_code, embedding FROM knowledge_base"
        " WHERE embedding IS NOT NULL AND {})"
        " SELECT kb_id, error_code, embedding <=> %(q)s AS d FROM f ORDER BY d, kb_id LIMIT %(n)s"
    ).format(where)
    cur = await conn.execute(query, {**params, "q": vector, "n": n})
    return [
        Candidate(kb_id=int(r[0]), error_code=r[1], score=float(r[2])) for r in await cur.fetchall()
    ]


async def vector_candidates_hnsw(
    conn: psycopg.AsyncConnection[Any],
    vector: _Vector,
    filters: HardFilters,
    n: int,
    ef_search: int,
) -> list[Candidate]:
    """Approximate nearest entries through the HNSW index, filtered after the index scan.

    The index yields at most ``ef_search`` rows before filtering, so a selective filter can
    leave fewer than ``n``: the caller sizes ``ef_search`` and falls back to the exact query.
    Must run inside a transaction (``ef_search`` is set for the transaction only).
    """
    await conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", (str(ef_search),))
    where, params = filter_clause(filters)
    query = sql.SQL(
        "SELECT kb_id, error_code, embedding <=> %(q)s AS d FROM knowledge_base"
        " WHERE {} ORDER BY embedding <=> %(q)s LIMIT %(n)s"
    ).format(where)
    cur = await conn.execute(query, {**params, "q": vector, "n": n})
    return [
        Candidate(kb_id=int(r[0]), error_code=r[1], score=float(r[2])) for r in await cur.fetchall()
    ]


async def text_candidates(
    conn: psycopg.AsyncConnection[Any], terms: Sequence[str], filters: HardFilters, n: int
) -> list[Candidate]:
    """The ``n`` entries passing ``filters`` that rank highest by full-text match on ``terms``.

    ``terms`` are lexemes (already normalised, as ``to_tsvector`` yields them), OR-ed: an entry
    matching any is a candidate, and ts_rank_cd ranks entries matching more (and more heavily
    weighted: error code, then symptom, root cause, solution) terms higher.
    """
    if not terms:
        return []
    where, params = filter_clause(filters)
    query = sql.SQL(
        "SELECT kb_id, error_code, ts_rank_cd(tsv, q, 32) AS r FROM knowledge_base,"
        " (SELECT array_to_string(ARRAY(SELECT quote_literal(t) FROM unnest(%(terms)s::text[]) t),"
        " ' | ')::tsquery AS q) AS query"
        " WHERE tsv @@ q AND {where} ORDER BY r DESC, kb_id LIMIT %(n)s"
    ).format(where=where)
    cur = await conn.execute(query, {**params, "terms": list(terms), "n": n})
    return [
        Candidate(kb_id=int(r[0]), error_code=r[1], score=float(r[2])) for r in await cur.fetchall()
    ]


async def fetch_entries(
    conn: psycopg.AsyncConnection[Any], kb_ids: Sequence[int], lexemes: Sequence[str]
) -> dict[int, dict[str, Any]]:
    """Entries by id, each with ``matched_terms``: which of ``lexemes`` it contains."""
    columns = sql.SQL(", ").join(map(sql.Identifier, ENTRY_COLUMNS))
    query = sql.SQL(
        "SELECT kb_id, {columns}, ARRAY(SELECT unnest(tsvector_to_array(tsv)) INTERSECT"
        " SELECT unnest(%(lexemes)s::text[]) ORDER BY 1)"
        " FROM knowledge_base WHERE kb_id = ANY(%(ids)s)"
    ).format(columns=columns)
    cur = await conn.execute(query, {"ids": list(kb_ids), "lexemes": list(lexemes)})
    found = {}
    for row in await cur.fetchall():
        entry = dict(zip(ENTRY_COLUMNS, row[1:-1], strict=True))
        entry["matched_terms"] = list(row[-1])
        found[int(row[0])] = entry
    return found


# --- re-embedding -----------------------------------------------------------------------------


async def entry_texts(
    conn: psycopg.AsyncConnection[Any],
) -> list[tuple[int, str, str | None, str | None]]:
    """(kb_id, symptom, root_cause, category) of every entry, for re-embedding."""
    cur = await conn.execute(
        "SELECT kb_id, symptom, root_cause, category FROM knowledge_base ORDER BY kb_id"
    )
    return [(int(r[0]), r[1], r[2], r[3]) for r in await cur.fetchall()]


async def set_entry_vectors(
    conn: psycopg.AsyncConnection[Any], rows: Sequence[tuple[int, str, _Vector]]
) -> None:
    """Store (kb_id, content hash, vector) triples."""
    async with conn.cursor() as cur:
        await cur.executemany(
            "UPDATE knowledge_base SET content_hash = %s, embedding = %s WHERE kb_id = %s",
            [(digest, vec, kb_id) for kb_id, digest, vec in rows],
        )


async def diagnosis_texts(
    conn: psycopg.AsyncConnection[Any], batch_id: object | None = None
) -> list[tuple[int, str | None, Any]]:
    """(diagnosis_id, summary, report) of every diagnosis, or of one batch's."""
    if batch_id is None:
        cur = await conn.execute("SELECT diagnosis_id, summary, report FROM diagnosis ORDER BY 1")
    else:
        cur = await conn.execute(
            "SELECT diagnosis_id, summary, report FROM diagnosis WHERE batch_id = %s", (batch_id,)
        )
    return [(int(r[0]), r[1], r[2]) for r in await cur.fetchall()]


async def set_diagnosis_vectors(
    conn: psycopg.AsyncConnection[Any], rows: Sequence[tuple[int, _Vector | None]]
) -> None:
    """Store (diagnosis_id, vector) pairs; ``None`` clears a vector."""
    async with conn.cursor() as cur:
        await cur.executemany(
            "UPDATE diagnosis SET embedding = %s WHERE diagnosis_id = %s",
            [(vec, diagnosis_id) for diagnosis_id, vec in rows],
        )


# --- similar incidents ------------------------------------------------------------------------


async def similar_diagnoses(
    conn: psycopg.AsyncConnection[Any],
    vector: _Vector,
    n: int,
    *,
    exclude_batch: object | None = None,
    platform: str | None = None,
    source: str | None = None,
) -> list[dict[str, Any]]:
    """Completed diagnoses nearest to ``vector``, with their batch's source and labels.

    Filtered searches are exact (diagnoses are few next to knowledge entries); unfiltered ones
    use the HNSW index with a generous ``ef_search``. Must run inside a transaction.
    """
    conditions = [sql.SQL("d.embedding IS NOT NULL AND d.status = 'completed'")]
    params: dict[str, Any] = {"q": vector, "n": n}
    if exclude_batch is not None:
        conditions.append(sql.SQL("d.batch_id <> %(exclude)s"))
        params["exclude"] = exclude_batch
    if platform is not None:
        conditions.append(sql.SQL("b.labels ->> 'platform' = %(platform)s"))
        params["platform"] = platform
    if source is not None:
        conditions.append(sql.SQL("b.source = %(source)s"))
        params["source"] = source
    select = sql.SQL(
        "SELECT d.diagnosis_id, d.batch_id, b.source, b.labels, d.summary, d.confidence,"
        " d.report -> 'root_cause' AS root_cause, d.created_at, d.embedding <=> %(q)s AS distance"
        " FROM diagnosis d JOIN batch b ON b.batch_id = d.batch_id WHERE {}"
    ).format(sql.SQL(" AND ").join(conditions))
    if len(conditions) > 1:
        query = sql.SQL(
            "WITH s AS MATERIALIZED ({})"
            " SELECT * FROM s ORDER BY distance, diagnosis_id LIMIT %(n)s"
        ).format(select)
    else:
        await conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", (str(max(100, 4 * n)),))
        query = sql.SQL("{} ORDER BY d.embedding <=> %(q)s LIMIT %(n)s").format(select)
    cur = await conn.execute(query, params)
    names = [c.name for c in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in await cur.fetchall()]


async def diagnosis_vector(
    conn: psycopg.AsyncConnection[Any], batch_id: object
) -> list[float] | None:
    """The embedding of a batch's completed diagnosis (to find incidents like it), or None
    when it has none."""
    cur = await conn.execute(
        "SELECT embedding FROM diagnosis WHERE batch_id = %s AND status = 'completed'"
        " AND embedding IS NOT NULL",
        (batch_id,),
    )
    row = await cur.fetchone()
    if row is None:
        return None
    stored = row[0]  # a pgvector Vector (its types are registered on the pool's connections)
    return [float(x) for x in (stored.to_list() if hasattr(stored, "to_list") else stored)]


async def latest_entries(conn: psycopg.AsyncConnection[Any], limit: int) -> list[dict[str, Any]]:
    """The ``limit`` most recently changed entries (STORED_COLUMNS), newest first."""
    query = sql.SQL(
        "SELECT {} FROM knowledge_base ORDER BY updated_at DESC, kb_id DESC LIMIT %s"
    ).format(sql.SQL(", ").join(map(sql.Identifier, STORED_COLUMNS)))
    cur = await conn.execute(query, (limit,))
    return [dict(zip(STORED_COLUMNS, row, strict=True)) for row in await cur.fetchall()]
