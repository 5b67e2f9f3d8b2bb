"""Rules deciding about stored diagnoses: once per diagnosis, suppression, escalation and
silences kept in PostgreSQL, a notification per channel exactly when a decision sends."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from argus.alerts.rules import SilenceSpec
from argus.config import Settings
from argus.runtime.services import Services
from argus.store import alert_outbox, alerts
from argus.store.connection import connect
from argus.workers.alerts import AlertEvaluator
from tests.alerts.conftest import add_channel, add_rule, diagnosed

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.integration


async def run(url: str, batch_id: uuid.UUID, at: datetime) -> list[alert_outbox.RuleOutcome]:
    async with await connect(url) as conn:
        facts = await alert_outbox.load_diagnosed(conn, batch_id)
        assert facts is not None
        return await alert_outbox.evaluate(conn, facts, at)


async def test_a_diagnosis_is_decided_once_however_often_it_is_evaluated(alerts_db: str) -> None:
    await add_channel(alerts_db, "a", "webhook", "http://127.0.0.1:9/a")
    await add_channel(alerts_db, "b", "webhook", "http://127.0.0.1:9/b")
    await add_rule(alerts_db, name="db", channels=["a", "b"])
    batch = await diagnosed(alerts_db)
    [first] = await run(alerts_db, batch, T0)
    [again] = await run(alerts_db, batch, T0 + timedelta(seconds=1))
    assert (first.outcome, first.repeat, first.notifications) == ("notify", False, 2)
    assert (again.outcome, again.repeat, again.notifications) == ("notify", True, 0)
    async with await connect(alerts_db) as conn:
        sent = await alert_outbox.list_notifications(conn)
    assert sorted(n.channel for n in sent) == ["a", "b"]
    assert len({n.idempotency_key for n in sent}) == 2


async def test_repeats_are_held_back_then_escalated_and_only_those_sends_are_queued(
    alerts_db: str,
) -> None:
    await add_channel(alerts_db, "ops", "webhook", "http://127.0.0.1:9/hook")
    await add_rule(
        alerts_db,
        name="db",
        channels=["ops"],
        suppress_s="1h",
        escalation={"repeats": 3, "within_s": "30m"},
    )
    outcomes = []
    for minute in (0, 5, 10, 15):
        [o] = await run(alerts_db, await diagnosed(alerts_db), T0 + timedelta(minutes=minute))
        outcomes.append(o.outcome)
    [other] = await run(alerts_db, await diagnosed(alerts_db, module="gateway"), T0)
    assert outcomes == ["notify", "suppressed", "escalated", "suppressed"]
    assert other.outcome == "notify"  # another fingerprint, another alert
    async with await connect(alerts_db) as conn:
        sent = await alert_outbox.list_notifications(conn)
    assert sorted(n.severity for n in sent) == ["critical", "warning", "warning"]


async def test_unmatched_and_silenced_diagnoses_queue_nothing(alerts_db: str) -> None:
    await add_channel(alerts_db, "ops", "webhook", "http://127.0.0.1:9/hook")
    await add_rule(alerts_db, name="db", channels=["ops"], match={"categories": ["database"]})
    assert await run(alerts_db, await diagnosed(alerts_db, category="dns"), T0) == []
    assert await run(alerts_db, await diagnosed(alerts_db, incident=False), T0) == []
    async with await connect(alerts_db) as conn:
        await alerts.add_silence(
            conn,
            SilenceSpec(
                source="car-7", reason="bench test rig", expires_at=T0 + timedelta(hours=1)
            ),
        )
    [muted] = await run(alerts_db, await diagnosed(alerts_db), T0)
    assert muted.outcome == "silenced"
    [later] = await run(alerts_db, await diagnosed(alerts_db), T0 + timedelta(hours=2))
    assert later.outcome == "notify"  # the silence expired
    async with await connect(alerts_db) as conn:
        assert len(await alert_outbox.list_notifications(conn)) == 1


async def test_an_event_that_cannot_be_decided_about_goes_to_the_dlq(alerts_db: str) -> None:
    await add_channel(alerts_db, "ops", "webhook", "http://127.0.0.1:9/hook")
    await add_rule(alerts_db, name="db", channels=["ops"])
    async with await connect(alerts_db) as conn:  # a stored rule the code no longer reads
        await conn.execute('UPDATE alert_rule SET spec = \'{"name": "db"}\'')
        evaluator = AlertEvaluator(Settings(), Services.at(alerts_db, "unused:9092"))
        batch = await diagnosed(alerts_db)
        await evaluator.handle(conn, b'{"batch_id": "%s"}' % str(batch).encode())
        await evaluator.handle(conn, b"not an event")
        cur = await conn.execute(
            "SELECT payload->>'error' FROM outbox WHERE topic = 'argus.dlq' ORDER BY event_id"
        )
        errors = [r[0] for r in await cur.fetchall()][-2:]
    assert errors[0].startswith("ValidationError") and "malformed" in errors[1]
