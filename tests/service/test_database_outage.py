"""The postmaster SIGKILLed mid-flight: the API answers 503 fast, the service's watchdog brings
PostgreSQL back, and every batch is diagnosed once, without restarting the service."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from argus.events import TOPICS
from argus.runtime.kafka import ensure_topics
from argus.runtime.postgres import EmbeddedPostgres
from tests.service.harness import AUTH, ServeProcess, diagnosed_transitions, submit, wait_until

pytestmark = pytest.mark.integration


def _postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().splitlines()[0])


async def _probe(client: httpx.AsyncClient, batch_id: str) -> tuple[int, float, str | None]:
    started = time.monotonic()
    answer = await client.get(f"/api/v1/batches/{batch_id}", headers=AUTH)
    return answer.status_code, time.monotonic() - started, answer.headers.get("retry-after")


async def test_a_killed_postmaster_gives_503_then_every_batch_finishes_once(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    await ensure_topics(kafka_bootstrap, TOPICS)
    serve = ServeProcess(
        home=tmp_path / "home", env_extra={"ARGUS_KAFKA_BOOTSTRAP": kafka_bootstrap}
    )
    serve.start()
    pgdata = serve.home / "pgdata"
    try:
        await serve.wait_ready()
        assert serve.proc is not None
        pid = serve.proc.pid
        async with httpx.AsyncClient(base_url=serve.url, timeout=30) as client:
            ids = await submit(client, 4, "db-outage")
            await asyncio.sleep(1.0)  # some are parsing or diagnosing now
            os.kill(_postmaster_pid(pgdata), signal.SIGKILL)
            probes = [await _probe(client, ids[0]) for _ in range(6)]
        await serve.wait_ready(timeout_s=60)
        assert serve.proc.pid == pid and serve.proc.poll() is None  # never restarted
        database = EmbeddedPostgres(pgdata)
        db_url = database.start()  # attach to the server the service brought back
        try:
            await wait_until(db_url, ids, {"diagnosed"}, 120)
            transitions = await diagnosed_transitions(db_url, ids)
        finally:
            database.stop()
    finally:
        serve.stop()
    assert all(code in {200, 503} and seconds < 2.5 for code, seconds, _ in probes), probes
    assert any(code == 503 for code, _, _ in probes), probes  # the outage was seen...
    assert all(after for code, _, after in probes if code == 503)  # ...with Retry-After
    assert transitions == dict.fromkeys(ids, 1)
