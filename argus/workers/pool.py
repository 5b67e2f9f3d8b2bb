"""The workers of one process: stage consumers, the alert evaluator and its deliverers, the
outbox publisher and the sweep, supervised.

Every task runs under ``supervise``: whatever ends it (a database or broker outage, a bug) is
logged and counted, and it is started again after a back-off. The process holds an instance
slot while the pool runs; at start it gives back the claims its previous life left.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from argus.config import Settings
from argus.runtime.services import Services
from argus.store.pool import open_pool
from argus.workers.alerts import AlertEvaluator
from argus.workers.diagnose import DiagnoseWorker
from argus.workers.instance import instance_slot
from argus.workers.notify import Deliverer
from argus.workers.outbox import OutboxPublisher
from argus.workers.parse import ParseWorker
from argus.workers.stage import StageWorker, WorkerScope
from argus.workers.supervise import Backoff, supervise
from argus.workers.sweep import Sweeper, announce_waiting, release_own_claims

log = logging.getLogger(__name__)

#: "alerts": one evaluator of the alert rules and ``alerts.deliverers`` notification deliverers.
KINDS = ("parse", "diagnose", "alerts")
#: Longest wait of a worker for a pooled connection; after it the database counts as down
#: (an infrastructure fault: the consumer stops uncommitted and is restarted after a back-off).
POOL_WAIT_S = 10.0
_CLASSES: dict[str, type[StageWorker]] = {"parse": ParseWorker, "diagnose": DiagnoseWorker}


class WorkerPool:
    """Consumers of each kind (sharing one semaphore per kind), a publisher and a sweeper.

    Each consumer handles one event at a time, so a kind gets at least as many consumers as
    its semaphore has slots (else the slots could never fill); ``count`` may ask for more, and
    0 starts no consumer (the publisher and the sweep still run: the API writes events too).
    The topics' partitions cap how many consumers of a group receive events.
    """

    def __init__(
        self, settings: Settings, services: Services, count: int, kinds: tuple[str, ...] = KINDS
    ) -> None:
        self.settings = settings
        self.empty_broker = services.empty_broker  #: announce every waiting batch at start
        self.services = services
        self.count = count
        self.kinds = kinds if count > 0 else ()
        self.scope: WorkerScope | None = None  #: set while the pool runs

    def missing_stages(self) -> list[str]:
        """Stages this process should consume but has no connected consumer for right now."""
        if not self.kinds:
            return []
        if self.scope is None:
            return list(self.kinds)
        return [kind for kind in self.kinds if self.scope.consumers(kind) == 0]

    async def run(self) -> None:
        """Run every task until cancelled."""
        with instance_slot(self.settings.home) as owner:
            db = await open_pool(
                self.services.database_url,
                max_size=self._pool_size(),
                acquire_timeout_s=POOL_WAIT_S,
                autocommit=True,
                wait=False,
                unlock_on_return=False,
            )
            self.scope = WorkerScope(owner=owner, db=db.connection)
            try:
                await self._until_done(lambda: release_own_claims(db.connection, owner))
                if self.empty_broker:
                    await self._until_done(lambda: announce_waiting(db.connection))
                await asyncio.gather(*(supervise(n, r) for n, r in self._tasks(self.scope)))
            finally:
                self.scope = None
                await db.close()

    def _pool_size(self) -> int:
        """One connection per consumer at most (each holds one for a few statements at a time)."""
        consumers = sum(
            max(self.count, _CLASSES[k].concurrency(self.settings))
            for k in self.kinds
            if k in _CLASSES
        )
        return max(2, consumers)

    def _tasks(self, scope: WorkerScope) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
        tasks: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("outbox", OutboxPublisher(self.services).run),
            ("sweep", Sweeper(self.services.database_url).run),
        ]
        if "alerts" in self.kinds:
            tasks += self._alert_tasks(scope)
        for kind in (k for k in self.kinds if k in _CLASSES):
            cls = _CLASSES[kind]
            bound = cls.concurrency(self.settings)
            slots = asyncio.Semaphore(bound)
            for n in range(max(self.count, bound)):
                worker = cls(self.settings, self.services, slots, scope)
                tasks.append((f"{kind}#{n}", worker.run))
        return tasks

    def _alert_tasks(self, scope: WorkerScope) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
        """The evaluator (its own consumer group; one suffices: it decides in milliseconds) and
        the deliverers (each holds one connection while it sends)."""
        url = self.services.database_url
        evaluator = AlertEvaluator(self.settings, self.services, scope.live)
        tasks: list[tuple[str, Callable[[], Awaitable[None]]]] = [("alerts", evaluator.run)]
        for n in range(self.settings.alerts.deliverers):
            tasks.append((f"deliver#{n}", Deliverer(self.settings.alerts, url).run))
        return tasks

    @staticmethod
    async def _until_done(step: Callable[[], Awaitable[Any]]) -> None:
        """Retry a start-up step until it succeeds (the database may be down at start)."""
        failures = 0
        while True:
            try:
                await step()
                return
            except Exception as exc:
                failures += 1
                log.warning("a start-up step failed (%s); retrying", exc)
                await asyncio.sleep(Backoff().delay(failures))
