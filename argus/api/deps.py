"""Dependencies of the routes, as Annotated aliases: the app's state, its settings, a database
connection, the embedding model, the batch of the path, auth."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import psycopg
from fastapi import Cookie, Depends, Header, HTTPException, Request, status

from argus import access
from argus.api.state import AppState
from argus.batch_rows import BatchRecord
from argus.config import Settings
from argus.errors import NotFoundError
from argus.knowledge.embeddings import Embedder
from argus.store import batches


def get_state(request: Request) -> AppState:
    """The app's state (yielded by its lifespan as ``argus``)."""
    state: AppState = request.state.argus
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_settings_dep(state: StateDep) -> Settings:
    """The service's settings."""
    return state.settings


async def get_conn(state: StateDep) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A pooled connection for one request (autocommit). Waits at most
    ``limits.db_acquire_timeout_s`` for one: psycopg_pool.PoolTimeout, answered 503, when the
    database is down or the pool is exhausted."""
    timeout = state.settings.limits.db_acquire_timeout_s
    async with state.pool.connection(timeout=timeout) as conn:
        await conn.set_autocommit(True)
        yield conn


async def get_embedder(state: StateDep) -> Embedder:
    """The embedding model (loaded on first use)."""
    return await state.embedding()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EmbedderDep = Annotated[Embedder, Depends(get_embedder)]
ConnDep = Annotated[psycopg.AsyncConnection[Any], Depends(get_conn)]
#: A connection held only while the route function runs (not while a streamed answer is sent).
BriefConnDep = Annotated[psycopg.AsyncConnection[Any], Depends(get_conn, scope="function")]


async def existing_batch(conn: psycopg.AsyncConnection[Any], batch_id: uuid.UUID) -> BatchRecord:
    """The batch row with its files; NotFoundError (404) when there is none."""
    found = await batches.get_batch(conn, batch_id)
    if found is None:
        raise NotFoundError(f"no batch {batch_id}")
    return found


async def get_batch_dep(batch_id: uuid.UUID, conn: ConnDep) -> BatchRecord:
    """The batch of the path (on the request's connection), or 404."""
    return await existing_batch(conn, batch_id)


async def get_brief_batch(batch_id: uuid.UUID, conn: BriefConnDep) -> BatchRecord:
    """The batch of the path (on a connection released before the answer streams), or 404."""
    return await existing_batch(conn, batch_id)


BatchDep = Annotated[BatchRecord, Depends(get_batch_dep)]
BriefBatchDep = Annotated[BatchRecord, Depends(get_brief_batch)]


def require_api_key(
    state: StateDep,
    authorization: Annotated[str | None, Header()] = None,
    session: Annotated[
        str | None, Cookie(alias=access.SESSION_COOKIE, include_in_schema=False)
    ] = None,
) -> None:
    """Bearer key check; open when no keys are configured (``argus serve`` warns about it).

    The console's session cookie (``argus.access``, bought with a key on its sign-in page) is
    accepted as well, so the browser calls the API as the key's holder. The scheme is
    case-insensitive (RFC 7235); the token is compared as bytes in constant time, so any
    header value (non-ASCII included) is a plain 401, never an error."""
    if not access.request_allowed(state.settings, authorization, session):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or wrong API key: send 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
