"""Similar-incident search over the embeddings of past diagnoses (``diagnosis.embedding``).

A diagnosis is embedded from :func:`incident_text` (its summary and root cause), once the
diagnosis is written: call :func:`index_diagnosis`. :func:`similar_incidents` then finds the past
diagnoses closest to a text (typically the new batch's digest) or a vector.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import psycopg

from argus.knowledge.embeddings import Embedder, embed_vectors
from argus.store import knowledge as store


@dataclass(frozen=True, kw_only=True)
class IncidentHit:
    """A past diagnosis similar to the query."""

    diagnosis_id: int  #: primary key of the diagnosis
    batch_id: str  #: the diagnosed batch
    source: str  #: the batch's source (device, service)
    labels: dict[str, Any]  #: the batch's labels (platform, firmware...)
    summary: str | None  #: the diagnosis summary
    confidence: float | None  #: the diagnosis confidence
    root_cause: dict[str, Any] | None  #: the report's root cause {module, category, ...}
    created_at: dt.datetime  #: when the diagnosis was made
    similarity: float  #: 1 - cosine distance to the query
    reasons: tuple[str, ...] = field(default=())  #: why it matched


def incident_text(summary: str | None, report: Mapping[str, Any] | str | None) -> str | None:
    """The text embedded for a diagnosis: its summary and root cause; None when both are empty."""
    if isinstance(report, str):
        report = json.loads(report)
    parts = [summary or ""]
    if isinstance(report, Mapping):
        if not summary and isinstance(report.get("summary"), str):
            parts.append(report["summary"])
        cause = report.get("root_cause")
        if isinstance(cause, Mapping):
            where = "/".join(str(cause[k]) for k in ("module", "submodule") if cause.get(k))
            what = str(cause.get("category") or "").replace("_", " ")
            description = str(cause.get("description") or "")
            parts.append(" ".join(p for p in (where, what, description) if p))
    text = "\n".join(p.strip() for p in parts if p and p.strip())
    return text or None


async def index_diagnosis(
    conn: psycopg.AsyncConnection[Any], embedder: Embedder, batch_id: object
) -> bool:
    """Embed the diagnosis of ``batch_id`` from its summary and report; False when it has none.

    The caller has checked the embedding space (:func:`ensure_embedding_space`) and commits.
    """
    rows = await store.diagnosis_texts(conn, batch_id)
    if not rows:
        return False
    diagnosis_id, summary, report = rows[0]
    text = incident_text(summary, report)
    vector = (await embed_vectors(embedder, [text]))[0] if text else None
    await store.set_diagnosis_vectors(conn, [(diagnosis_id, vector)])
    return vector is not None


async def similar_incidents(
    conn: psycopg.AsyncConnection[Any],
    *,
    text: str | None = None,
    vector: Sequence[float] | None = None,
    embedder: Embedder | None = None,
    limit: int = 5,
    exclude_batch: object | None = None,
    platform: str | None = None,
    source: str | None = None,
) -> list[IncidentHit]:
    """Completed diagnoses closest to ``text`` (embedded with ``embedder``) or to ``vector``."""
    if vector is None:
        if text is None or embedder is None:
            raise ValueError("similar_incidents needs a vector, or a text and an embedder")
        query = (await embed_vectors(embedder, [text]))[0]
    else:
        query = np.asarray(vector, dtype=np.float32)
    async with conn.transaction():
        rows = await store.similar_diagnoses(
            conn, query, limit, exclude_batch=exclude_batch, platform=platform, source=source
        )
    return [_hit(row, platform, source) for row in rows]


def _hit(row: dict[str, Any], platform: str | None, source: str | None) -> IncidentHit:
    similarity = 1.0 - float(row["distance"])
    reasons = [f"past diagnosis with cosine similarity {similarity:.2f}"]
    if platform:
        reasons.append(f"same platform {platform}")
    if source:
        reasons.append(f"same source {source}")
    return IncidentHit(
        diagnosis_id=int(row["diagnosis_id"]),
        batch_id=str(row["batch_id"]),
        source=str(row["source"]),
        labels=dict(row["labels"] or {}),
        summary=row["summary"],
        confidence=None if row["confidence"] is None else float(row["confidence"]),
        root_cause=row["root_cause"],
        created_at=row["created_at"],
        similarity=similarity,
        reasons=tuple(reasons),
    )
