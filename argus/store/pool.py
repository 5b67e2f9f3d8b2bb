"""Async psycopg 3 connection pool with pgvector's types registered on every connection."""

from __future__ import annotations

import psycopg
from pgvector.psycopg import register_vector_async
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from argus.errors import DatabaseUnavailable


async def _configure(conn: psycopg.AsyncConnection) -> None:
    await register_vector_async(conn)


async def _reset(conn: psycopg.AsyncConnection) -> None:
    """A returned connection holds no session advisory lock (an upload's hold on a file name
    is released even if its request ended before it could let go)."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_unlock_all()")


async def open_pool(
    url: str,
    *,
    min_size: int = 1,
    max_size: int = 8,
    acquire_timeout_s: float = 1.5,
    autocommit: bool = False,
    wait: bool = True,
    unlock_on_return: bool = True,
) -> AsyncConnectionPool:
    """Open a pool on ``url`` (migrations must have created the vector extension already).

    ``acquire_timeout_s`` is the longest wait for a connection (PoolTimeout after it: the API
    answers 503 quickly instead of hanging while the database is down). Each connection is
    checked when it is handed out, so connections broken by a database restart are replaced,
    not used: the pool recovers by itself once the server is back. ``wait=False`` returns at
    once and fills the pool in the background (for workers that start while the database is
    down: their first ``connection()`` waits, up to ``acquire_timeout_s``).
    ``unlock_on_return=False`` skips the advisory-lock release on each return (a round trip):
    for callers that never take a session advisory lock, such as the stage workers.
    """
    pool = AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        configure=_configure,
        check=AsyncConnectionPool.check_connection,
        reset=_reset if unlock_on_return else None,
        kwargs={"autocommit": autocommit},
        open=False,
        timeout=acquire_timeout_s,
    )
    try:
        await pool.open(wait=wait, timeout=15)
    except (psycopg.OperationalError, PoolTimeout) as exc:
        await pool.close()
        raise DatabaseUnavailable(f"cannot open a connection pool on PostgreSQL: {exc}") from exc
    return pool
