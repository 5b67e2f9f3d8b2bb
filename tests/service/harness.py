"""Driving ``argus serve`` as a real process: start, submit batches over HTTP, kill, restart."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from argus import events
from argus.runtime.kafka import free_port
from tests.conftest import EXAMPLES

KEY = "resilience-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
LOG = EXAMPLES / "shop" / "payment-db-pool.log.gz"


@dataclass(kw_only=True)
class ServeProcess:
    """One ``argus serve`` process with its own ARGUS_HOME and port."""

    home: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Where the API answers."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the process (it keeps its home and port across restarts)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARGUS_")}
        env.update(
            {
                "ARGUS_HOME": str(self.home),
                "ARGUS_LLM": "none",
                "ARGUS_API_KEYS": f'["{KEY}"]',
                "ARGUS_KAFKA_GROUP": f"res-{self.home.name}",
                **self.env_extra,
            }
        )
        log = open(self.home.parent / f"{self.home.name}-serve.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "argus", "serve", "--port", str(self.port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    async def wait_ready(self, timeout_s: float = 180) -> None:
        """Until /readyz answers 200."""
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            while time.monotonic() < deadline:
                assert self.proc is not None and self.proc.poll() is None, "serve exited"
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)
        raise AssertionError(f"argus serve not ready in {timeout_s}s")

    def signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` and wait for the process to end."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        self.proc.wait(timeout=60)

    def stop(self) -> None:
        """End it however it is (used in test clean-up)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


async def submit(client: httpx.AsyncClient, count: int, source: str) -> list[str]:
    """``count`` batches of the example log, completed; their ids."""
    body = LOG.read_bytes()
    ids = []
    for _ in range(count):
        created = await client.post("/api/v1/batches", json={"source": source}, headers=AUTH)
        assert created.status_code == 201, created.text
        batch_id = str(created.json()["batch_id"])
        put = await client.put(
            f"/api/v1/batches/{batch_id}/files/{LOG.name}", content=body, headers=AUTH
        )
        assert put.status_code == 201, put.text
        done = await client.post(f"/api/v1/batches/{batch_id}/complete", headers=AUTH)
        assert done.status_code == 202, done.text
        ids.append(batch_id)
    return ids


async def states(db_url: str, ids: list[str]) -> dict[str, str]:
    """Each batch's state."""
    async with await psycopg.AsyncConnection.connect(db_url) as conn:
        cur = await conn.execute(
            "SELECT batch_id::text, status FROM batch WHERE batch_id = ANY(%s::uuid[])", (ids,)
        )
        return {str(b): str(s) for b, s in await cur.fetchall()}


async def wait_until(db_url: str, ids: list[str], wanted: set[str], timeout_s: float) -> float:
    """Seconds until every batch is in one of ``wanted`` (AssertionError with the states)."""
    started = time.monotonic()
    seen: dict[str, str] = {}
    while time.monotonic() - started < timeout_s:
        seen = await states(db_url, ids)
        if len(seen) == len(ids) and set(seen.values()) <= wanted:
            return time.monotonic() - started
        await asyncio.sleep(0.5)
    raise AssertionError(f"not all in {wanted} after {timeout_s}s: {seen}")


async def diagnosed_transitions(db_url: str, ids: list[str]) -> dict[str, int]:
    """How often each batch moved to "diagnosed" (one outbox event is written per move)."""
    async with await psycopg.AsyncConnection.connect(db_url) as conn:
        cur = await conn.execute(
            "SELECT batch_id::text, count(*) FROM outbox WHERE topic = %s"
            " AND batch_id = ANY(%s::uuid[]) GROUP BY batch_id",
            (events.DIAGNOSED, ids),
        )
        counts = {str(b): int(n) for b, n in await cur.fetchall()}
    return {i: counts.get(i, 0) for i in ids}


def new_name(prefix: str) -> str:
    """A unique, database-safe name."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"
