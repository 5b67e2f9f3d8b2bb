"""Embedded PostgreSQL 16 + pgvector through pgserver, with its data under ARGUS_HOME.

pgserver keeps a list of the processes holding a handle on one data directory (the pids in
``<pgdata>/.handle_pids.json``, changed only under pgserver's inter-process lock): a second
process that asks for the same directory attaches to the running server, and the server stops
only when the last handle is released. That is what lets ``argus serve``, ``argus worker`` and
``argus diagnose`` share one database without corrupting it.

Two faults pgserver leaves to its user are handled here: a holder killed without releasing its
handle (SIGKILL) stays in the list for ever, so dead holders are pruned whenever a handle is
taken or released; and a postmaster that dies is not started again, so every holder runs
``watch``, which starts it again on the same data directory (same socket, same URL).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from argus.errors import DatabaseUnavailable
from argus.runtime.processes import pid_alive

log = logging.getLogger(__name__)

#: The pids of the processes holding a handle (pgserver's ``DiskList``), inside the data dir.
HOLDERS_FILE = ".handle_pids.json"

# fasteners' inter-process lock (pgserver's) is a POSIX record lock: it excludes processes, not
# the threads of one process. This lock orders this process's threads (the watchdog runs in one).
_THREAD_LOCK = threading.Lock()


def _pgserver() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    return pgserver


@contextlib.contextmanager
def _holders_lock() -> Iterator[None]:
    """pgserver's own inter-process lock, the one it holds while it starts or stops a server."""
    with _pgserver().PostgresServer._lock:
        yield


def postmaster_pid(pgdata: Path) -> int | None:
    """The pid on the first line of ``postmaster.pid``, or None when there is no such file.

    Only the first line is read: a postmaster that is starting writes the rest line by line.
    """
    try:
        first = (pgdata / "postmaster.pid").read_text().split("\n", 1)[0]
    except OSError:
        return None
    return int(first) if first.strip().isdigit() else None


def postmaster_alive(pgdata: Path) -> bool:
    """True when the postmaster named in ``pgdata/postmaster.pid`` is alive (not a zombie)."""
    pid = postmaster_pid(pgdata)
    return pid is not None and pid_alive(pid)


def prune_dead_holders(pgdata: Path) -> list[int]:
    """Remove the pids of dead processes from pgserver's holder list; return the removed pids.

    Invariant: a pid stays in the list while its process is alive, so a live holder is never
    dropped (a recycled pid keeps the server up, the safe side). Call with ``_holders_lock``
    held, as pgserver does for every change of the list.
    """
    holders = _pgserver().utils.DiskList(pgdata / HOLDERS_FILE)
    pids: list[int] = holders.get()
    dead = [pid for pid in pids if not pid_alive(pid)]
    if dead:
        holders.put([pid for pid in pids if pid not in dead])
        log.info("pruned dead holders %s of the embedded PostgreSQL in %s", dead, pgdata)
    return dead


class EmbeddedPostgres:
    """A handle on the embedded PostgreSQL server of one data directory.

    Handles of one process on one directory share pgserver's server object, counted by its
    ``__enter__``/``__exit__``: this process's pid leaves the holder list with the last of them.
    """

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self._server: Any = None

    def start(self) -> str:
        """Start the server, or attach to the one already running there; return its URI.

        Dead holders are pruned first, and this process is in the holder list afterwards.
        """
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        with _THREAD_LOCK:
            if self._server is not None:
                return str(self._server.get_uri())
            try:
                self._server = self._take_handle()
            except Exception as exc:  # pgserver raises assorted subprocess and OS errors
                raise DatabaseUnavailable(
                    f"the embedded PostgreSQL in {self.pgdata} could not start: {exc}",
                    hint=f"see its log at {self.pgdata / 'log'}; or set ARGUS_DATABASE_URL to "
                    "an external server",
                ) from exc
        uri: str = self._server.get_uri()
        log.info("embedded PostgreSQL ready at %s", uri)
        return uri

    def _take_handle(self) -> Any:
        # get_server returns a cached object if this process held the directory before; the
        # cached one may name a stopped server and no longer list this pid, hence the re-check.
        server = _pgserver().get_server(self.pgdata, cleanup_mode="stop")
        with _holders_lock():
            prune_dead_holders(self.pgdata)
            server.ensure_postgres_running()
            server.global_process_id_list.get_and_add(os.getpid())
        server.__enter__()
        return server

    def stop(self) -> None:
        """Release this handle; the server stops when no live process holds one.

        Waits for a restart in progress in ``keep_alive``; after it, ``keep_alive`` does nothing.
        """
        with _THREAD_LOCK:
            server, self._server = self._server, None
            if server is None:
                return
            with _holders_lock():
                prune_dead_holders(self.pgdata)
                # pgserver stops the postmaster it saw last: another holder may have restarted
                # it since, and a dead one (a zombie is "running" to pgserver) needs no stop.
                alive = postmaster_alive(self.pgdata)
                read = _pgserver().utils.PostmasterInfo.read_from_pgdata
                server._postmaster_info = read(server.pgdata) if alive else None
            server.__exit__(None, None, None)

    def keep_alive(self) -> bool:
        """Start the postmaster again if it is gone; True when this call brought it back.

        It is started by pgserver on the same data directory and socket directory, so the URL
        returned by ``start`` works again. Under pgserver's inter-process lock, the liveness is
        checked again first: of several holders noticing the same death, one restarts it. A
        postmaster that cannot start yet (a zombie not reaped, old backends still attached to its
        shared memory) is left for the next call.
        """
        with _THREAD_LOCK:
            if self._server is None or postmaster_alive(self.pgdata):
                return False
            with _holders_lock():
                if postmaster_alive(self.pgdata):
                    return False
                try:
                    self._server.ensure_postgres_running()
                except (subprocess.SubprocessError, OSError, AssertionError) as exc:
                    log.warning(
                        "the embedded PostgreSQL in %s did not start again yet: %s",
                        self.pgdata,
                        exc,
                    )
                    return False
            if not postmaster_alive(self.pgdata):
                return False
        log.warning(
            "the embedded PostgreSQL in %s was gone; started it again (pid %s)",
            self.pgdata,
            postmaster_pid(self.pgdata),
        )
        return True

    async def watch(
        self, period_s: float = 1.0, on_restart: Callable[[], None] | None = None
    ) -> None:
        """Run ``keep_alive`` every ``period_s`` seconds until cancelled; never ends by itself.

        ``on_restart`` is called after each restart this watchdog made. Cancelling the task does
        not interrupt a restart under way in its thread; ``stop`` waits for it.
        """
        while True:
            await asyncio.sleep(period_s)
            try:
                restarted = await asyncio.to_thread(self.keep_alive)
            except Exception:
                log.exception("the watchdog of the embedded PostgreSQL in %s failed", self.pgdata)
                continue
            if restarted and on_restart is not None:
                on_restart()
