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
    """Consumers of each kind, sharing one semaphore per kind.

    Each consumer handles one event at a time, so a kind gets at least as many consumers as
    its semaphore has slots (else the slots could never fill); ``count`` may ask for more, and
    0 starts none. The topics' partitions cap how many consumers of a group receive events.
    """
    runs: list[Coroutine[Any, Any, None]] = []
    for kind in kinds:
        cls = ParseWorker if kind == "parse" else DiagnoseWorker
        bound = cls.concurrency(settings)
        slots = asyncio.Semaphore(bound)
        consumers = max(count, bound) if count > 0 else 0
        runs += [cls(settings, database_url, bootstrap, slots).run() for _ in range(consumers)]
    return runs
