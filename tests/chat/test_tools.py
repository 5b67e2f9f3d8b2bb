"""The chat tools: compact results, validated arguments, and every call answered."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from pydantic import ValidationError

from argus.chat.toolrun import MAX_CALLS_PER_STEP, MAX_RESULT_CHARS, compact_json, run_tool_calls
from argus.chat.tools import TOOLS, chat_tools
from argus.knowledge.search import SearchHit
from argus.report import Report, RootCause
from tests.batch_rows import BATCH_ID
from tests.chat.fakes import batch_data
from tests.graph.hits import search_hit

EXPECTED = {
    "batch_report",
    "suspect_modules",
    "error_templates",
    "top_templates",
    "module_counts",
    "minute_bursts",
    "baseline_changes",
    "search_knowledge",
}


def tools() -> dict[str, Any]:
    return {tool.name: tool for tool in chat_tools(batch_data())}


def test_every_tool_has_a_description_and_a_schema() -> None:
    assert set(TOOLS) == EXPECTED
    for tool in tools().values():
        assert tool.description and tool.args_schema is not None


async def test_statistics_tools_answer_from_the_digest() -> None:
    found = tools()
    suspects = await found["suspect_modules"].ainvoke({})
    assert suspects["incident"] and suspects["suspects"][0]["module"] == "db"
    errors = await found["error_templates"].ainvoke({"limit": 1, "module": "db"})
    assert [t["template_id"] for t in errors["templates"]] == [3]
    changes = await found["baseline_changes"].ainvoke({"kind": "new"})
    assert changes["has_baseline"] and changes["changes"][0]["module"] == "db"
    timeline = await found["minute_bursts"].ainvoke({})
    assert [m["errors"] for m in timeline["error_minutes"]] == [10, 10, 10]
    report = await found["batch_report"].ainvoke({})
    assert report == {
        "batch_id": str(BATCH_ID),
        "source": "shop",
        "diagnosed": False,
        "status": "diagnosed",
        "failure_reason": None,
    }


async def test_results_are_capped() -> None:
    long = "x" * 5000
    report = Report(
        summary=long[:4000],
        incident=True,
        root_cause=RootCause(description=long[:2000]),
        recommendations=[long] * 20,
        error_codes=["E1"] * 50,
    )
    data = batch_data(report)
    result = await {t.name: t for t in chat_tools(data)}["batch_report"].ainvoke({})
    assert len(result["summary"]) == 600 and len(result["recommendations"]) == 5
    assert len(result["error_codes"]) == 10
    assert len(compact_json(result)) < MAX_RESULT_CHARS


async def test_bad_arguments_are_refused_by_the_schema() -> None:
    with pytest.raises(ValidationError):
        await tools()["top_templates"].ainvoke({"limit": 10_000})


async def test_knowledge_search_without_a_knowledge_base_is_a_clear_error() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    message = AIMessage("", tool_calls=[{"name": "search_knowledge", "args": {}, "id": "k"}])
    [answer] = await run_tool_calls(message, tools(), lambda e, d: events.append((e, d)))
    assert answer.status == "error" and "not reachable" in str(answer.content)
    assert [e for e, _ in events] == ["tool_start", "tool_result"]


async def test_every_call_gets_one_answer_whatever_is_wrong_with_it() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    message = AIMessage(
        "",
        tool_calls=[
            {"name": "module_counts", "args": {"limit": 1}, "id": "ok"},
            {"name": "drop_tables", "args": {}, "id": "unknown"},
            {"name": "top_templates", "args": {"limit": "many"}, "id": "bad"},
        ],
        invalid_tool_calls=[
            {
                "name": "module_counts",
                "args": "{not json",
                "id": "broken",
                "error": "bad JSON",
                "type": "invalid_tool_call",
            },
        ],
    )
    answers = await run_tool_calls(message, tools(), lambda e, d: events.append((e, d)))
    assert [a.tool_call_id for a in answers] == ["ok", "unknown", "bad", "broken"]
    assert [a.status for a in answers] == ["success", "error", "error", "error"]
    assert "unknown tool 'drop_tables'" in str(answers[1].content)
    assert "invalid arguments: limit" in str(answers[2].content)
    assert "could not be parsed" in str(answers[3].content)
    assert len(json.loads(str(answers[0].content))["modules"]) == 1
    assert [e for e, _ in events] == ["tool_start", "tool_result"] * 4


async def test_too_many_calls_in_one_step_are_refused() -> None:
    calls = [{"name": "module_counts", "args": {}, "id": f"c{i}"} for i in range(7)]
    answers = await run_tool_calls(AIMessage("", tool_calls=calls), tools(), lambda e, d: None)
    assert [a.status for a in answers] == ["success"] * MAX_CALLS_PER_STEP + ["error"] * 2


async def test_knowledge_hits_fit_in_a_result() -> None:
    long = "y" * 5000
    hit = {
        "source_id": "kb-1",
        "symptom": long,
        "root_cause": long,
        "solution": long,
        "module": "db",
        "category": "database",
        "score": 0.5,
    }

    async def search(text: str, module: str | None) -> list[SearchHit]:
        assert "connection refused" in text  # the batch's own errors when no query is given
        return [search_hit(**hit)] * 10

    data = batch_data()
    data.search = search
    result = await {t.name: t for t in chat_tools(data)}["search_knowledge"].ainvoke({})
    assert len(result["hits"]) == 3 and "truncated" not in json.loads(compact_json(result))
