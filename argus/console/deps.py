"""What the console's pages depend on: the service's state (as a port: the console never
imports the API), a database connection, and access (a session, when keys are configured)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Protocol
from urllib.parse import quote

import psycopg
from fastapi import Depends, Request
from psycopg_pool import AsyncConnectionPool

from argus import access
from argus.config import Settings
from argus.knowledge.embeddings import Embedder


class ServiceState(Protocol):
    """The part of the serving app's state the console reads (``request.state.argus``, set by
    the app's lifespan; ``argus.api.state.AppState`` satisfies it)."""

    settings: Settings
    pool: AsyncConnectionPool

    async def embedding(self) -> Embedder:
        """The embedding model, loaded on first use."""
        ...


class SignInRequired(Exception):
    """The request carries no valid session while keys are configured (answered with a
    redirect to the sign-in page)."""

    def __init__(self, back_to: str) -> None:
        super().__init__("sign in first")
        self.back_to = back_to


def get_state(request: Request) -> ServiceState:
    """The serving app's state."""
    state: ServiceState = request.state.argus
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


def get_settings(state: StateDep) -> Settings:
    """The service's settings."""
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_conn(state: StateDep) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A pooled connection for one page (autocommit); waits at most
    ``limits.db_acquire_timeout_s`` (PoolTimeout: the page says the database is unavailable)."""
    async with state.pool.connection(timeout=state.settings.limits.db_acquire_timeout_s) as conn:
        await conn.set_autocommit(True)
        yield conn


ConnDep = Annotated[psycopg.AsyncConnection[Any], Depends(get_conn)]


def require_session(request: Request, settings: SettingsDep) -> None:
    """Let the request through when access is open or it carries a valid session (or a key);
    else SignInRequired, which sends the browser to the sign-in page and back here after."""
    allowed = access.request_allowed(
        settings,
        request.headers.get("authorization"),
        request.cookies.get(access.SESSION_COOKIE),
    )
    if not allowed:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(quote(target, safe="/?=&"))
