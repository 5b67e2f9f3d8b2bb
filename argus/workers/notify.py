"""The deliverer: sends due notifications of the outbox (``argus.store.alert_outbox``) by code.

Each delivery runs in one transaction holding the notification's row lock: the request, then its
outcome (delivered; failed and due again after the back-off or the receiver's Retry-After; dead
after the last attempt, with the last error). A deliverer killed mid-request leaves the row
pending, and the next one sends it again with the same idempotency key. Several deliverers (and
processes) never take the same notification. Nothing is logged of a channel but its name.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import psycopg

from argus.alerts.backoff import RetryPolicy
from argus.alerts.channels import Attempt, deliver
from argus.alerts.message import AlertMessage
from argus.config import AlertSettings
from argus.metrics import DELIVERY_ATTEMPTS, NOTIFICATIONS
from argus.store import alert_outbox, alerts
from argus.store.alert_outbox import DueNotification
from argus.store.connection import connect
from argus.workers.faults import is_infrastructure

log = logging.getLogger(__name__)
#: httpx logs each request's full URL at INFO, and the URLs of Slack and DingTalk hold tokens.
_QUIET = ("httpx", "httpcore")


def retry_policy(settings: AlertSettings) -> RetryPolicy:
    """The retry policy the settings give."""
    return RetryPolicy(
        max_attempts=settings.max_attempts,
        first_s=settings.backoff_first_s,
        max_s=settings.backoff_max_s,
        retry_after_cap_s=settings.retry_after_cap_s,
    )


class Deliverer:
    """One delivery loop (run several for notifications sent at once)."""

    def __init__(self, settings: AlertSettings, database_url: str) -> None:
        self.settings = settings
        self.database_url = database_url
        self.policy = retry_policy(settings)
        for name in _QUIET:
            logging.getLogger(name).setLevel(logging.WARNING)

    async def run(self) -> None:
        """Deliver until cancelled; a database fault ends the run (to be restarted)."""
        async with (
            httpx.AsyncClient(follow_redirects=False) as client,
            await connect(self.database_url) as conn,
        ):
            while True:
                if not await self.deliver_once(conn, client):
                    await asyncio.sleep(self.settings.poll_s)

    async def deliver_once(
        self, conn: psycopg.AsyncConnection[Any], client: httpx.AsyncClient
    ) -> bool:
        """Attempt the next due notification; False when none is due."""
        async with conn.transaction():
            due = await alert_outbox.take_due(conn, 1)
            if not due:
                return False
            try:
                async with conn.transaction():  # a savepoint: the failure is still recorded
                    await self._attempt(conn, client, due[0])
            except Exception as exc:  # a notification that breaks the code must not loop
                if is_infrastructure(exc):
                    raise
                log.exception("error notification=%s", due[0].notification_id)
                error = f"internal error ({type(exc).__name__})"
                await alert_outbox.mark_failed(conn, due[0].notification_id, error, retry_in_s=None)
        NOTIFICATIONS.labels("pending").set((await alert_outbox.count_by_state(conn))["pending"])
        return True

    async def _attempt(
        self, conn: psycopg.AsyncConnection[Any], client: httpx.AsyncClient, n: DueNotification
    ) -> None:
        channel = await alerts.load_channel(conn, n.channel)
        if channel is None:
            result = Attempt(ok=False, error=f"no channel named {n.channel!r}", final=True)
            kind = "missing"
        else:
            message = AlertMessage.model_validate_json(n.payload)
            result = await deliver(client, channel, message, n.key, self.settings.timeout_s)
            kind = channel.kind
        DELIVERY_ATTEMPTS.labels(kind, "ok" if result.ok else "failed").inc()
        if result.ok:
            await alert_outbox.mark_delivered(conn, n.notification_id)
            return
        attempts = n.attempts + 1
        error = result.error or "failed"
        if result.final or self.policy.dead(attempts):
            log.warning(
                "dead notification=%s channel=%s attempts=%d error=%r",
                n.notification_id,
                n.channel,
                attempts,
                error,
            )
            await alert_outbox.mark_failed(conn, n.notification_id, error, retry_in_s=None)
            return
        wait = self.policy.wait_s(attempts, result.retry_after_s)
        await alert_outbox.mark_failed(conn, n.notification_id, error, retry_in_s=wait)
