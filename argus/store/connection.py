"""The one way to open a PostgreSQL connection: sync or async, pgvector's types registered,
a refused or lost server reported as :class:`argus.errors.DatabaseUnavailable`.

The API's pool (``argus.store.pool``) configures its connections the same way; the chat's
checkpointer keeps its own pool because LangGraph's saver needs its own connection settings.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import psycopg
from pgvector.psycopg import register_vector, register_vector_async

from argus.errors import DatabaseUnavailable

#: Longest wait for the server to accept a connection; a database that is down must fail fast.
CONNECT_TIMEOUT_S = 10

#: Lends an autocommit connection for one ``async with`` block: a pool's ``connection`` method,
#: or :func:`direct` where no pool is worth keeping.
Connect = Callable[[], contextlib.AbstractAsyncContextManager[psycopg.AsyncConnection[Any]]]


async def connect(
    url: str, *, autocommit: bool = True, vectors: bool = True, timeout_s: float = CONNECT_TIMEOUT_S
) -> psycopg.AsyncConnection[Any]:
    """Open one async connection (use it as ``async with``).

    ``autocommit``: each statement, or each ``conn.transaction()`` block, commits when it ends.
    ``vectors``: register pgvector's types (the vector extension must exist: off only for the
    migrations, which create it).
    """
    try:
        conn = await psycopg.AsyncConnection.connect(
            url, autocommit=autocommit, connect_timeout=max(1, round(timeout_s))
        )
        if vectors:
            await register_vector_async(conn)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(_unavailable(exc)) from exc
    return conn


def connect_sync(
    url: str, *, autocommit: bool = True, vectors: bool = True, timeout_s: float = CONNECT_TIMEOUT_S
) -> psycopg.Connection[Any]:
    """Open one blocking connection (use it as ``with``); as :func:`connect` otherwise."""
    try:
        conn = psycopg.connect(url, autocommit=autocommit, connect_timeout=max(1, round(timeout_s)))
        if vectors:
            register_vector(conn)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(_unavailable(exc)) from exc
    return conn


def direct(url: str) -> Connect:
    """A :data:`Connect` that opens a fresh autocommit connection for each block (no pool)."""

    @contextlib.asynccontextmanager
    async def one() -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        async with await connect(url) as conn:
            yield conn

    return one


def _unavailable(exc: psycopg.OperationalError) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"cannot connect to PostgreSQL: {first}"
