"""Claims and slots: a batch waiting for a diagnose slot is not claimed (it still shows parsed)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from argus.config import Settings
from argus.workers.diagnose import DiagnoseWorker
from argus.workers.parse import ParseWorker
from argus.workers.stage import StageWorker


class _Recording:
    """Records claims instead of touching PostgreSQL; ``process`` waits for ``release``."""

    claimed: list[uuid.UUID]
    release: asyncio.Event

    async def _claim(self, batch_id: uuid.UUID) -> dict[str, Any] | None:
        self.claimed.append(batch_id)
        return {"labels": {}, "files": [], "source": "test"}

    @contextlib.asynccontextmanager
    async def _renewing(self, batch_id: uuid.UUID) -> AsyncIterator[None]:
        yield

    async def process(self, batch_id: uuid.UUID, batch: dict[str, Any]) -> None:
        await self.release.wait()


class _Diagnose(_Recording, DiagnoseWorker):
    pass


class _Parse(_Recording, ParseWorker):
    pass


def _workers(kind: type[StageWorker], slots: asyncio.Semaphore) -> list[Any]:
    claimed: list[uuid.UUID] = []
    release = asyncio.Event()
    workers: list[Any] = []
    for _ in range(2):
        worker: Any = kind(Settings(), "postgresql://unused", "unused:9092", slots)
        worker.claimed, worker.release = claimed, release
        workers.append(worker)
    return workers


async def _run_two(kind: type[StageWorker]) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """Two consumers sharing one slot each handle a batch; claims before and after release."""
    first, second = _workers(kind, asyncio.Semaphore(1))
    ids = [uuid.uuid4(), uuid.uuid4()]
    events = [json.dumps({"batch_id": str(i)}).encode() for i in ids]
    pairs = zip((first, second), events, strict=True)
    tasks = [asyncio.create_task(w._handle(event)) for w, event in pairs]
    await asyncio.sleep(0.05)
    before = list(first.claimed)
    first.release.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    return before, list(first.claimed)


async def test_a_batch_waiting_for_a_diagnose_slot_is_not_claimed() -> None:
    before, after = await _run_two(_Diagnose)
    assert len(before) == 1  # the second batch stays "parsed" while the slot is taken
    assert len(after) == 2


async def test_parse_claims_at_once_and_bounds_its_files_instead() -> None:
    before, after = await _run_two(_Parse)
    assert len(before) == 2 and len(after) == 2
