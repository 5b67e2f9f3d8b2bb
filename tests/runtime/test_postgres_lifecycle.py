"""The embedded PostgreSQL's lifecycle: released on SIGTERM/SIGINT, dead holders pruned, restarted.

Each test has a data directory of its own (not the session's server), so that stopping and
killing postmasters here touches nothing else.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from argus.config import Settings
from argus.runtime.kafka import EmbeddedKafka, free_port
from argus.runtime.postgres import EmbeddedPostgres, postmaster_pid
from argus.runtime.processes import pid_alive
from argus.runtime.services import running_database

pytestmark = pytest.mark.integration

HOLDER = """
import sys, time
from pathlib import Path
from argus.runtime.postgres import EmbeddedPostgres
EmbeddedPostgres(Path(sys.argv[1])).start()
print("holding", flush=True)
time.sleep(600)
"""

WATCHER = """
import asyncio, sys
from pathlib import Path
from argus.runtime.postgres import EmbeddedPostgres

async def main() -> None:
    pg = EmbeddedPostgres(Path(sys.argv[1]))
    pg.start()
    print("watching", flush=True)
    try:
        await pg.watch(float(sys.argv[2]), on_restart=lambda: print("restarted", flush=True))
    finally:
        pg.stop()

try:
    asyncio.run(main())
except KeyboardInterrupt:
    pass
"""

#: Short enough that both watchdogs notice the same death while one of them restarts it.
FAST_PERIOD_S = 0.05


@pytest.fixture(scope="module")
def quiet_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A broker of this module's own: the session's broker holds every earlier test's batch
    events, which a fresh consumer group would read first (these tests are about signals)."""
    broker = EmbeddedKafka(tmp_path_factory.mktemp("lifecycle-kafka"))
    yield broker.start()
    broker.stop()


def _child_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARGUS_")}
    return {**env, "ARGUS_HOME": str(home), "ARGUS_LLM": "none", **extra}


def _holders(pgdata: Path) -> list[int]:
    path = pgdata / ".handle_pids.json"
    return json.loads(path.read_text()) if path.exists() else []


