"""Delivery from the notification outbox to a real HTTP receiver on loopback that fails,
rate-limits, hangs and verifies signatures."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import httpx
import pytest

from argus.config import AlertSettings
from argus.store import alert_outbox
from argus.store.connection import connect
from argus.workers.notify import Deliverer
from bench.alert_receiver import PATHS, Receiver
from tests.alerts.conftest import add_channel, add_rule, diagnosed

FAST = AlertSettings(
    timeout_s=1.0, max_attempts=6, backoff_first_s=0.05, backoff_max_s=0.2, poll_s=0.05
)

pytestmark = pytest.mark.integration


async def decide_about(url: str, batch_id: object) -> None:
    async with await connect(url) as conn:
        facts = await alert_outbox.load_diagnosed(conn, batch_id)  # type: ignore[arg-type]
        assert facts is not None
        await alert_outbox.evaluate(conn, facts, datetime.now(UTC))


async def drain(url: str, settings: AlertSettings = FAST) -> list[alert_outbox.NotificationRecord]:
    """Deliver until no notification is pending; return them all."""
    deliverer = Deliverer(settings, url)
    async with httpx.AsyncClient() as client, await connect(url) as conn:
        while (await alert_outbox.count_by_state(conn))["pending"]:
            if not await deliverer.deliver_once(conn, client):
                await asyncio.sleep(0.05)
        return await alert_outbox.list_notifications(conn)


async def test_a_notification_survives_500s_a_429_and_a_hang_and_arrives_signed(
    alerts_db: str,
) -> None:
    script = ["500", "500", "429:1", "hang:3"]
    with Receiver(secret="s3cret", script=script) as rx:
        await add_channel(alerts_db, "ops", "webhook", rx.url + PATHS["webhook"], "s3cret")
        await add_rule(alerts_db, name="db", channels=["ops"])
        await decide_about(alerts_db, await diagnosed(alerts_db))
        [sent] = await drain(alerts_db)
        assert sent.state == "delivered" and sent.attempts == 5 and sent.last_error is None
        assert [r.status for r in rx.requests] == [500, 500, 429, 0, 200]
        assert {r.key for r in rx.requests} == {sent.idempotency_key}
        assert all(r.signature_ok for r in rx.requests)
        after_429 = rx.requests[3].at - rx.requests[2].at
        assert after_429 >= 0.95  # Retry-After: 1 honoured (the back-off alone is 0.2 s at most)
        assert rx.duplicates() == 0


async def test_a_receiver_that_keeps_failing_leaves_the_notification_dead_with_its_error(
    alerts_db: str,
) -> None:
    with Receiver(fail_rate=1.0) as rx:
        await add_channel(alerts_db, "ops", "webhook", rx.url + PATHS["webhook"])
        await add_rule(alerts_db, name="db", channels=["ops"])
        await decide_about(alerts_db, await diagnosed(alerts_db))
        [dead] = await drain(alerts_db, FAST.model_copy(update={"max_attempts": 3}))
        assert dead.state == "dead" and dead.attempts == 3 and dead.last_error == "HTTP 500"
        assert len(rx.requests) == 3


async def test_a_wrong_secret_is_refused_by_the_receiver_and_not_retried(alerts_db: str) -> None:
    with Receiver(secret="right") as rx:
        await add_channel(alerts_db, "ops", "webhook", rx.url + PATHS["webhook"], "wrong")
        await add_rule(alerts_db, name="db", channels=["ops"])
        await decide_about(alerts_db, await diagnosed(alerts_db))
        [dead] = await drain(alerts_db)
        assert dead.state == "dead" and dead.last_error == "HTTP 401" and dead.attempts == 1
        assert rx.requests[0].signature_ok is False


async def test_slack_and_signed_dingtalk_receive_the_same_alert_and_no_token_is_logged(
    alerts_db: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with Receiver(secret="S3CRET-DT") as rx:
        await add_channel(alerts_db, "sl", "slack", rx.url + PATHS["slack"])
        robot = rx.url + PATHS["dingtalk"] + "?access_token=tok3nX9"
        await add_channel(alerts_db, "dt", "dingtalk", robot, "S3CRET-DT")
        await add_rule(alerts_db, name="db", channels=["sl", "dt"])
        await decide_about(alerts_db, await diagnosed(alerts_db))
        sent = await drain(alerts_db)
        assert {n.state for n in sent} == {"delivered"} and len(sent) == 2
        by_path = {r.path: r for r in rx.delivered()}
        assert by_path[PATHS["dingtalk"]].signature_ok is True
        assert b"payment" in by_path[PATHS["slack"]].body
    assert "tok3nX9" not in caplog.text and "S3CRET" not in caplog.text
    assert logging.getLogger("httpx").getEffectiveLevel() > logging.INFO  # it logs URLs at INFO


async def test_a_missing_channel_kills_its_notification_with_the_reason(alerts_db: str) -> None:
    await add_channel(alerts_db, "ops", "webhook", "http://127.0.0.1:9/hook")
    await add_rule(alerts_db, name="db", channels=["ops"])
    async with await connect(alerts_db) as conn:
        await conn.execute("DELETE FROM alert_channel")
    await decide_about(alerts_db, await diagnosed(alerts_db))
    [dead] = await drain(alerts_db)
    assert dead.state == "dead" and "no channel named 'ops'" in (dead.last_error or "")


async def test_a_notification_the_code_cannot_send_goes_dead_instead_of_looping(
    alerts_db: str,
) -> None:
    await add_channel(alerts_db, "ops", "webhook", "http://127.0.0.1:9/hook")
    await add_rule(alerts_db, name="db", channels=["ops"])
    await decide_about(alerts_db, await diagnosed(alerts_db))
    async with await connect(alerts_db) as conn:
        await conn.execute("UPDATE notification SET payload = '{\"rule\": 1}'")
    [dead] = await drain(alerts_db)
    assert dead.state == "dead" and dead.last_error == "internal error (ValidationError)"
