"""Starting the stage workers of one process."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from argus.config import Settings
from argus.workers.diagnose import DiagnoseWorker
from argus.workers.parse import ParseWorker

KINDS = ("parse", "diagnose")


def worker_runs(
    settings: Settings, database_url: str, bootstrap: str, count: int,
    kinds: tuple[str, ...] = KINDS,
) -> list[Coroutine[Any, Any, None]]:  # fmt: skip
    """``count`` consumers of each kind; consumers of one kind share one semaphore."""
    runs: list[Coroutine[Any, Any, None]] = []
    for kind in kinds:
        cls = ParseWorker if kind == "parse" else DiagnoseWorker
        slots = asyncio.Semaphore(cls.concurrency(settings))
        runs += [cls(settings, database_url, bootstrap, slots).run() for _ in range(count)]
    return runs
