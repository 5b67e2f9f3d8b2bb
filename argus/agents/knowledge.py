"""The knowledge agent: hybrid search with hard filters from the batch and its error codes.

The first search asks with the batch's error codes and anomalous templates; when the batch has
an error code, that code is a hard filter first, and the search is repeated without it when
nothing matches. A second search (slow path) uses what template_mining found. Log content only
ever becomes query text: nothing in it can trigger anything else.
"""

from __future__ import annotations

from typing import Any

from argus.agents.context import DiagnosisContext
from argus.agents.state import DiagnosisState

MAX_QUERY_CHARS = 1000


def build_query(state: DiagnosisState) -> str:
    """Query text: error codes, then the templates that matter, then the suspect module."""
    digest = state.get("digest", {})
    mining = state.get("findings", {}).get("template_mining", {})
    parts: list[str] = [*digest.get("error_codes", [])[:5]]
    if mining.get("query"):
        parts.append(str(mining["query"]))
    else:
        parts += [a["template"] for a in digest.get("anomalies", [])[:3]]
        parts += [e["template"] for e in digest.get("error_templates", [])[:3]]
    return " ".join(parts)[:MAX_QUERY_CHARS]


async def run(state: DiagnosisState, ctx: DiagnosisContext) -> dict[str, Any]:
    """Search the knowledge base; keep the hits and a confidence for the fast path."""
    retrievals = state.get("retrievals", 0) + 1
    if ctx.search is None:
        return {"retrievals": retrievals, "errors": ["knowledge: no knowledge base reachable"]}
    query = build_query(state)
    filters: dict[str, str | None] = {
        "platform": ctx.labels.get("platform"), "firmware": ctx.labels.get("firmware"),
    }  # fmt: skip
    codes = state.get("digest", {}).get("error_codes", [])
    hits: list[dict[str, Any]] = []
    if codes and retrievals == 1:
        hits = await ctx.search(query, {**filters, "error_code": codes[0]})
    if not hits:
        hits = await ctx.search(query, filters) if query.strip() else []
    merged = _merge(state.get("knowledge", []), hits)
    return {
        "knowledge": merged, "retrievals": retrievals,
        "confidence": max(float(state.get("confidence", 0.0)), _confidence(merged)),
        "modes": {**state.get("modes", {}), "knowledge": "rule-based"},
    }  # fmt: skip


def _merge(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = {h.get("source_id") for h in old}
    return [*old, *(h for h in new if h.get("source_id") not in seen)][:10]


def _confidence(hits: list[dict[str, Any]]) -> float:
    if not hits:
        return 0.0
    best = hits[0]
    similar = float(best.get("vector_similarity") or 0.0)
    return min(1.0, similar + (0.3 if best.get("code_match") else 0.0))
