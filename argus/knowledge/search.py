"""Hybrid knowledge search: hard SQL filters first, then vector, text and exact-code ranks fused.

1. The filters (:class:`SearchFilters`) restrict every ranking: an entry that fails them is never
   a candidate, whatever its similarity.
2. Three signals rank the surviving entries: cosine similarity of the embeddings (HNSW or an exact
   scan, see :mod:`argus.knowledge.planner`), PostgreSQL full-text rank of the query's terms
   (error code weighted highest, then symptom, root cause, solution), and whether the entry's
   error code occurs verbatim in the query.
3. Reciprocal rank fusion combines them; every hit carries each signal's score and rank and the
   reasons it was returned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import psycopg

from argus.errors import InputError
from argus.knowledge.embeddings import Embedder, embed_vectors
from argus.knowledge.filters import SearchFilters
from argus.knowledge.fusion import ranks, reciprocal_rank_fusion
from argus.knowledge.lexicon import lexeme_frequencies
from argus.knowledge.planner import (
    VectorPlan,
    choose_text_terms,
    forced_plan,
    plan_vector_search,
)
from argus.knowledge.space import ensure_embedding_space
from argus.store import knowledge as store
from argus.store.knowledge import Candidate

StrategyChoice = Literal["auto", "exact", "hnsw"]

#: Longer query texts are cut: the model reads 256 tokens, and ranking needs no more terms.
MAX_QUERY_CHARS = 8_000


@dataclass(frozen=True, kw_only=True)
class SearchHit:
    """One knowledge entry returned by a search, with its scores and why it matched."""

    kb_id: int  #: primary key
    source_id: str  #: stable id from the seed file
    error_code: str | None  #: the entry's error code
    platform: str | None  #: platform it applies to (None: every platform)
    firmware: str | None  #: firmware it applies to (None: every firmware)
    module: str | None  #: module at fault
    category: str | None  #: failure category
    symptom: str  #: how it shows in logs
    root_cause: str | None  #: why it happens
    solution: str  #: remediation steps
    tags: list[str]  #: free keywords
    source: str  #: file or pack it came from
    score: float  #: fused RRF score (higher is better)
    vector_similarity: float | None  #: 1 - cosine distance, when among the vector candidates
    vector_rank: int | None  #: rank among the vector candidates (1 = nearest)
    text_score: float | None  #: ts_rank_cd normalised to 0..1, when among the text candidates
    text_rank: int | None  #: rank among the full-text candidates
    code_match: bool  #: the entry's error code occurs verbatim in the query
    matched_terms: list[str]  #: query lexemes found in the entry
    reasons: list[str]  #: human-readable explanation of the match

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class SearchResult:
    """Hits, best first, and how the search ran."""

    hits: list[SearchHit]  #: at most ``limit`` hits
    plan: VectorPlan  #: the vector ranking plan
    strategy: str  #: strategy actually used: exact, hnsw, or hnsw+exact-fallback
    filters: list[str] = field(default_factory=list)  #: active filters as field=value

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {
            "hits": [h.to_dict() for h in self.hits],
            "strategy": self.strategy,
            "ef_search": self.plan.ef_search,
            "estimated_rows": self.plan.estimated_rows,
            "filters": self.filters,
        }


def candidate_count(limit: int) -> tuple[int, int]:
    """Candidates the vector and the full-text ranking contribute to the fusion for ``limit``.

    The vector list is kept short because its cost under a filter grows with it (ef_search).
    """
    return min(50, max(10, 2 * limit)), min(100, max(20, 4 * limit))


async def hybrid_search(
    conn: psycopg.AsyncConnection[Any],
    text: str,
    *,
    embedder: Embedder | None = None,
    vector: Sequence[float] | np.ndarray[Any, Any] | None = None,
    filters: SearchFilters | None = None,
    limit: int = 5,
    strategy: StrategyChoice = "auto",
) -> SearchResult:
    """Search the knowledge base for ``text`` under hard ``filters``.

    Give ``embedder`` (the query is embedded after checking the embedding space) or a
    precomputed ``vector`` of the stored space. ``strategy`` forces the vector path. Runs in
    one transaction (``hnsw.ef_search`` is set for it only).
    """
    if limit < 1:
        raise InputError(f"a search returns at least one hit, not {limit}")
    filters = filters or SearchFilters()
    text = text[:MAX_QUERY_CHARS]
    query_vector = await _query_vector(conn, text, embedder, vector)
    n_vector, n_text = candidate_count(limit)
    async with conn.transaction():
        total, lexemes = await store.search_context(conn, text)
        plan = await _plan(conn, filters, n_vector, strategy, total)
        by_vector, used = await _vector_ranking(conn, query_vector, filters, n_vector, plan)
        by_text = await _text_ranking(conn, lexemes, filters, n_text, plan)
        fused = _fuse(text, by_vector, by_text)
        top = sorted(fused, key=lambda i: (-fused[i].score, fused[i].tiebreak))[:limit]
        rows = await store.fetch_entries(conn, top, lexemes)
    hits = [_hit(i, rows[i], fused[i], filters) for i in top if i in rows]
    return SearchResult(hits=hits, plan=plan, strategy=used, filters=filters.describe())


async def _query_vector(
    conn: psycopg.AsyncConnection[Any],
    text: str,
    embedder: Embedder | None,
    vector: Sequence[float] | np.ndarray[Any, Any] | None,
) -> np.ndarray[Any, Any]:
    if vector is not None:
        return np.asarray(vector, dtype=np.float32)
    if embedder is None:
        raise ValueError("hybrid_search needs an embedder or a query vector")
    await ensure_embedding_space(conn, embedder)
    return (await embed_vectors(embedder, [text]))[0]


async def _plan(
    conn: psycopg.AsyncConnection[Any],
    filters: SearchFilters,
    n: int,
    strategy: StrategyChoice,
    total: float,
) -> VectorPlan:
    estimated = await store.estimate_matching(conn, filters) if filters.describe() else total
    if strategy == "auto":
        return plan_vector_search(estimated, total, n)
    return forced_plan(strategy, estimated, total, n)


async def _vector_ranking(
    conn: psycopg.AsyncConnection[Any],
    vector: np.ndarray[Any, Any],
    filters: SearchFilters,
    n: int,
    plan: VectorPlan,
) -> tuple[list[Candidate], str]:
    if plan.strategy == "exact":
        return await store.vector_candidates_exact(conn, vector, filters, n), "exact"
    found = await store.vector_candidates_hnsw(conn, vector, filters, n, plan.ef_search)
    if len(found) >= n or plan.estimated_rows < n:
        return found, "hnsw"
    return await store.vector_candidates_exact(conn, vector, filters, n), "hnsw+exact-fallback"


async def _text_ranking(
    conn: psycopg.AsyncConnection[Any],
    lexemes: list[str],
    filters: SearchFilters,
    n: int,
    plan: VectorPlan,
) -> list[Candidate]:
    if not lexemes:
        return []
    frequencies = await lexeme_frequencies(conn)
    terms = choose_text_terms(lexemes, frequencies, plan.estimated_rows, plan.total_rows)
    return await store.text_candidates(conn, terms, filters, n)


@dataclass(kw_only=True)
class _Fused:
    """Signals gathered for one candidate."""

    score: float = 0.0
    vector: tuple[int, float] | None = None  # (rank, similarity)
    text: tuple[int, float] | None = None  # (rank, ts_rank)
    code: str | None = None  # the error code found verbatim in the query

    @property
    def tiebreak(self) -> tuple[int, int]:
        return (self.vector[0] if self.vector else 10**6, self.text[0] if self.text else 10**6)


def _fuse(text: str, by_vector: list[Candidate], by_text: list[Candidate]) -> dict[int, _Fused]:
    vector_ranks = ranks([c.kb_id for c in by_vector])
    text_ranks = ranks([c.kb_id for c in by_text])
    codes = {c.kb_id: c.error_code for c in (*by_vector, *by_text) if c.error_code}
    code_ranks = {i: 1 for i, code in codes.items() if code_in_text(code, text)}
    scores = reciprocal_rank_fusion(
        {"vector": vector_ranks, "text": text_ranks, "code": code_ranks}
    )
    fused = {i: _Fused(score=s) for i, s in scores.items()}
    for c in by_vector:
        fused[c.kb_id].vector = (vector_ranks[c.kb_id], 1.0 - c.score)
    for c in by_text:
        fused[c.kb_id].text = (text_ranks[c.kb_id], c.score)
    for i in code_ranks:
        fused[i].code = codes[i]
    return fused


def code_in_text(code: str, text: str) -> bool:
    """True when ``code`` occurs in ``text`` as a whole token (case-insensitive)."""
    pattern = r"(?<![A-Za-z0-9])" + re.escape(code) + r"(?![A-Za-z0-9])"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def _hit(kb_id: int, row: dict[str, Any], signals: _Fused, filters: SearchFilters) -> SearchHit:
    return SearchHit(
        kb_id=kb_id,
        source_id=row["source_id"],
        error_code=row["error_code"],
        platform=row["platform"],
        firmware=row["firmware"],
        module=row["module"],
        category=row["category"],
        symptom=row["symptom"],
        root_cause=row["root_cause"],
        solution=row["solution"],
        tags=list(row["tags"] or []),
        source=row["source"],
        score=round(signals.score, 6),
        vector_similarity=signals.vector[1] if signals.vector else None,
        vector_rank=signals.vector[0] if signals.vector else None,
        text_score=signals.text[1] if signals.text else None,
        text_rank=signals.text[0] if signals.text else None,
        code_match=signals.code is not None,
        matched_terms=list(row["matched_terms"]),
        reasons=_reasons(row, signals, filters),
    )


def _reasons(row: dict[str, Any], signals: _Fused, filters: SearchFilters) -> list[str]:
    reasons = []
    if signals.code:
        reasons.append(f"error code {signals.code} occurs verbatim in the query")
    if signals.text:
        terms = ", ".join(row["matched_terms"][:8]) or "query terms"
        rank, score = signals.text
        reasons.append(f"full-text match on {terms} (ts_rank {score:.3f}, text rank {rank})")
    if signals.vector:
        rank, similarity = signals.vector
        reasons.append(f"semantically similar (cosine {similarity:.3f}, vector rank {rank})")
    reasons.extend(_filter_reasons(row, filters))
    return reasons


def _filter_reasons(row: dict[str, Any], filters: SearchFilters) -> list[str]:
    notes = [
        f"{name} = {getattr(filters, name)}"
        for name in ("error_code", "module", "category")
        if getattr(filters, name) is not None
    ]
    if filters.platform is not None:
        notes.append(
            f"platform = {filters.platform}"
            if row["platform"] is not None
            else "applies to every platform"
        )
    if filters.firmware is not None:
        fw = row["firmware"]
        if fw is None:
            notes.append("applies to every firmware")
        elif fw == filters.firmware:
            notes.append(f"firmware = {fw}")
        elif fw in filters.firmware_lineage:
            notes.append(f"written for firmware {fw}, which covers {filters.firmware}")
        else:
            notes.append(f"firmware {fw} is within {filters.firmware}")
    return [f"passes filter: {note}" for note in notes]
