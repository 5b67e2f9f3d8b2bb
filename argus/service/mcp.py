"""``argus mcp``: the MCP server on the configured (or embedded) PostgreSQL, over stdio or
streamable HTTP, with the chat wired in (the MCP server knows it only as a port)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

import uvicorn

from argus.chat.service import ChatService
from argus.config import Settings
from argus.mcp_server.ports import Chat
from argus.mcp_server.server import build_server, http_app
from argus.mcp_server.tools import ArgusTools
from argus.runtime.processes import sigterm_as_interrupt
from argus.runtime.services import running_database
from argus.store.pool import open_pool


async def _open_chat(conninfo: str) -> Chat:
    return await ChatService.open(conninfo)


@contextlib.asynccontextmanager
async def mcp_tools(settings: Settings, say: Callable[[str], None]) -> AsyncIterator[ArgusTools]:
    """The tools on a running, migrated database; closed (chat, then pool) on exit."""
    async with running_database(settings) as database:
        for note in database.started:
            say(note)
        pool = await open_pool(
            database.url,
            autocommit=True,
            acquire_timeout_s=settings.limits.db_acquire_timeout_s,
        )
        tools = ArgusTools(
            settings=settings, database_url=database.url, pool=pool, open_chat=_open_chat
        )
        try:
            yield tools
        finally:
            await tools.close()
            await pool.close()


async def serve_stdio(settings: Settings, say: Callable[[str], None]) -> None:
    """Serve MCP over stdin/stdout until the client closes it (``say`` must write to stderr:
    stdout carries the protocol)."""
    async with mcp_tools(settings, say) as tools:
        await build_server(tools).run_stdio_async()


async def serve_http(settings: Settings, host: str, port: int, say: Callable[[str], None]) -> None:
    """Serve MCP over streamable HTTP at ``http://host:port/mcp`` until SIGINT or SIGTERM."""
    with sigterm_as_interrupt():
        async with mcp_tools(settings, say) as tools:
            if not settings.api_keys:
                say("warning: no ARGUS_API_KEYS set: the MCP server is open to anyone")
            app = http_app(build_server(tools, host=host, port=port), settings.api_keys)
            config = uvicorn.Config(app, host=host, port=port, log_level="warning")
            say(f"Argus MCP (streamable HTTP) on http://{host}:{port}/mcp")
            await uvicorn.Server(config).serve()
