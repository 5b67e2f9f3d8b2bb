"""Thread history in PostgreSQL: an AsyncPostgresSaver on a small pool of its own, and one turn
at a time per thread (an advisory lock)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import psycopg
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from argus.errors import DatabaseUnavailable
from argus.store.connection import connect

#: The saver's connections need these settings (it relies on autocommit and dict rows).
_SAVER_CONN: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}


async def open_saver(conninfo: str) -> tuple[AsyncPostgresSaver, AsyncConnectionPool[Any]]:
    """A checkpointer on ``conninfo`` with its tables set up, and the pool to close later."""
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        conninfo, min_size=1, max_size=4, kwargs=_SAVER_CONN, open=False, timeout=30
    )
    try:
        await pool.open(wait=True, timeout=15)
        saver = AsyncPostgresSaver(pool)
        await saver.setup()  # idempotent: creates or migrates the checkpoint tables
    except (psycopg.Error, PoolTimeout) as exc:
        await pool.close()
        raise DatabaseUnavailable(
            f"cannot set up the chat history tables ({type(exc).__name__})"
        ) from exc
    return saver, pool


@contextlib.asynccontextmanager
async def thread_turn(conninfo: str, key: str) -> AsyncIterator[None]:
    """Hold the thread ``key`` for one turn, across processes: a PostgreSQL advisory lock.

    A turn reads the thread's last checkpoint and writes the next one; two turns at once would
    both start from the same checkpoint and one would hide the other. The lock lives on a
    connection of its own, so it is released even when the process dies mid-turn.
    """
    conn = await connect(conninfo, vectors=False)
    async with conn:
        await conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (key,))
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))
