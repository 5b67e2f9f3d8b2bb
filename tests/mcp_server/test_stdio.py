"""``argus mcp`` as a real subprocess, driven by the MCP SDK's own stdio client."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from argus.config import Settings
from tests.mcp_server.conftest import Incident
from tests.mcp_server.session import exercise

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def server_env(settings: Settings, db_url: str, **extra: str) -> dict[str, str]:
    """The subprocess's environment: the test database, a private home, no LLM."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("ARGUS_")}
    return {
        **inherited,
        "PYTHONPATH": str(ROOT),
        "ARGUS_DATABASE_URL": db_url,
        "ARGUS_HOME": str(settings.home),
        "ARGUS_LLM": "none",
        **extra,
    }


async def test_every_tool_over_stdio(
    incident: Incident, settings: Settings, db_url: str, tmp_path: Path
) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "argus", "mcp"],
        env=server_env(settings, db_url),
        cwd=str(tmp_path),
    )
    async with (
        stdio_client(params) as (read, write),
        ClientSession(read, write) as session,
    ):
        await exercise(session, incident)


async def test_the_write_tool_only_when_enabled(
    settings: Settings, db_url: str, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "payment.log.gz").write_bytes(
        (ROOT / "examples" / "shop" / "payment-db-pool.log.gz").read_bytes()
    )
    env = server_env(
        settings, db_url, ARGUS_MCP__ALLOW_DIAGNOSE="true", ARGUS_MCP__FILES_ROOT=str(inbox)
    )
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "argus", "mcp"], env=env, cwd=str(tmp_path)
    )
    async with (
        stdio_client(params) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        tools = {t.name: t for t in (await session.list_tools()).tools}
        assert "diagnose_files" in tools
        assert tools["diagnose_files"].annotations.readOnlyHint is False

        escape = await session.call_tool("diagnose_files", {"files": ["../../etc/passwd"]})
        assert escape.isError and "outside the files folder" in str(escape.content[0])

        made = await session.call_tool(
            "diagnose_files", {"files": ["payment.log.gz"], "source": "mcp-write"}
        )
        assert not made.isError, made.content
        assert made.structuredContent is not None
        report = made.structuredContent["report"]
        assert report["incident"] is True
        stored = await session.call_tool(
            "get_report", {"batch_id": made.structuredContent["batch_id"]}
        )
        assert stored.structuredContent is not None
        assert stored.structuredContent["report"]["summary"] == report["summary"]
