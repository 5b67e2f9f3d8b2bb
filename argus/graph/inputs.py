"""Adapters from the analysis and the knowledge base to what the graph's nodes consume."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg
from langchain_core.language_models import BaseChatModel

from argus.agents.context import Search
from argus.agents.digest import BatchDigest
from argus.agents.log_analysis import Analysis
from argus.config import Settings
from argus.knowledge.embeddings import Embedder
from argus.knowledge.filters import SearchFilters
from argus.knowledge.search import SearchHit, hybrid_search
from argus.llm import LOCAL_MODEL_ALIAS
from argus.llm.budget import LLMClock
from argus.llm.client import chat_model, endpoint_breaker
from argus.llm.guard import CallTimes
from argus.llm.runtime import LLMRuntime
from argus.llm.usage import Usage, UsageLimits
from argus.runtime.llm import local_llm

#: Codes of the batch's error templates the digest keeps.
MAX_ERROR_CODES = 20


def digest_of(analysis: Analysis) -> BatchDigest:
    """The compact digest the agents read (and the LLM sees, never raw logs)."""
    return BatchDigest(
        records=analysis.digest.lines,
        unmatched=analysis.unmatched,
        window_minutes=analysis.digest.window_minutes,
        baseline_minutes=analysis.digest.baseline_minutes,
        baseline_gap_minutes=analysis.digest.baseline_gap_minutes,
        incident=analysis.incident,
        category_guess=analysis.category,
        error_codes=list(analysis.digest.error_codes[:MAX_ERROR_CODES]),
        anomalies=list(analysis.anomalies),
        error_templates=list(analysis.error_templates),
        suspects=list(analysis.suspects),
    )


def knowledge_hits(conn: psycopg.AsyncConnection[Any], embedder: Embedder) -> Search:
    """Hybrid search over the knowledge base on ``conn`` (filters are hard), as the graph's
    knowledge agent uses it."""

    async def search(text: str, filters: dict[str, str | None]) -> list[SearchHit]:
        if not text.strip():
            return []
        hard = SearchFilters.build(
            error_code=filters.get("error_code"),
            platform=filters.get("platform"),
            firmware=filters.get("firmware"),
            module=filters.get("module"),
        )
        result = await hybrid_search(conn, text, embedder=embedder, filters=hard, limit=5)
        return result.hits

    return search


@contextlib.contextmanager
def llm_runtime(
    settings: Settings, limits: UsageLimits, usage: Usage
) -> Iterator[LLMRuntime | None]:
    """The LLM of this diagnosis: None (rule-based), the local llama.cpp server, or a URL.

    The runtime has its own time budget (ARGUS_LLM_BUDGET_S) and the endpoint's circuit
    breaker, shared by every diagnosis and chat of the process.
    """
    if settings.llm_mode == "none":
        yield None
    elif settings.llm_mode == "local":
        with local_llm(settings) as url:
            model = chat_model(settings, url)
            name = f"{LOCAL_MODEL_ALIAS} (local)"
            yield _runtime(settings, model, limits, usage, name)
    else:
        yield _runtime(settings, chat_model(settings), limits, usage, settings.llm_model)


def _runtime(
    settings: Settings, model: BaseChatModel, limits: UsageLimits, usage: Usage, name: str
) -> LLMRuntime:
    return LLMRuntime(
        model=model,
        limits=limits,
        usage=usage,
        breaker=endpoint_breaker(settings),
        model_name=name,
        times=CallTimes(
            timeout_s=settings.llm_timeout_s, retry_after_cap_s=settings.llm_retry_after_cap_s
        ),
        clock=LLMClock(budget_s=settings.llm_budget_s),
    )
