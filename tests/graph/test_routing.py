"""Routing of the supervisor graph with scripted models: fast path, slow path, limits, fallbacks."""

from __future__ import annotations

import asyncio
import json

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from argus.agents.context import DiagnosisContext
from argus.agents.digest import BatchDigest
from argus.graph.build import diagnosis_graph
from argus.graph.run import run_diagnosis
from argus.knowledge.search import SearchHit
from argus.llm.policy import RetryPolicy
from argus.llm.runtime import LLMRuntime
from argus.llm.usage import UsageLimits
from tests.graph.hits import search_hit

DIGEST = BatchDigest.model_validate(
    {
        "records": 1000,
        "window_minutes": 30.0,
        "incident": True,
        "category_guess": "database",
        "error_codes": ["DB-POOL-EXHAUSTED"],
        "anomalies": [
            {
                "template_id": 7,
                "template": "Timeout waiting for connection from pool code=<*>",
                "module": "payment",
                "kind": "new",
                "baseline_per_min": 0.0,
                "current_per_min": 12.0,
                "score": 5.0,
            }
        ],
        "error_templates": [
            {
                "template_id": 7,
                "template": "Timeout waiting for connection from pool",
                "module": "payment",
                "count": 540,
            }
        ],
        "suspects": [
            {"module": "payment", "score": 0.9, "reasons": ["new error template"]},
            {"module": "gateway", "score": 0.4, "reasons": ["503 answers"]},
        ],
    }
)


def _hit(code_match: bool, similarity: float) -> SearchHit:
    return search_hit(
        source_id="starter/db-pool",
        symptom="pool exhausted",
        solution="Raise the pool size or fix the leak.",
        code_match=code_match,
        vector_similarity=similarity,
        score=0.03,
        category="database",
    )


def _ctx(hits: list[SearchHit], llm: LLMRuntime | None = None, **limits: int) -> DiagnosisContext:
    searches: list[tuple[str, dict[str, str | None]]] = []

    async def search(text: str, filters: dict[str, str | None]) -> list[SearchHit]:
        searches.append((text, filters))
        return hits

    ctx = DiagnosisContext(
        batch_id="b1",
        analyse=lambda: DIGEST,
        search=search,
        labels={"platform": "pos"},
        llm=llm,
        limits=UsageLimits(**limits) if limits else UsageLimits(),
    )
    ctx.searches = searches  # type: ignore[attr-defined]
    if llm is not None:
        llm.limits, llm.usage = ctx.limits, ctx.usage
    return ctx


def _llm(*answers: object) -> LLMRuntime:
    texts = [a if isinstance(a, str) else json.dumps(a) for a in answers]
    return LLMRuntime(
        model=FakeListChatModel(responses=texts),
        retry=RetryPolicy(attempts=1),
        model_name="scripted",
    )


async def test_fast_path_known_code_goes_straight_to_the_report() -> None:
    ctx = _ctx([_hit(code_match=True, similarity=0.9)])
    report, state = await run_diagnosis(ctx)
    assert state["route"] == ["log_analysis", "knowledge", "diagnosis"]
    assert ctx.searches[0][1]["error_code"] == "DB-POOL-EXHAUSTED"  # type: ignore[attr-defined]
    assert ctx.searches[0][1]["platform"] == "pos"  # type: ignore[attr-defined]
    assert report.root_cause.module == "payment" and report.mode == "rule-based"
    assert report.recommendations[0] == "Raise the pool size or fix the leak."


async def test_slow_path_mines_templates_and_retrieves_again() -> None:
    ctx = _ctx([_hit(code_match=False, similarity=0.3)])
    report, state = await run_diagnosis(ctx)
    assert state["route"] == [
        "log_analysis",
        "knowledge",
        "template_mining",
        "knowledge",
        "diagnosis",
    ]
    assert report.incident and report.evidence.knowledge[0].source_id == "starter/db-pool"


async def test_step_limit_stops_a_looping_supervisor() -> None:
    looping = _llm(*[{"next": "template_mining"}] * 50)
    ctx = _ctx([], looping, max_steps=3, max_llm_calls=100, max_tokens=10**9)
    report, state = await run_diagnosis(ctx)
    assert state["route"][-1] == "diagnosis"
    assert ctx.usage.steps <= 3
    assert any("step limit" in e for e in state["errors"])
    assert report.summary  # a valid report all the same


