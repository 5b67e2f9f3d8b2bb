"""Thread history in PostgreSQL: an AsyncPostgresSaver on a small pool of its own."""

from __future__ import annotations

from typing import Any

import psycopg
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from argus.errors import DatabaseUnavailable

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
        raise DatabaseUnavailable(f"cannot set up the chat history tables: {exc}") from exc
    return saver, pool