def _wait_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _argus(
    home: Path, kafka_bootstrap: str, *args: str, background: bool = False
) -> subprocess.Popen[bytes]:
    """``argus ARGS``; ``background``: with SIGINT ignored, as a shell's ``cmd &`` starts it."""
    env = _child_env(
        home,
        ARGUS_KAFKA_BOOTSTRAP=kafka_bootstrap,
        ARGUS_KAFKA_GROUP=f"lifecycle-{home.parent.name}",
    )
    log = open(home.parent / "argus.log", "wb")  # noqa: SIM115 (the child writes it)
    return subprocess.Popen(
        [sys.executable, "-m", "argus", *args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_ignore_sigint if background else None,
    )


def _ended(proc: subprocess.Popen[bytes], home: Path) -> int:
    """The exit code of a signalled child, or its output when it does not end in time."""
    try:
        return proc.wait(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError((home.parent / "argus.log").read_text()[-3000:]) from None


def _wait_for_line(home: Path, text: str, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    log = home.parent / "argus.log"
    while text not in log.read_text():
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"no {text!r} within {timeout_s}s"
        time.sleep(0.5)


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"argus serve exited with {proc.returncode}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"argus serve did not answer /healthz within {timeout_s}s")


def _assert_released(pgdata: Path, postmaster: int) -> None:
    """The child was the only holder: the server is stopped, not merely detached from."""
    assert _wait_gone(postmaster, timeout_s=30), "the postmaster outlived its last holder"
    assert _holders(pgdata) == []
    assert postmaster_pid(pgdata) is None


SIGNALS = pytest.mark.parametrize(
    ("sig", "background"),
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGTERM, True)],
    ids=["SIGTERM", "SIGINT", "SIGTERM-in-background"],
)


@SIGNALS
def test_a_signal_ends_serve_and_releases_postgres(
    sig: signal.Signals, background: bool, tmp_path: Path, quiet_kafka: str
) -> None:
    home = tmp_path / "home"
    port = free_port()
    proc = _argus(home, quiet_kafka, "serve", "--port", str(port), background=background)
    try:
        _wait_healthy(proc, port)
        postmaster = postmaster_pid(home / "pgdata")
        assert postmaster is not None and pid_alive(postmaster)
        assert proc.pid in _holders(home / "pgdata")
        proc.send_signal(sig)
        assert _ended(proc, home) == 0
    finally:
        _kill(proc)
    _assert_released(home / "pgdata", postmaster)


@SIGNALS
def test_a_signal_ends_worker_and_releases_postgres(
    sig: signal.Signals, background: bool, tmp_path: Path, quiet_kafka: str
) -> None:
    home = tmp_path / "home"
    proc = _argus(home, quiet_kafka, "worker", "--kind", "parse", background=background)
    try:
        _wait_for_line(home, "worker(s), groups", proc, timeout_s=180)
        postmaster = postmaster_pid(home / "pgdata")
        assert postmaster is not None and proc.pid in _holders(home / "pgdata")
        proc.send_signal(sig)
        assert _ended(proc, home) == 0
    finally:
        _kill(proc)
    _assert_released(home / "pgdata", postmaster)


def _kill(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_a_killed_holder_does_not_keep_the_server_alive(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(pgdata)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    finally:
        holder.kill()
        holder.wait()
    postmaster = postmaster_pid(pgdata)
    assert postmaster is not None and pid_alive(postmaster)
    assert _holders(pgdata) == [holder.pid]  # SIGKILL released nothing

    pg = EmbeddedPostgres(pgdata)
    pg.start()
    assert _holders(pgdata) == [os.getpid()]
    pg.stop()

    assert _wait_gone(postmaster, timeout_s=30), "the dead holder kept the server running"
    assert _holders(pgdata) == []


async def test_the_watchdog_restarts_a_killed_postmaster(settings: Settings) -> None:
    restarts: list[str] = []
    async with running_database(settings, on_restart=restarts.append) as database:
        url = database.url
        killed = postmaster_pid(settings.pgdata_dir)
        assert killed is not None
        os.kill(killed, signal.SIGKILL)

        assert await _select_one_within(url, timeout_s=15) == (1,)
        for _ in range(50):  # the watchdog reports right after the restart it made
            if restarts:
                break
            await asyncio.sleep(0.1)
        assert restarts == ["postgres"]
        assert postmaster_pid(settings.pgdata_dir) not in (None, killed)
    # Leaving the context stops the restarted server too (this test was its only holder).
    assert postmaster_pid(settings.pgdata_dir) is None


async def test_of_two_watchdogs_one_restarts_the_postmaster(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    pg = EmbeddedPostgres(pgdata)
    url = pg.start()
    restarts: list[bool] = []
    watch = asyncio.create_task(pg.watch(FAST_PERIOD_S, on_restart=lambda: restarts.append(True)))
    watcher = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WATCHER,
        str(pgdata),
        str(FAST_PERIOD_S),
        env=_child_env(tmp_path),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert watcher.stdout is not None
        assert (await asyncio.wait_for(watcher.stdout.readline(), 120)).strip() == b"watching"
        killed = postmaster_pid(pgdata)
        assert killed is not None
        os.kill(killed, signal.SIGKILL)
        assert await _select_one_within(url, timeout_s=15) == (1,)
        await asyncio.sleep(2)  # many periods: a second restart would have happened by now
    finally:
        watcher.send_signal(signal.SIGINT)
        child_output = (await asyncio.wait_for(watcher.communicate(), 90))[0].decode()
        watch.cancel()
        pg.stop()
    assert len(restarts) + child_output.count("restarted") == 1
    assert postmaster_pid(pgdata) is None  # the child's SIGINT and our stop released both


async def _select_one_within(url: str, timeout_s: float) -> tuple[int, ...] | None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(url, connect_timeout=2) as conn:
                row = await (await conn.execute("SELECT 1")).fetchone()
                return tuple(row) if row is not None else None
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.3)
