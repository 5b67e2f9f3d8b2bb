"""``argus serve`` killed or stopped mid-flight and started again: every batch finishes once.

The service owns its embedded broker here, so the events it had published die with it; what
brings the batches back is the restarted instance taking back its own claims at once and the
sweep re-announcing what waits (DESIGN.md §1: Kafka carries work, PostgreSQL holds the state).
"""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from argus.workers.stage import LEASE_S
from tests.conftest import migrated_database
from tests.service.harness import (
    ServeProcess,
    diagnosed_transitions,
    new_name,
    states,
    submit,
    wait_until,
)

pytestmark = pytest.mark.integration

IN_FLIGHT = {"uploaded", "parsing", "parsed", "diagnosing"}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
async def test_a_restarted_service_finishes_every_in_flight_batch_once(
    pg_url: str, tmp_path: Path, sig: signal.Signals
) -> None:
    db_url = await migrated_database(pg_url, new_name("restart"))
    serve = ServeProcess(home=tmp_path / "home", env_extra={"ARGUS_DATABASE_URL": db_url})
    serve.start()
    try:
        await serve.wait_ready()
        async with httpx.AsyncClient(base_url=serve.url, timeout=30) as client:
            ids = await submit(client, 5, "restart-test")
        await wait_until(db_url, ids, IN_FLIGHT | {"diagnosed"}, 30)
        assert set((await states(db_url, ids)).values()) & IN_FLIGHT, "nothing left in flight"
        serve.signal(sig)
        serve.start()  # at once, same home: same instance slot, a new (empty) broker
        await serve.wait_ready()
        await wait_until(db_url, ids, {"diagnosed"}, LEASE_S + 30)
    finally:
        serve.stop()
    assert await diagnosed_transitions(db_url, ids) == dict.fromkeys(ids, 1)
