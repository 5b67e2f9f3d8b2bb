"""Embedded PostgreSQL 16 + pgvector through pgserver, with its data under ARGUS_HOME.

pgserver keeps a list of the processes holding a handle on one data directory: a second process
that asks for the same directory attaches to the running server, and the server stops only when
the last handle is released. That is what lets ``argus serve`` and ``argus diagnose`` share one
database without corrupting it.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

from argus.errors import DatabaseUnavailable

log = logging.getLogger(__name__)


class EmbeddedPostgres:
    """A handle on the embedded PostgreSQL server of one data directory."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self._server: Any = None

    def start(self) -> str:
        """Start the server, or attach to the one already running there; return its URI."""
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import pgserver

                get_server = pgserver.get_server  # type: ignore[attr-defined]
                self._server = get_server(self.pgdata, cleanup_mode="stop")
        except Exception as exc:  # pgserver raises assorted subprocess and OS errors
            log_file = self.pgdata / "log"
            raise DatabaseUnavailable(
                f"the embedded PostgreSQL in {self.pgdata} could not start: {exc}",
                hint=f"see its log at {log_file}; or set ARGUS_DATABASE_URL to an external server",
            ) from exc
        uri: str = self._server.get_uri()
        log.info("embedded PostgreSQL ready at %s", uri)
        return uri

    def stop(self) -> None:
        """Release this process's handle; the server stops when no process holds one."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None