async def test_llm_call_limit_hands_routing_back_to_the_rules() -> None:
    chatty = _llm(*[{"next": "knowledge"}] * 50)
    ctx = _ctx([_hit(False, 0.2)], chatty, max_llm_calls=2)
    report, _ = await run_diagnosis(ctx)
    assert ctx.usage.llm_calls == 2
    assert report.llm_calls == 2 and report.mode == "rule-based"


async def test_invalid_llm_output_is_retried_then_replaced_by_the_rule_path() -> None:
    garbage = _llm(*["I am not JSON"] * 50)
    ctx = _ctx([_hit(True, 0.9)], garbage, max_llm_calls=50)
    report, state = await run_diagnosis(ctx)
    assert report.mode == "rule-based"
    assert report.root_cause.module == "payment"
    assert any("rule-based report used" in e for e in state["errors"])
    assert ctx.usage.llm_calls >= 2  # each failing agent asked twice before giving up


async def test_llm_report_is_validated_against_the_evidence() -> None:
    route = [{"next": "knowledge"}, {"next": "diagnosis"}]
    ranking = {"suspects": [{"module": "payment", "score": 7, "reason": "pool errors"}]}
    draft = {
        "summary": "The payment pool is exhausted.",
        "root_cause_module": "kernel",
        "category": "space-weather",
        "recommendations": ["Raise the pool size."],
        "confidence": 0.7,
    }
    ctx = _ctx([_hit(True, 0.9)], _llm(ranking, route[0], route[1], draft), max_llm_calls=20)
    report, state = await run_diagnosis(ctx)
    assert report.mode == "llm" and report.model == "scripted", state["errors"]
    assert report.summary == "The payment pool is exhausted."
    assert report.root_cause.module == "payment"  # "kernel" is no suspect: rejected
    assert report.root_cause.category == "database"  # unknown category: rule value kept
    assert report.suspects[0].score == 1.0  # clamped


async def test_no_incident_gives_none_without_suspects() -> None:
    quiet = DIGEST.model_copy(update={"incident": False, "anomalies": [], "error_codes": []})
    ctx = DiagnosisContext(batch_id="b2", analyse=lambda: quiet)
    report, _ = await run_diagnosis(ctx)
    assert not report.incident and report.root_cause.category == "none"
    assert report.root_cause.module is None


def test_runbook_solution_becomes_separate_steps() -> None:
    from argus.agents.diagnosis import steps_of

    text = "1. Check the pool.\n2) Raise its size.\n\n- Restart the service."
    assert steps_of(text) == ["Check the pool.", "Raise its size.", "Restart the service."]


def test_knowledge_names_the_category_only_when_it_is_sure() -> None:
    from argus.agents.diagnosis import known_category

    code = search_hit(category="db_pool_exhaustion", code_match=True, vector_similarity=0.2)
    close = search_hit(category="disk_full", code_match=False, vector_similarity=0.7)
    agreed = search_hit(category="dns_failure", vector_similarity=0.3, vector_rank=1, text_rank=1)
    vague = search_hit(category="timeout", vector_similarity=0.3, vector_rank=1, text_rank=4)
    assert known_category([vague, code]) == "database"
    assert known_category([close]) == "resource_disk"
    assert known_category([agreed]) == "dns"
    assert known_category([vague]) is None
    assert known_category([]) is None
    limit = search_hit(category="resource_limit", code_match=True)  # EMFILE: the old bridge missed
    assert known_category([limit]) == "config"
    assert known_category([search_hit(category=None, code_match=True)]) is None


async def test_one_compiled_graph_serves_concurrent_diagnoses_with_their_own_context() -> None:
    quiet = DIGEST.model_copy(update={"incident": False, "anomalies": [], "error_codes": []})
    loud, calm = (
        _ctx([_hit(code_match=True, similarity=0.9)]),
        DiagnosisContext(batch_id="b2", analyse=lambda: quiet),
    )
    (first, _), (second, _) = await asyncio.gather(run_diagnosis(loud), run_diagnosis(calm))
    assert first.incident and first.root_cause.module == "payment"
    assert not second.incident and second.root_cause.category == "none"
    assert loud.usage.steps and calm.usage.steps  # each run counted in its own context
    assert diagnosis_graph() is diagnosis_graph()
