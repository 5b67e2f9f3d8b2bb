"""The bearer guard of the MCP server's HTTP app: the API's keys, open when none is set."""

from __future__ import annotations

import httpx
from pydantic import SecretStr
from starlette.types import Receive, Scope, Send

from argus.mcp_server.server import BearerGuard


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def _status(keys: list[str], headers: dict[str, str | bytes]) -> int:
    guard = BearerGuard(_ok, [SecretStr(k) for k in keys])
    transport = httpx.ASGITransport(app=guard)
    async with httpx.AsyncClient(transport=transport, base_url="http://mcp") as client:
        return (await client.post("/mcp", headers=headers)).status_code


async def test_a_key_is_needed_once_keys_are_configured() -> None:
    assert await _status(["k1", "k2"], {"Authorization": "Bearer k2"}) == 200
    assert await _status(["k1"], {"Authorization": "bearer k1"}) == 200  # any case of scheme
    assert await _status(["k1"], {}) == 401
    assert await _status(["k1"], {"Authorization": "Bearer k2"}) == 401
    assert await _status(["k1"], {"Authorization": "Basic k1"}) == 401
    assert await _status(["k1"], {"Authorization": "Bearer k\u00e9".encode("latin-1")}) == 401


async def test_no_key_configured_leaves_it_open() -> None:
    assert await _status([], {}) == 200
