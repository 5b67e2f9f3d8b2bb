"""Decisions of alert rules and the notification outbox.

:func:`evaluate` takes every decision about one diagnosis in one transaction: per matching rule
it locks the alert's state row, skips the rule if it has already decided about this batch (a
redelivered event changes nothing), stores the decision and the new state, and enqueues one
notification per channel when the decision sends. A notification therefore exists exactly when
its decision does. The deliverer takes due notifications with ``FOR UPDATE SKIP LOCKED`` and
records the outcome in the same transaction: a deliverer killed mid-request leaves the row
pending, and it is sent again with the same idempotency key.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import psycopg

from argus.alerts.decide import (
    AlertState,
    Decision,
    Diagnosed,
    Outcome,
    decide,
    fingerprint,
    matches,
    silencing,
)
from argus.alerts.message import AlertMessage, idempotency_key
from argus.store.alerts import StoredRule, active_silences, list_rules

NotificationState = Literal["pending", "delivered", "dead"]
NOTIFICATION_STATES: tuple[NotificationState, ...] = ("pending", "delivered", "dead")


@dataclass(frozen=True, kw_only=True)
class RuleOutcome:
    """What one matching rule decided about a diagnosis (``repeat``: decided before)."""

    rule: str
    outcome: Outcome
    repeat: bool
    notifications: int


async def load_diagnosed(
    conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID
) -> Diagnosed | None:
    """The facts rules read from a batch's stored diagnosis; None when it has none."""
    cur = await conn.execute(
        "SELECT b.source, b.labels, d.report::text, coalesce(d.confidence, 0)"
        " FROM batch b JOIN diagnosis d USING (batch_id)"
        " WHERE b.batch_id = %s AND d.status = 'completed'",
        (batch_id,),
    )
    row = await cur.fetchone()
    if row is None:
        return None
    report = json.loads(row[2] or "{}")
    cause = report.get("root_cause") or {}
    return Diagnosed(
        batch_id=batch_id,
        source=str(row[0]),
        labels={str(k): str(v) for k, v in (row[1] or {}).items() if k != "log_format"},
        incident=bool(report.get("incident", False)),
        module=cause.get("module"),
        category=str(cause.get("category") or "unknown"),
        confidence=float(row[3]),
        error_codes=tuple(str(c) for c in report.get("error_codes") or ()),
        summary=str(report.get("summary") or ""),
    )


async def evaluate(
    conn: psycopg.AsyncConnection[Any], facts: Diagnosed, now: datetime
) -> list[RuleOutcome]:
    """Decide every enabled rule about one diagnosis, in one transaction (see module doc)."""
    outcomes = []
    async with conn.transaction():
        silences = await active_silences(conn, now)
        for stored in await list_rules(conn, enabled_only=True):
            if not matches(stored.spec, facts):
                continue
            print_ = fingerprint(stored.spec, facts)
            state = await _lock_state(conn, stored.rule_id, print_)
            earlier = await _decided(conn, stored.rule_id, facts.batch_id)
            if earlier is not None:
                outcomes.append(
                    RuleOutcome(
                        rule=stored.spec.name, outcome=earlier, repeat=True, notifications=0
                    )
                )
                continue
            silence = silencing(silences, stored.spec, print_, facts, now)
            decision = decide(stored.spec, state, now, silence)
            await _record(conn, stored, facts.batch_id, print_, decision, now)
            sent = 0
            if decision.sends:
                message = AlertMessage.of(stored.spec, facts, print_, decision, now)
                sent = await _enqueue(conn, stored, message)
            outcomes.append(
                RuleOutcome(
                    rule=stored.spec.name,
                    outcome=decision.outcome,
                    repeat=False,
                    notifications=sent,
                )
            )
    return outcomes


async def _lock_state(conn: psycopg.AsyncConnection[Any], rule_id: int, print_: str) -> AlertState:
    await conn.execute(
        "INSERT INTO alert_state (rule_id, fingerprint) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (rule_id, print_),
    )
    cur = await conn.execute(
        "SELECT last_sent_at, suppressed, recent, escalated_at FROM alert_state"
        " WHERE rule_id = %s AND fingerprint = %s FOR UPDATE",
        (rule_id, print_),
    )
    row = await cur.fetchone()
    assert row is not None
    return AlertState(
        last_sent_at=row[0], suppressed=int(row[1]), recent=tuple(row[2] or ()), escalated_at=row[3]
    )


async def _decided(
    conn: psycopg.AsyncConnection[Any], rule_id: int, batch_id: uuid.UUID
) -> Outcome | None:
    cur = await conn.execute(
        "SELECT outcome FROM alert_decision WHERE rule_id = %s AND batch_id = %s",
        (rule_id, batch_id),
    )
    row = await cur.fetchone()
    return row[0] if row else None


