"""The processes of the chaos bench: PostgreSQL and the broker owned here, argus as children.

PostgreSQL (pgserver) and the tansu broker run under the bench's temporary directory and are
held by this process, so the bench can kill them and start them again itself: PostgreSQL on the
same data directory (same unix socket, so the same URL), the broker on the same port (it keeps
its topics in memory, so they are created again). ``argus serve`` and ``argus worker`` get the
addresses through ARGUS_DATABASE_URL and ARGUS_KAFKA_BOOTSTRAP and never start their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from argus.events import TOPICS
from argus.runtime.kafka import EmbeddedKafka, ensure_topics
from argus.runtime.postgres import EmbeddedPostgres, postmaster_alive, postmaster_pid
from argus.store.migrate import apply_migrations

KEY = "bench-chaos-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
STOP_GRACE_S = 30.0


def argus_env(home: Path, database_url: str, bootstrap: str) -> dict[str, str]:
    """The environment of an argus process: this one without ARGUS_*, plus the bench's.

    Every argus process shares the database, the broker, the consumer groups and the API key;
    each has its own ARGUS_HOME (its uploads, its instance slot)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGUS_")}
    env.update(
        {
            "ARGUS_HOME": str(home),
            "ARGUS_DATABASE_URL": database_url,
            "ARGUS_KAFKA_BOOTSTRAP": bootstrap,
            "ARGUS_LLM": "none",
            "ARGUS_KAFKA_GROUP": "chaos",
            "ARGUS_API_KEYS": json.dumps([KEY]),
            "NO_PROXY": "127.0.0.1,localhost",
        }
    )
    return env


@dataclass(kw_only=True)
class ArgusProcess:
    """One argus command run as a child, restartable with the same home, port and log.

    Invariant: ``proc`` is the latest start (None before the first); a killed or stopped one
    has been reaped."""

    name: str  #: "serve" or "worker", for the schedule and the log's name
    argv: list[str]  #: the arguments after ``python -m argus``
    env: dict[str, str]
    log: Path  #: stdout and stderr of every start, appended
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    log_offset: int = 0  #: where the latest start's output begins in ``log``

    def start(self) -> None:
        """Start it (in its own session, so its children can be found and ended with it)."""
        with open(self.log, "ab") as out:
            out.write(
                f"\n==== chaos bench: start {self.starts + 1} at {time.time():.3f}\n".encode()
            )
            out.flush()
            self.log_offset = out.tell()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "argus", *self.argv],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.starts += 1

    async def wait_output(self, marker: str, timeout_s: float) -> bool:
        """Wait until the latest start printed ``marker``; False when it did not in time (or
        ended first)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.exit_code() is None:
            if self._printed(marker):
                return True
            await asyncio.sleep(0.5)
        return False

    def _printed(self, marker: str) -> bool:
        with open(self.log, "rb") as log:
            log.seek(self.log_offset)
            return marker.encode() in log.read()

    def exit_code(self) -> int | None:
        """The exit code once it has ended by itself or been killed; None while it runs."""
        return None if self.proc is None else self.proc.poll()

    def kill(self) -> None:
        """SIGKILL, as a crash would; then any child it left behind in its session."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.kill()
        self.proc.wait(timeout=30)
        self._kill_session()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a grace period; returns once it and its session are gone."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self._kill_session()

    def _kill_session(self) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)


async def wait_ready(url: str, timeout_s: float) -> bool:
    """Poll ``url``/readyz until it answers 200; False when ``timeout_s`` passes first."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=url, timeout=5, trust_env=False) as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/readyz")).status_code == 200:
                    return True
            await asyncio.sleep(0.5)
    return False


@dataclass(kw_only=True)
class Infra:
    """PostgreSQL and the broker, owned by the bench; ``start`` before anything else."""

    root: Path  #: the bench's temporary directory
    kafka_port: int
    database_url: str = ""
    bootstrap: str = ""
    pg: EmbeddedPostgres = field(init=False)
    broker: EmbeddedKafka = field(init=False)

    def __post_init__(self) -> None:
        self.pg = EmbeddedPostgres(self.pgdata)
        self.broker = EmbeddedKafka(self.root / "kafka", port=self.kafka_port)

    @property
    def pgdata(self) -> Path:
        """PostgreSQL's data directory (its socket is there too)."""
        return self.root / "pgdata"

    async def start(self) -> None:
        """Start both, apply the migrations, create the topics."""
        self.database_url = await asyncio.to_thread(self.pg.start)
        await apply_migrations(self.database_url)
        self.bootstrap = await asyncio.to_thread(self.broker.start)
        await ensure_topics(self.bootstrap, TOPICS)

    def kill_postgres(self) -> int:
        """SIGKILL the postmaster (its backends notice and exit); return its pid."""
        pid = postmaster_pid(self.pgdata)
        if pid is None:
            raise RuntimeError(f"no postmaster.pid in {self.pgdata}")
        os.kill(pid, signal.SIGKILL)
        return pid

    async def restart_postgres(self, timeout_s: float = 120.0) -> None:
        """Start the postmaster again on the same data directory and check that the URL the
        services were given answers again (pgserver keeps the socket in the data directory).

        A postmaster cannot start while backends of the killed one still hold its shared memory,
        so this retries until it is up or ``timeout_s`` passes (RuntimeError)."""
        deadline = time.monotonic() + timeout_s
        while not postmaster_alive(self.pgdata):
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL in {self.pgdata} did not start again")
            if not await asyncio.to_thread(self.pg.keep_alive):
                await asyncio.sleep(0.5)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.database_url, connect_timeout=5
                ) as conn:
                    await conn.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"PostgreSQL restarted but {self.database_url} does not answer"
                    ) from None
                await asyncio.sleep(0.5)

    def kill_broker(self) -> None:
        """SIGKILL the broker: every message it held is gone (it keeps them in memory)."""
        proc = self.broker._proc  # the bench owns the broker: it holds the child process
        if proc is None:
            raise RuntimeError("the broker is not running")
        proc.kill()
        proc.wait(timeout=30)

    async def restart_broker(self) -> None:
        """Start the broker again on the same port and create the topics again."""
        bootstrap = await asyncio.to_thread(self.broker.start)
        if bootstrap != self.bootstrap:
            raise RuntimeError(f"the broker came back at {bootstrap}, not {self.bootstrap}")
        await ensure_topics(self.bootstrap, TOPICS)

    def stop(self) -> None:
        """Stop the broker and release PostgreSQL (the last holder stops it); safe to repeat."""
        with contextlib.suppress(Exception):
            self.broker.stop()
        self.pg.stop()
