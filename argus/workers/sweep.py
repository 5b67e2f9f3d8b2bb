"""The sweep: batches left mid-way are announced again, at start and then periodically.

At start a process gives back the claims left under its own instance id (it knows none of its
workers holds them: it has just started), so a restarted service resumes its batches at once.
Then, every ``every_s``, any batch whose stage lease expired, or that waits in a state with no
event pending for it, is announced again through the outbox (once a lease at most).
"""

from __future__ import annotations

import asyncio
import logging

from argus.metrics import SWEPT
from argus.store import batches, outbox
from argus.store.connection import Connect, connect
from argus.workers.stage import LEASE_S

log = logging.getLogger(__name__)

#: How often the sweep runs; a stranded batch waits at most the lease plus this.
SWEEP_EVERY_S = 5.0
#: Published events are kept this long (for audits), then deleted.
KEEP_PUBLISHED_DAYS = 7.0


async def release_own_claims(db: Connect, owner: str) -> int:
    """Give back the claims a previous life of this instance left; return how many."""
    async with db() as conn:
        released = await batches.release_own(conn, owner)
    if released:
        log.warning("resuming %d batch(es) left by this instance's previous run", len(released))
    SWEPT.inc(len(released))
    return len(released)


async def announce_waiting(db: Connect) -> int:
    """Announce every batch that waits for a stage again, whatever its age: for a process that
    has just started an empty in-memory broker, which lost every event published before."""
    async with db() as conn:
        announced = await batches.sweep_stale(conn, 0.0)
    if announced:
        log.warning("a new broker: announcing %d waiting batch(es) again", len(announced))
    SWEPT.inc(len(announced))
    return len(announced)


class Sweeper:
    """Re-announces stranded batches until cancelled."""

    def __init__(
        self, database_url: str, every_s: float = SWEEP_EVERY_S, lease_s: float = LEASE_S
    ) -> None:
        self.database_url = database_url
        self.every_s = every_s
        self.lease_s = lease_s

    async def run(self) -> None:
        """Sweep every ``every_s``; a database fault ends the run (to be restarted)."""
        # one connection for the sweep's life, outside the pool (it would hold a slot forever)
        async with await connect(self.database_url) as conn:
            await outbox.prune(conn, KEEP_PUBLISHED_DAYS)
            while True:
                swept = await batches.sweep_stale(conn, self.lease_s)
                if swept:
                    log.warning("announced %d stranded batch(es) again", len(swept))
                    SWEPT.inc(len(swept))
                await asyncio.sleep(self.every_s)
