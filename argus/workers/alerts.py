"""The alert evaluator: its own consumer group on ``argus.diagnosed``; every enabled rule
decides about each diagnosis (``argus.store.alert_outbox.evaluate``, one transaction with the
notifications it calls for), then the offset is committed. A redelivered event finds its
decisions stored and decides nothing twice; a fault of the database stops the consumer
uncommitted (the supervisor restarts it and the event comes again)."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import psycopg

from argus import events
from argus.config import Settings
from argus.errors import FormatError
from argus.events import BatchEvent
from argus.metrics import ALERT_DECISIONS, ERRORS
from argus.runtime.services import Services
from argus.store import alert_outbox, outbox
from argus.store.connection import connect
from argus.workers.faults import is_infrastructure
from argus.workers.stage import group_consumer

log = logging.getLogger(__name__)


class AlertEvaluator:
    """One consumer of the ``<prefix>-alerts`` group."""

    def __init__(
        self, settings: Settings, services: Services, live: dict[str, int] | None = None
    ) -> None:
        self.live = live if live is not None else {}  #: counts this consumer while it runs
        self.database_url = services.database_url
        self.bootstrap = services.kafka_bootstrap
        self.group = f"{settings.kafka_group}-alerts"

    async def run(self) -> None:
        """Consume until cancelled; a database or broker fault ends the run (to be restarted)."""
        consumer = group_consumer(events.DIAGNOSED, bootstrap=self.bootstrap, group=self.group)
        try:
            await consumer.start()
            async with await connect(self.database_url) as conn:
                self.live["alerts"] = self.live.get("alerts", 0) + 1
                try:
                    async for message in consumer:
                        await self.handle(conn, message.value)
                        await consumer.commit()
                finally:
                    self.live["alerts"] -= 1
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def handle(self, conn: psycopg.AsyncConnection[Any], raw: bytes) -> None:
        """Decide about one event's diagnosis. An event that cannot be decided about (malformed,
        or a fault that is not the infrastructure's) goes to ``argus.dlq`` with the reason and
        never blocks the partition; an infrastructure fault is raised (nothing committed)."""
        try:
            event = BatchEvent.decode(raw)
        except FormatError as exc:
            await self._dead_letter(conn, raw, exc.message)
            return
        try:
            await self._decide(conn, event)
        except Exception as exc:
            ERRORS.labels(type(exc).__name__).inc()
            if is_infrastructure(exc):
                raise
            log.exception("error stage=alerts batch=%s", event.batch_id)
            await self._dead_letter(conn, raw, f"{type(exc).__name__}: {str(exc)[:500]}")

    async def _dead_letter(self, conn: psycopg.AsyncConnection[Any], raw: bytes, why: str) -> None:
        log.warning("dlq stage=alerts error=%r", why[:300])
        await outbox.enqueue_dead_letter(conn, raw, why)

    async def _decide(self, conn: psycopg.AsyncConnection[Any], event: BatchEvent) -> None:
        facts = await alert_outbox.load_diagnosed(conn, event.batch_id)
        if facts is None:
            log.warning("skip stage=alerts batch=%s reason=no-diagnosis", event.batch_id)
            return
        for outcome in await alert_outbox.evaluate(conn, facts, datetime.now(UTC)):
            if not outcome.repeat:
                ALERT_DECISIONS.labels(outcome.outcome).inc()
            log.info(
                "decide stage=alerts batch=%s rule=%s outcome=%s repeat=%s",
                event.batch_id,
                outcome.rule,
                outcome.outcome,
                outcome.repeat,
            )
