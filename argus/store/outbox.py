"""Repository of ``outbox``: events written with the state change they announce.

An event is enqueued in the caller's transaction, so it exists exactly when the state change
does; publishers take pending events with ``FOR UPDATE SKIP LOCKED`` (several processes never
take the same one) and mark them published only after the broker acknowledged them. A publisher
that dies in between leaves the event pending: it is published again (at least once), and every
consumer is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from argus import events
from argus.events import BatchEvent


@dataclass(frozen=True, kw_only=True)
class PendingEvent:
    """An event not yet acknowledged by the broker."""

    event_id: int  #: its row
    topic: str  #: where it goes
    key: bytes  #: the partition key
    value: bytes  #: the encoded event


async def enqueue(conn: psycopg.AsyncConnection[Any], topic: str, event: BatchEvent) -> None:
    """Add an event in the caller's transaction (published once that commits)."""
    await conn.execute(
        "INSERT INTO outbox (topic, key, payload, batch_id) VALUES (%s, %s, %s, %s)",
        (topic, event.key.decode(), event.encode().decode(), event.batch_id),
    )


async def enqueue_dead_letter(conn: psycopg.AsyncConnection[Any], raw: bytes, error: str) -> None:
    """Send an event that could not be handled to the DLQ, with the reason."""
    await conn.execute(
        "INSERT INTO outbox (topic, key, payload) VALUES (%s, '', %s)",
        (events.DLQ, events.dead_letter(raw, error)),
    )


async def take_pending(conn: psycopg.AsyncConnection[Any], limit: int = 100) -> list[PendingEvent]:
    """Lock up to ``limit`` pending events, oldest first; call inside a transaction and mark
    them published (or let the transaction roll back) before it ends."""
    cur = await conn.execute(
        "SELECT event_id, topic, key, payload::text FROM outbox WHERE published_at IS NULL"
        " ORDER BY event_id LIMIT %s FOR UPDATE SKIP LOCKED",
        (limit,),
    )
    return [
        PendingEvent(
            event_id=int(r[0]), topic=str(r[1]), key=str(r[2]).encode(), value=str(r[3]).encode()
        )
        for r in await cur.fetchall()
    ]


async def mark_published(conn: psycopg.AsyncConnection[Any], event_ids: list[int]) -> None:
    """Record that the broker acknowledged these events."""
    await conn.execute(
        "UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL"
        " WHERE event_id = ANY(%s)",
        (event_ids,),
    )


async def note_failure(
    conn: psycopg.AsyncConnection[Any], event_ids: list[int], error: str
) -> None:
    """Record a failed publishing attempt (the events stay pending)."""
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = %s WHERE event_id = ANY(%s)",
        (error[:500], event_ids),
    )


async def pending_count(conn: psycopg.AsyncConnection[Any]) -> int:
    """How many events wait for the broker."""
    cur = await conn.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def prune(conn: psycopg.AsyncConnection[Any], keep_days: float = 7.0) -> int:
    """Delete published events older than ``keep_days``; return how many."""
    cur = await conn.execute(
        "DELETE FROM outbox WHERE published_at < now() - make_interval(secs => %s)",
        (keep_days * 86400.0,),
    )
    return cur.rowcount
