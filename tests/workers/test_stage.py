"""Claims and slots: a batch waiting for a diagnose slot is not claimed (it still shows parsed)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from argus.batch_rows import BatchRecord
from argus.config import Settings
from argus.runtime.services import Services
from argus.store.batches import ClaimOutcome
from argus.workers.diagnose import DiagnoseWorker
from argus.workers.parse import ParseWorker
from argus.workers.stage import StageWorker, WorkerScope
from tests.batch_rows import batch_record

#: Addresses no test here connects to.
UNUSED = Services.at("postgresql://unused", "unused:9092")


class _Recording:
    """Records claims instead of touching PostgreSQL; ``process`` waits for ``release``."""

    claimed: list[uuid.UUID]
    release: asyncio.Event

    async def _claim(self, batch_id: uuid.UUID) -> BatchRecord | None:
        self.claimed.append(batch_id)
        return batch_record(batch_id=batch_id, source="test")

    @contextlib.asynccontextmanager
    async def _renewing(self, batch_id: uuid.UUID) -> AsyncIterator[None]:
        yield

    async def process(self, batch_id: uuid.UUID, batch: BatchRecord) -> None:
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
        worker: Any = kind(Settings(), UNUSED, slots)
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


async def test_each_step_of_a_batch_is_logged_with_stage_and_batch(
    caplog: pytest.LogCaptureFixture,
) -> None:
    (worker, _) = _workers(_Parse, asyncio.Semaphore(1))
    worker.release.set()
    batch_id = uuid.uuid4()
    with caplog.at_level(logging.INFO, logger="argus.workers.stage"):
        await worker._handle(json.dumps({"batch_id": str(batch_id)}).encode())
    lines = [(r.levelno, r.getMessage()) for r in caplog.records]
    steps = [message.split()[0] for _, message in lines]
    assert steps == ["claim", "start", "finish"]
    assert all(f"stage=parse batch={batch_id}" in message for _, message in lines)
    assert {level for level, _ in lines} == {logging.INFO}


async def test_a_failed_batch_and_a_dead_letter_are_warnings(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    (worker, _) = _workers(_Diagnose, asyncio.Semaphore(1))
    monkeypatch.setattr(
        "argus.workers.stage.psycopg.AsyncConnection.connect", _no_database, raising=True
    )
    with caplog.at_level(logging.INFO, logger="argus.workers.stage"):
        with contextlib.suppress(_NoDatabase):
            await worker.fail(uuid.UUID(int=7), "the files are empty")
        with contextlib.suppress(_NoDatabase):
            await worker._dead_letter(b"{}", "bad event", None)
    lines = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert lines[0] == (
        logging.WARNING,
        f"fail stage=diagnose batch={uuid.UUID(int=7)} reason='the files are empty'",
    )
    assert lines[1] == (logging.WARNING, "dlq stage=diagnose batch=- error='bad event'")


class _NoDatabase(Exception):
    """Raised instead of connecting: the log line comes before any database work."""


async def _no_database(*args: Any, **kwargs: Any) -> Any:
    raise _NoDatabase


class _Connection:
    """Stands in for a connection: the claim and the batch row are faked beside it."""

    async def __aenter__(self) -> _Connection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


@pytest.mark.parametrize("outcome", list(ClaimOutcome))
async def test_the_worker_branches_on_every_claim_outcome(
    outcome: ClaimOutcome, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claimed: the batch row is worked on; missing: LookupError (the event goes to the DLQ);
    any other outcome: skipped, with the outcome as the logged reason."""
    scope = WorkerScope(owner="test", db=_Connection)  # type: ignore[arg-type]
    worker = ParseWorker(Settings(), UNUSED, scope=scope)
    row = batch_record(batch_id=uuid.uuid4(), source="test")

    async def claim(*args: Any, **kwargs: Any) -> ClaimOutcome:
        return outcome

    async def get_batch(*args: Any) -> BatchRecord:
        return row

    monkeypatch.setattr("argus.workers.stage.batches.claim", claim)
    monkeypatch.setattr("argus.workers.stage.batches.get_batch", get_batch)
    batch_id = uuid.uuid4()
    with caplog.at_level(logging.INFO, logger="argus.workers.stage"):
        if outcome is ClaimOutcome.MISSING:
            with pytest.raises(LookupError):
                await worker._claim(batch_id)
            return
        got = await worker._claim(batch_id)
    if outcome is ClaimOutcome.CLAIMED:
        assert got is row and caplog.records == []
    else:
        assert got is None
        assert [r.getMessage() for r in caplog.records] == [
            f"skip stage=parse batch={batch_id} reason={outcome.value}"
        ]
