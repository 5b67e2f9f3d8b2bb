"""The MCP server over streamable HTTP on loopback, driven by the MCP SDK's own client; the
API's bearer keys guard it."""

from __future__ import annotations

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr

from argus.config import Settings
from argus.mcp_server.server import build_server, http_app
from argus.service.mcp import mcp_tools
from tests.api.conftest import served
from tests.mcp_server.conftest import Incident
from tests.mcp_server.session import exercise

pytestmark = pytest.mark.integration

KEY = "mcp-key-42"


async def test_every_tool_over_streamable_http_behind_the_key(
    incident: Incident, settings: Settings, db_url: str
) -> None:
    configured = settings.model_copy(
        update={"api_keys": [SecretStr(KEY)], "llm": "none", "database_url": SecretStr(db_url)}
    )
    async with mcp_tools(configured, print) as tools:
        app = http_app(build_server(tools), configured.api_keys)
        async with served(app) as url:  # type: ignore[arg-type]
            endpoint = f"{url}/mcp"
            refused = await httpx.AsyncClient().post(
                endpoint,
                json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                headers={"Accept": "application/json, text/event-stream"},
            )
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"] == "Bearer"
            wrong = await httpx.AsyncClient(headers={"Authorization": "Bearer nope"}).post(
                endpoint, json={}
            )
            assert wrong.status_code == 401

            client = httpx.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}, timeout=300)
            async with (
                client,
                streamable_http_client(endpoint, http_client=client) as (read, write, _),
                ClientSession(read, write) as session,
            ):
                await exercise(session, incident)
