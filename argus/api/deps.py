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
    """A pooled connection for one request (autocommit)."""
    async with request.app.state.pool.connection() as conn:
        await conn.set_autocommit(True)
        yield conn


def require_api_key(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Bearer key check; open when no keys are configured (``argus serve`` warns about it)."""
    keys = [k.get_secret_value() for k in request.app.state.settings.api_keys]
    if not keys:
        return
    token = (authorization or "").removeprefix("Bearer ").strip()
    if not any(hmac.compare_digest(token, key) for key in keys):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or wrong API key: send 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ConnDep = Annotated[psycopg.AsyncConnection[Any], Depends(get_conn)]
