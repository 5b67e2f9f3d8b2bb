"""A PostgreSQL outage under the running API: 503 with Retry-After within 2 s (not a 500, not
a 30 s hang), and the same app answers 200 again once the server is back (no restart).

The server is a private embedded PostgreSQL, so stopping it disturbs no other test."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import psutil
import pytest
from pydantic import SecretStr

from argus.config import Settings
from argus.runtime.postgres import EmbeddedPostgres
from argus.runtime.services import Services
from argus.service.app import create_app
from argus.store.migrate import apply_migrations
from tests.api.conftest import served

pytestmark = pytest.mark.integration

AUTH = {"Authorization": "Bearer down"}


class PrivatePostgres:
    """An embedded PostgreSQL of its own data directory that a test may kill and restart."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self.handle = EmbeddedPostgres(pgdata)

    def start(self) -> str:
        """Start the server; return its URL (the same after every restart)."""
        return self.handle.start()

    def crash(self) -> None:
        """Immediate shutdown (SIGQUIT to the postmaster): every connection is cut at once,
        as when the server dies."""
        pid = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGQUIT)
        psutil.Process(pid).wait(timeout=30)
        self.handle.stop()  # release this process's handle, so the next start starts it
        self.handle = EmbeddedPostgres(self.pgdata)

    def stop(self) -> None:
        """Release (and stop) the server."""
        self.handle.stop()


@pytest.fixture
async def private_pg(tmp_path: Path) -> AsyncIterator[tuple[PrivatePostgres, str]]:
    server = PrivatePostgres(tmp_path / "pgdata")
    url = await asyncio.to_thread(server.start)
    try:
        await apply_migrations(url)
        yield server, url
    finally:
        await asyncio.to_thread(server.stop)


async def _timed_get(client: httpx.AsyncClient, path: str) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    answer = await client.get(path, headers=AUTH)
    return answer, time.monotonic() - start


async def test_a_database_outage_answers_503_fast_and_recovers(
    private_pg: tuple[PrivatePostgres, str], kafka_bootstrap: str, tmp_path: Path
) -> None:
    server, url = private_pg
    configured = Settings(home=tmp_path / "home", api_keys=[SecretStr("down")], llm="none")
    app = create_app(configured, Services.at(url, kafka_bootstrap), workers=0)
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=60) as client:
        created = await client.post("/api/v1/batches", json={"source": "outage"}, headers=AUTH)
        assert created.status_code == 201, created.text
        path = f"/api/v1/batches/{created.json()['batch_id']}"
        assert (await client.get(path, headers=AUTH)).status_code == 200

        await asyncio.to_thread(server.crash)
        for _ in range(3):  # the pooled connection is dead, then no connection can be made
            answer, elapsed = await _timed_get(client, path)
            assert answer.status_code == 503, answer.text
            assert int(answer.headers["Retry-After"]) > 0
            assert elapsed < 2.5, elapsed
            assert "postgres" not in answer.text.lower()  # no driver message, no socket path
        refused = await client.post("/api/v1/batches", json={"source": "x"}, headers=AUTH)
        assert refused.status_code == 503, refused.text

        assert await asyncio.to_thread(server.start) == url
        deadline = time.monotonic() + 60
        while (answer := await client.get(path, headers=AUTH)).status_code != 200:
            assert answer.status_code == 503, answer.text
            assert time.monotonic() < deadline, "the API did not recover after the database"
            await asyncio.sleep(0.5)
        assert answer.json()["source"] == "outage"