async def _record(
    conn: psycopg.AsyncConnection[Any],
    stored: StoredRule,
    batch_id: uuid.UUID,
    print_: str,
    decision: Decision,
    now: datetime,
) -> None:
    s = decision.state
    await conn.execute(
        "UPDATE alert_state SET last_sent_at = %s, suppressed = %s, recent = %s,"
        " escalated_at = %s, occurrences = occurrences + 1, updated_at = now()"
        " WHERE rule_id = %s AND fingerprint = %s",
        (s.last_sent_at, s.suppressed, list(s.recent), s.escalated_at, stored.rule_id, print_),
    )
    await conn.execute(
        "INSERT INTO alert_decision (rule_id, batch_id, fingerprint, outcome, severity,"
        " silence_id, decided_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (
            stored.rule_id,
            batch_id,
            print_,
            decision.outcome,
            decision.severity,
            decision.silence_id,
            now,
        ),
    )


async def _enqueue(
    conn: psycopg.AsyncConnection[Any], stored: StoredRule, message: AlertMessage
) -> int:
    payload = message.model_dump_json()
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO notification (idempotency_key, rule_name, channel, batch_id,"
            " fingerprint, severity, payload) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (idempotency_key) DO NOTHING",
            [
                (
                    idempotency_key(stored.spec.name, message.batch_id, channel),
                    stored.spec.name,
                    channel,
                    message.batch_id,
                    message.fingerprint,
                    message.severity,
                    payload,
                )
                for channel in stored.spec.channels
            ],
        )
    return len(stored.spec.channels)


@dataclass(frozen=True, kw_only=True)
class DueNotification:
    """A pending notification taken for one delivery attempt."""

    notification_id: int
    key: str
    channel: str
    payload: str  #: the AlertMessage as JSON (read by the deliverer)
    attempts: int  #: attempts made before this one


@dataclass(frozen=True, kw_only=True)
class NotificationRecord:
    """A notification as the API shows it."""

    notification_id: int
    idempotency_key: str
    rule: str
    channel: str
    batch_id: uuid.UUID
    fingerprint: str
    severity: str
    state: NotificationState
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None


async def take_due(conn: psycopg.AsyncConnection[Any], limit: int = 1) -> list[DueNotification]:
    """Lock up to ``limit`` pending notifications whose time has come, oldest first; call in a
    transaction and record each outcome before it ends."""
    cur = await conn.execute(
        "SELECT notification_id, idempotency_key, channel, payload::text, attempts"
        " FROM notification WHERE state = 'pending' AND next_attempt_at <= now()"
        " ORDER BY next_attempt_at, notification_id LIMIT %s FOR UPDATE SKIP LOCKED",
        (limit,),
    )
    return [
        DueNotification(
            notification_id=int(r[0]),
            key=r[1],
            channel=r[2],
            payload=str(r[3]),
            attempts=int(r[4]),
        )
        for r in await cur.fetchall()
    ]


async def mark_delivered(conn: psycopg.AsyncConnection[Any], notification_id: int) -> None:
    """Record a delivery the receiver acknowledged."""
    await conn.execute(
        "UPDATE notification SET state = 'delivered', attempts = attempts + 1, last_error = NULL,"
        " delivered_at = now() WHERE notification_id = %s",
        (notification_id,),
    )


async def mark_failed(
    conn: psycopg.AsyncConnection[Any],
    notification_id: int,
    error: str,
    *,
    retry_in_s: float | None,
) -> None:
    """Record a failed attempt: retried after ``retry_in_s``, or dead when it is None."""
    await conn.execute(
        "UPDATE notification SET attempts = attempts + 1, last_error = %s,"
        " state = CASE WHEN %s::float8 IS NULL THEN 'dead' ELSE 'pending' END,"
        " next_attempt_at = now() + make_interval(secs => coalesce(%s::float8, 0))"
        " WHERE notification_id = %s",
        (error[:500], retry_in_s, retry_in_s, notification_id),
    )


async def list_notifications(
    conn: psycopg.AsyncConnection[Any],
    *,
    state: NotificationState | None = None,
    batch_id: uuid.UUID | None = None,
    limit: int = 100,
) -> list[NotificationRecord]:
    """Notifications, newest first, optionally of one state or one batch."""
    cur = await conn.execute(
        "SELECT notification_id, idempotency_key, rule_name, channel, batch_id, fingerprint,"
        " severity, state, attempts, last_error, created_at,"
        " CASE WHEN state = 'pending' THEN next_attempt_at END, delivered_at FROM notification"
        " WHERE (%(state)s::text IS NULL OR state = %(state)s)"
        " AND (%(batch)s::uuid IS NULL OR batch_id = %(batch)s)"
        " ORDER BY notification_id DESC LIMIT %(limit)s",
        {"state": state, "batch": batch_id, "limit": limit},
    )
    return [
        NotificationRecord(
            notification_id=int(r[0]),
            idempotency_key=r[1],
            rule=r[2],
            channel=r[3],
            batch_id=r[4],
            fingerprint=r[5],
            severity=r[6],
            state=r[7],
            attempts=int(r[8]),
            last_error=r[9],
            created_at=r[10],
            next_attempt_at=r[11],
            delivered_at=r[12],
        )
        for r in await cur.fetchall()
    ]


async def count_by_state(conn: psycopg.AsyncConnection[Any]) -> dict[NotificationState, int]:
    """How many notifications are in each state (every state, 0 when none)."""
    cur = await conn.execute("SELECT state, count(*) FROM notification GROUP BY state")
    counts = {str(s): int(n) for s, n in await cur.fetchall()}
    return {s: counts.get(s, 0) for s in NOTIFICATION_STATES}
