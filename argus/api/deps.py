"""Dependencies of the routes, as Annotated aliases: settings, database connection, auth."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated, Any

import psycopg
from fastapi import Depends, Header, HTTPException, Request, status

from argus.config import Settings


def get_settings_dep(request: Request) -> Settings:
    """The service's settings (set on the app at start)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_conn(request: Request) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A pooled connection for one request (autocommit). Waits at most
    ``limits.db_acquire_timeout_s`` for one: psycopg_pool.PoolTimeout, answered 503, when the
    database is down or the pool is exhausted."""
    timeout = request.app.state.settings.limits.db_acquire_timeout_s
    async with request.app.state.pool.connection(timeout=timeout) as conn:
        await conn.set_autocommit(True)
        yield conn


def require_api_key(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Bearer key check; open when no keys are configured (``argus serve`` warns about it).

    The scheme is case-insensitive (RFC 7235); the token is compared as bytes in constant time,
    so any header value (non-ASCII included) is a plain 401, never an error."""
    keys = [k.get_secret_value() for k in request.app.state.settings.api_keys]
    if not keys:
        return
    token = _bearer_token(authorization or "")
    if token is None or not any(hmac.compare_digest(token, key.encode()) for key in keys):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or wrong API key: send 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _bearer_token(header: str) -> bytes | None:
    """The token of a ``Bearer`` credential as the bytes sent (headers arrive latin-1
    decoded), or None for another scheme."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip().encode("latin-1", errors="replace")


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ConnDep = Annotated[psycopg.AsyncConnection[Any], Depends(get_conn)]
