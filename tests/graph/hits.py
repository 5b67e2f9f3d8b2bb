"""Knowledge hits for the graph's tests: a SearchHit with only the fields a test cares about."""

from __future__ import annotations

from typing import Any

from argus.knowledge.search import SearchHit

#: What a hit says when a test does not set it (no signal, no category).
BLANK: dict[str, Any] = {
    "kb_id": 1,
    "source_id": "starter/test",
    "error_code": None,
    "platform": None,
    "firmware": None,
    "module": None,
    "category": None,
    "symptom": "",
    "root_cause": None,
    "solution": "",
    "tags": [],
    "source": "test",
    "score": 0.0,
    "vector_similarity": None,
    "vector_rank": None,
    "text_score": None,
    "text_rank": None,
    "code_match": False,
    "matched_terms": [],
    "reasons": [],
}


def search_hit(**fields: Any) -> SearchHit:
    """A hit with ``fields`` set and every other field blank."""
    return SearchHit(**{**BLANK, **fields})
