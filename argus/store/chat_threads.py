"""The chat threads of a batch, read from the chat's checkpoint table.

The chat (``argus.chat``) keeps each thread in langgraph's PostgreSQL checkpointer under the
key ``<batch id>/<thread id>``; the table exists once the service has opened the chat. This
read lists a batch's threads for the console (which never imports the chat, a front door).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

_QUERY = """
SELECT substr(thread_id, %(cut)s) AS thread, count(*) AS checkpoints,
       max((checkpoint ->> 'ts')::timestamptz) AS last_at
  FROM checkpoints
 WHERE thread_id LIKE %(prefix)s AND checkpoint_ns = ''
 GROUP BY thread_id ORDER BY last_at DESC NULLS LAST LIMIT %(limit)s
"""


@dataclass(frozen=True, kw_only=True)
class ThreadInfo:
    """One chat thread of a batch."""

    thread_id: str  #: the id the chat routes take
    last_at: datetime | None  #: when it last changed


async def batch_threads(
    conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID, limit: int = 50
) -> list[ThreadInfo]:
    """The batch's threads, the most recently used first; empty while the chat has never
    been opened (its table does not exist yet). ``conn`` must be in autocommit mode."""
    prefix = f"{batch_id}/"
    params = {"cut": len(prefix) + 1, "prefix": prefix + "%", "limit": limit}
    try:
        cur = await conn.execute(_QUERY, params)
    except psycopg.errors.UndefinedTable:
        return []
    return [ThreadInfo(thread_id=str(t), last_at=at) for t, _, at in await cur.fetchall()]
