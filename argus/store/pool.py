"""Async psycopg 3 connection pool with pgvector's types registered on every connection."""

from __future__ import annotations

import psycopg
from pgvector.psycopg import register_vector_async
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from argus.errors import DatabaseUnavailable


async def _configure(conn: psycopg.AsyncConnection) -> None:
    await register_vector_async(conn)


async def open_pool(url: str, *, min_size: int = 1, max_size: int = 8) -> AsyncConnectionPool:
    """Open a pool on ``url`` (migrations must have created the vector extension already)."""
    pool = AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        configure=_configure,
        kwargs={"autocommit": False},
        open=False,
        timeout=30,
    )
    try:
        await pool.open(wait=True, timeout=15)
    except (psycopg.OperationalError, PoolTimeout) as exc:
        await pool.close()
        raise DatabaseUnavailable(f"cannot open a connection pool on PostgreSQL: {exc}") from exc
    return pool
