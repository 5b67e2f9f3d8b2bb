"""Worker tasks never die silently: any end is logged, counted and followed by a restart."""

from __future__ import annotations

import asyncio
import logging

import psycopg
import pytest
from aiokafka.errors import KafkaConnectionError

from argus.errors import CorruptInputError, DatabaseUnavailable
from argus.metrics import WORKER_RESTARTS
from argus.workers.faults import is_infrastructure
from argus.workers.supervise import Backoff, supervise

FAST = Backoff(first_s=0.01, max_s=0.05)


async def test_a_task_that_fails_is_restarted_logged_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs: list[int] = []
    done = asyncio.Event()

    async def flaky() -> None:
        runs.append(1)
        if len(runs) < 3:
            raise psycopg.OperationalError("connection refused")
        done.set()
        await asyncio.Event().wait()  # the third run lives on

    before = WORKER_RESTARTS.labels("flaky")._value.get()
    with caplog.at_level(logging.WARNING):
        task = asyncio.create_task(supervise("flaky#0", flaky, FAST))
        await asyncio.wait_for(done.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert len(runs) == 3
    assert WORKER_RESTARTS.labels("flaky")._value.get() - before == 2
    assert sum("connection refused" in r.getMessage() for r in caplog.records) == 2


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(first_s=0.5, max_s=5.0)
    assert [backoff.delay(n) for n in (1, 2, 3, 4, 5, 9)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_service_faults_are_told_from_input_faults() -> None:
    assert is_infrastructure(psycopg.OperationalError("server closed the connection"))
    assert is_infrastructure(KafkaConnectionError("broker down"))
    assert is_infrastructure(DatabaseUnavailable("down"))
    try:
        try:
            raise ConnectionRefusedError("refused")
        except ConnectionRefusedError as inner:
            raise RuntimeError("while reading statistics") from inner
    except RuntimeError as wrapped:
        assert is_infrastructure(wrapped)  # the cause decides
    assert not is_infrastructure(CorruptInputError("gzip stream is corrupt"))
    assert not is_infrastructure(ValueError("a bug"))
