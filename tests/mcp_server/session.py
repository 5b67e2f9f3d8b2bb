"""Every MCP tool called through the SDK's own client session, with what a user relies on."""

from __future__ import annotations

from typing import Any

from mcp import ClientSession

from tests.mcp_server.conftest import Incident

READ_TOOLS = {
    "list_batches",
    "get_report",
    "get_statistics",
    "get_templates",
    "search_knowledge",
    "similar_incidents",
    "ask_chat",
}


async def call(session: ClientSession, name: str, **arguments: Any) -> dict[str, Any]:
    """The structured result of a tool call that must succeed."""
    result = await session.call_tool(name, arguments)
    assert not result.isError, result.content
    assert result.structuredContent is not None
    return result.structuredContent


async def exercise(session: ClientSession, incident: Incident) -> None:
    """List the tools, call each read tool on the incident, and check a clear tool error."""
    await session.initialize()
    listed = await session.list_tools()
    assert {t.name for t in listed.tools} == READ_TOOLS  # no write tool unless enabled
    assert all(t.outputSchema for t in listed.tools)

    batches = await call(session, "list_batches", source=incident.source, state=["diagnosed"])
    assert batches["batches"][0]["batch_id"] == str(incident.judged)
    assert len(batches["batches"]) == 2  # the fault-free hour and the incident

    judged = str(incident.judged)
    report = (await call(session, "get_report", batch_id=judged))["report"]
    assert report["incident"] is True
    assert report["root_cause"]["module"] == "payment"

    stats = await call(session, "get_statistics", batch_id=judged, limit=5)
    assert stats["records"] > 0 and stats["baseline_minutes"] is not None
    assert "payment" in {m["module"] for m in stats["modules"]}
    templates = await call(session, "get_templates", batch_id=judged, limit=3)
    assert len(templates["templates"]) == 3 and templates["templates"][0]["count"] > 0

    query = " ".join(t["template"] for t in report["top_error_templates"][:3])
    knowledge = await call(session, "search_knowledge", query=query, module="payment")
    assert f"feedback/{judged}" in [h["source_id"] for h in knowledge["hits"]]

    similar = await call(session, "similar_incidents", batch_id=str(incident.later), limit=10)
    found = {i["batch_id"]: i for i in similar["incidents"]}
    assert judged in found and str(incident.later) not in found
    assert found[judged]["feedback"]["category"] == "database"
    assert found[judged]["feedback"]["by"] == "oncall"

    answer = await call(session, "ask_chat", batch_id=judged, question="Which module is failing?")
    assert answer["mode"] == "rule" and "payment" in answer["answer"]
    assert answer["tools"]

    missing = await session.call_tool(
        "get_report", {"batch_id": "00000000-0000-0000-0000-000000000000"}
    )
    assert missing.isError
    assert "has no report" in str(missing.content[0])
