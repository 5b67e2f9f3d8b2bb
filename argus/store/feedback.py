"""Repository of ``diagnosis_feedback`` and the knowledge-citation queries scored against it.

The latest feedback of a batch is its truth. The citations of a diagnosis are the knowledge ids
in its report's ``evidence.knowledge``; nothing else records them, so they are read from there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

FEEDBACK_COLUMNS = (
    "feedback_id",
    "batch_id",
    "diagnosis_id",
    "correct",
    "incident",
    "module",
    "category",
    "note",
    "author",
    "expected_module",
    "expected_category",
    "kb_id",
    "created_at",
)
_SELECT = f"SELECT {', '.join(FEEDBACK_COLUMNS)} FROM diagnosis_feedback"


@dataclass(frozen=True, kw_only=True)
class NewFeedback:
    """What a person said about a diagnosis, with the truth it implies."""

    batch_id: uuid.UUID  #: the diagnosed batch
    diagnosis_id: int | None  #: its diagnosis (None when it has none)
    correct: bool  #: the diagnosis was right
    incident: bool  #: there really was an incident
    module: str | None  #: the true module, as the person gave it
    category: str | None  #: the true category (knowledge vocabulary), as given
    note: str  #: free text
    author: str  #: who gave it
    expected_module: str | None  #: the resolved true module (None for no incident)
    expected_category: str | None  #: resolved true report category; "none": no incident


@dataclass(frozen=True, kw_only=True)
class FeedbackRow(NewFeedback):
    """A stored feedback."""

    feedback_id: int  #: primary key, ascending in time
    kb_id: int | None  #: the knowledge entry it taught (None: none, or deleted since)
    created_at: datetime  #: when it was given


async def insert_feedback(conn: psycopg.AsyncConnection[Any], new: NewFeedback) -> FeedbackRow:
    """Store ``new``; return the stored row."""
    cur = await conn.execute(
        "INSERT INTO diagnosis_feedback (batch_id, diagnosis_id, correct, incident, module,"
        " category, note, author, expected_module, expected_category)"
        f" VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING {', '.join(FEEDBACK_COLUMNS)}",
        (
            new.batch_id,
            new.diagnosis_id,
            new.correct,
            new.incident,
            new.module,
            new.category,
            new.note,
            new.author,
            new.expected_module,
            new.expected_category,
        ),
    )
    row = await cur.fetchone()
    assert row is not None  # INSERT ... RETURNING always returns the row
    return _row(row)


async def diagnosis_of(
    conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID
) -> tuple[int, Any] | None:
    """The id and stored report of the batch's completed diagnosis (row share-locked until the
    transaction ends), or None."""
    cur = await conn.execute(
        "SELECT diagnosis_id, report FROM diagnosis WHERE batch_id = %s AND status = 'completed'"
        " FOR SHARE",
        (batch_id,),
    )
    row = await cur.fetchone()
    return None if row is None else (int(row[0]), row[1])


async def set_knowledge(conn: psycopg.AsyncConnection[Any], feedback_id: int, kb_id: int) -> None:
    """Record the knowledge entry a feedback taught."""
    await conn.execute(
        "UPDATE diagnosis_feedback SET kb_id = %s WHERE feedback_id = %s", (kb_id, feedback_id)
    )


async def list_feedback(
    conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID
) -> list[FeedbackRow]:
    """Every feedback on a batch, newest first (the first is the batch's truth)."""
    cur = await conn.execute(
        f"{_SELECT} WHERE batch_id = %s ORDER BY feedback_id DESC", (batch_id,)
    )
    return [_row(r) for r in await cur.fetchall()]


async def latest_by_batch(
    conn: psycopg.AsyncConnection[Any], batch_ids: list[uuid.UUID]
) -> dict[uuid.UUID, FeedbackRow]:
    """The latest feedback of each of ``batch_ids`` that has one."""
    cur = await conn.execute(
        f"SELECT DISTINCT ON (batch_id) {', '.join(FEEDBACK_COLUMNS)} FROM diagnosis_feedback"
        " WHERE batch_id = ANY(%s) ORDER BY batch_id, feedback_id DESC",
        (batch_ids,),
    )
    rows = [_row(r) for r in await cur.fetchall()]
    return {r.batch_id: r for r in rows}


async def labelled_batches(conn: psycopg.AsyncConnection[Any]) -> list[FeedbackRow]:
    """The latest feedback of every batch whose truth is known (expected category set),
    oldest batch first."""
    cur = await conn.execute(
        f"SELECT * FROM (SELECT DISTINCT ON (batch_id) {', '.join(FEEDBACK_COLUMNS)}"
        " FROM diagnosis_feedback ORDER BY batch_id, feedback_id DESC) latest"
        " WHERE expected_category IS NOT NULL ORDER BY created_at, batch_id"
    )
    return [_row(r) for r in await cur.fetchall()]


def _row(values: tuple[Any, ...]) -> FeedbackRow:
    return FeedbackRow(**dict(zip(FEEDBACK_COLUMNS, values, strict=True)))


# --- citations ----------------------------------------------------------------------------------

_CITED = (
    "WITH cited AS (SELECT DISTINCT d.batch_id, (k ->> 'kb_id')::bigint AS kb_id"
    " FROM diagnosis d,"
    " jsonb_array_elements(coalesce(d.report -> 'evidence' -> 'knowledge', '[]'::jsonb)) k"
    " WHERE d.status = 'completed' AND jsonb_typeof(k -> 'kb_id') = 'number')"
)


@dataclass(frozen=True, kw_only=True)
class CitationCounts:
    """How often completed diagnoses cite knowledge entries."""

    diagnoses: int  #: completed diagnoses
    citing: int  #: of them, those citing at least one entry
    citations: int  #: (diagnosis, entry) pairs
    entries: int  #: entries in the knowledge base
    cited_entries: int  #: entries cited at least once


@dataclass(frozen=True, kw_only=True)
class EntryCitations:
    """One entry and how many diagnoses cite it."""

    kb_id: int
    source_id: str
    source: str
    citations: int


@dataclass(frozen=True, kw_only=True)
class JudgedCitation:
    """An entry cited by a diagnosis whose truth is known (from its latest feedback)."""

    kb_id: int
    module: str | None  #: the entry's module
    category: str | None  #: the entry's category (knowledge vocabulary)
    expected_module: str | None  #: the true module
    expected_category: str  #: the true report category ("none": no incident)


async def citation_counts(conn: psycopg.AsyncConnection[Any]) -> CitationCounts:
    """Totals of diagnoses, citing diagnoses, citations and cited entries."""
    cur = await conn.execute(
        f"{_CITED} SELECT"
        " (SELECT count(*) FROM diagnosis WHERE status = 'completed'),"
        " (SELECT count(DISTINCT batch_id) FROM cited),"
        " (SELECT count(*) FROM cited),"
        " (SELECT count(*) FROM knowledge_base),"
        " (SELECT count(DISTINCT c.kb_id) FROM cited c JOIN knowledge_base k USING (kb_id))"
    )
    row = await cur.fetchone()
    assert row is not None
    diagnoses, citing, citations, entries, cited = (int(v) for v in row)
    return CitationCounts(
        diagnoses=diagnoses,
        citing=citing,
        citations=citations,
        entries=entries,
        cited_entries=cited,
    )


async def most_cited(conn: psycopg.AsyncConnection[Any], limit: int) -> list[EntryCitations]:
    """The ``limit`` entries cited by the most diagnoses (ties by kb_id)."""
    cur = await conn.execute(
        f"{_CITED} SELECT k.kb_id, k.source_id, k.source, count(*) AS n FROM cited c"
        " JOIN knowledge_base k USING (kb_id) GROUP BY k.kb_id ORDER BY n DESC, k.kb_id LIMIT %s",
        (limit,),
    )
    return [
        EntryCitations(kb_id=int(a), source_id=str(b), source=str(c), citations=int(n))
        for a, b, c, n in await cur.fetchall()
    ]


async def judged_citations(conn: psycopg.AsyncConnection[Any]) -> list[JudgedCitation]:
    """Every (diagnosis, cited entry) pair whose batch's latest feedback gives its truth."""
    cur = await conn.execute(
        f"{_CITED}, truth AS (SELECT DISTINCT ON (batch_id) batch_id, expected_module,"
        " expected_category FROM diagnosis_feedback ORDER BY batch_id, feedback_id DESC)"
        " SELECT k.kb_id, k.module, k.category, t.expected_module, t.expected_category"
        " FROM cited c JOIN truth t USING (batch_id) JOIN knowledge_base k USING (kb_id)"
        " WHERE t.expected_category IS NOT NULL"
    )
    return [
        JudgedCitation(
            kb_id=int(a), module=b, category=c, expected_module=d, expected_category=str(e)
        )
        for a, b, c, d, e in await cur.fetchall()
    ]
