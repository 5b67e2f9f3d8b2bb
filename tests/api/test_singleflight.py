"""Single-flight reads: a hundred concurrent readers of one report cause one query."""

from __future__ import annotations

import asyncio
import uuid

from argus.api.singleflight import SingleFlight


async def test_concurrent_readers_share_one_load() -> None:
    async def load(key: uuid.UUID) -> dict[str, str]:
        await asyncio.sleep(0.05)
        return {"batch": str(key)}

    flight = SingleFlight(load)
    key = uuid.uuid4()
    answers = await asyncio.gather(*(flight.get(key) for _ in range(100)))
    assert flight.loads == 1
    assert all(a == {"batch": str(key)} for a in answers)
    await flight.get(key)  # a later read is a new query (nothing is cached stale)
    assert flight.loads == 2


async def test_a_failed_load_fails_its_waiters_and_is_retried_later() -> None:
    calls = 0

    async def load(key: uuid.UUID) -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        if calls == 1:
            raise RuntimeError("database restarted")
        return "ok"

    flight = SingleFlight(load)
    key = uuid.uuid4()
    results = await asyncio.gather(*(flight.get(key) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert await flight.get(key) == "ok"
