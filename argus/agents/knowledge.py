"""The knowledge agent: hybrid search with hard filters from the batch and its error codes.

The first search asks with the batch's error codes and anomalous templates; when the batch has
an error code, that code is a hard filter first, and the search is repeated without it when
nothing matches. A second search (slow path) uses what template_mining found. Log content only
ever becomes query text: nothing in it can trigger anything else.
"""

from __future__ import annotations

from argus.agents.context import DiagnosisContext
from argus.agents.digest import NO_DIGEST
from argus.agents.findings import Findings
from argus.agents.state import DiagnosisState
from argus.knowledge.search import SearchHit

MAX_QUERY_CHARS = 1000


def build_query(state: DiagnosisState) -> str:
    """Query text: error codes, then the templates that matter, then the suspect module."""
    digest = state.get("digest", NO_DIGEST)
    mining = state.get("findings", Findings()).template_mining
    parts: list[str] = [*digest.error_codes[:5]]
    if mining is not None and mining.query:
        parts.append(mining.query)
    else:
        parts += [a.template for a in digest.anomalies[:3]]
        parts += [e.template for e in digest.error_templates[:3]]
    return " ".join(parts)[:MAX_QUERY_CHARS]


async def run(state: DiagnosisState, ctx: DiagnosisContext) -> DiagnosisState:
    """Search the knowledge base; keep the hits and a confidence for the fast path."""
    retrievals = state.get("retrievals", 0) + 1
    if ctx.search is None:
        return {"retrievals": retrievals, "errors": ["knowledge: no knowledge base reachable"]}
    query = build_query(state)
    filters: dict[str, str | None] = {
        "platform": ctx.labels.get("platform"),
        "firmware": ctx.labels.get("firmware"),
    }
    codes = state.get("digest", NO_DIGEST).error_codes
    hits: list[SearchHit] = []
    if codes and retrievals == 1:
        hits = await ctx.search(query, {**filters, "error_code": codes[0]})
    if not hits:
        hits = await ctx.search(query, filters) if query.strip() else []
    merged = _merge(state.get("knowledge", []), hits)
    return {
        "knowledge": merged,
        "retrievals": retrievals,
        "confidence": max(state.get("confidence", 0.0), _confidence(merged)),
        "modes": {**state.get("modes", {}), "knowledge": "rule-based"},
    }


def _merge(old: list[SearchHit], new: list[SearchHit]) -> list[SearchHit]:
    seen = {h.source_id for h in old}
    return [*old, *(h for h in new if h.source_id not in seen)][:10]


def _confidence(hits: list[SearchHit]) -> float:
    if not hits:
        return 0.0
    best = hits[0]
    similar = best.vector_similarity or 0.0
    return min(1.0, similar + (0.3 if best.code_match else 0.0))
