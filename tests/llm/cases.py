"""One batch to diagnose (statistics analysed for real from synthetic frames), a knowledge hit,
and a fake LLM that answers every agent correctly, for the LLM fault and injection tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from argus.agents.context import DiagnosisContext
from argus.agents.digest import BatchDigest
from argus.agents.log_analysis import analyse
from argus.config import Settings
from argus.graph.inputs import digest_of, llm_runtime
from argus.graph.run import run_diagnosis
from argus.knowledge.search import SearchHit
from argus.llm.runtime import LLMRuntime
from argus.llm.usage import Usage, UsageLimits
from argus.report import Report
from tests.graph.hits import search_hit
from tests.llm.fake_llm import Reply, Request, completion
from tests.tools.frames import stats, steady

#: The payment module starts failing (two new error templates) against a clean baseline.
TEXTS = {
    1: "GET /cart ok",
    2: "payment authorised order <*>",
    3: "Timeout waiting for connection from pool code=DB-POOL-EXHAUSTED",
    4: "gateway upstream payment answered 503",
}
LLM_SUMMARY = "The payment service ran out of database connections (pool exhausted)."


def digest(texts: dict[int, str] | None = None) -> BatchDigest:
    """The digest the agents read, analysed from a baseline and a failing batch."""
    texts = texts or TEXTS
    base = steady(1, "gateway", 30, 5) + steady(2, "payment", 20, 5)
    failing = steady(3, "payment", 12, 5, "ERROR") + steady(4, "gateway", 4, 5, "ERROR")
    errors = [
        row for tid in sorted(texts) if tid > 4 for row in steady(tid, "payment", 3, 5, "ERROR")
    ]
    current = stats(base + failing + errors, texts)
    return digest_of(analyse(current, stats(base, texts)))


def knowledge_hit() -> SearchHit:
    """A runbook that matches loosely (no error-code match: the slow path runs every agent)."""
    return search_hit(
        source_id="starter/db-pool",
        symptom="pool exhausted",
        solution="Raise the pool size or fix the leak.",
        code_match=False,
        vector_similarity=0.3,
        score=0.03,
        category="db_pool_exhaustion",
    )


def context(llm: LLMRuntime | None, texts: dict[int, str] | None = None) -> DiagnosisContext:
    """A diagnosis of the batch with ``llm`` sharing the context's limits and usage."""
    found = digest(texts)

    async def search(text: str, filters: dict[str, str | None]) -> list[SearchHit]:
        return [knowledge_hit()]

    ctx = DiagnosisContext(
        batch_id="b-llm",
        analyse=lambda: found,
        search=search,
        labels={"platform": "shop"},
        llm=llm,
        limits=UsageLimits(max_llm_calls=20, max_tokens=10**6),
    )
    if llm is not None:
        llm.limits, llm.usage = ctx.limits, ctx.usage
    return ctx


@contextmanager
def remote_llm(settings: Settings, url: str) -> Iterator[LLMRuntime]:
    """The runtime ``llm_runtime`` builds for ARGUS_LLM_BASE_URL=``url`` (ChatOpenAI, HTTP)."""
    remote = settings.model_copy(update={"llm": "auto", "llm_base_url": url})
    with llm_runtime(remote, UsageLimits(), Usage()) as llm:
        assert llm is not None
        yield llm


async def rule_report(texts: dict[int, str] | None = None) -> Report:
    """What the rule path alone reports for the batch."""
    report, _ = await run_diagnosis(context(None, texts))
    return report


def good_answer(request: Request) -> Reply:
    """A correct answer for whichever agent asks (recognised by its system prompt)."""
    system = request.system
    if system.startswith("You supervise"):
        answer: dict[str, Any] = {"next": "diagnosis", "reason": "enough evidence"}
    elif system.startswith("You analyse log statistics"):
        answer = {"suspects": [{"module": "payment", "score": 0.9, "reason": "pool errors"}]}
    elif system.startswith("You name log templates"):
        answer = {"templates": []}
    else:
        answer = {
            "summary": LLM_SUMMARY,
            "root_cause_module": "payment",
            "category": "database",
            "description": "pool exhausted",
            "recommendations": ["Raise the pool size."],
            "confidence": 0.8,
        }
    return completion(json.dumps(answer))
