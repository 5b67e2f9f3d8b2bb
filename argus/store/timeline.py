"""A batch's timeline: when it reached each state, read from what the pipeline already writes.

No table records state changes as such; each one leaves a time behind: the batch's creation,
the outbox events announcing each stage (written in the transaction of the change), the
diagnosis row (created when a worker starts diagnosing), ``diagnosed_at``, and ``updated_at``
of a failed batch. A retried batch shows the latest time of each state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from argus import events
from argus.batch_status import BatchStatus

_QUERY = """
SELECT b.created_at,
       (SELECT max(created_at) FROM outbox WHERE batch_id = b.batch_id AND topic = %(batches)s),
       coalesce(b.parsed_at,
                (SELECT max(created_at) FROM outbox
                  WHERE batch_id = b.batch_id AND topic = %(parsed)s)),
       (SELECT created_at FROM diagnosis WHERE batch_id = b.batch_id),
       b.diagnosed_at,
       CASE WHEN b.status = %(failed)s THEN b.updated_at END
  FROM batch b WHERE b.batch_id = %(batch_id)s
"""
_STATES = (
    BatchStatus.PENDING,
    BatchStatus.UPLOADED,
    BatchStatus.PARSED,
    BatchStatus.DIAGNOSING,
    BatchStatus.DIAGNOSED,
    BatchStatus.FAILED,
)


@dataclass(frozen=True, kw_only=True)
class Step:
    """A state the batch reached, and when."""

    state: BatchStatus
    at: datetime


async def batch_timeline(conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID) -> list[Step]:
    """The states the batch reached with their times, in time order (``pending`` is its
    creation); empty when there is no such batch. States it has not reached are absent."""
    params = {
        "batches": events.BATCHES,
        "parsed": events.PARSED,
        "failed": str(BatchStatus.FAILED),
        "batch_id": batch_id,
    }
    cur = await conn.execute(_QUERY, params)
    row = await cur.fetchone()
    if row is None:
        return []
    steps = [Step(state=s, at=t) for s, t in zip(_STATES, row, strict=True) if t is not None]
    return sorted(steps, key=lambda step: step.at)
