"""Refusals: every error a route may raise, mapped in one table to the answer a client can act
on (4xx for what the client can fix, 503 + Retry-After while a service is down), never a 500
and never internals (driver messages, raw input) in the body.

Routes raise typed errors (``NotFoundError``, ``ConflictError``, ``InputError``...); the most
specific class of the table that an error is an instance of decides its answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from argus.api.uploads import UploadInProgress, UploadTooLarge
from argus.errors import (
    ArgusError,
    ConfigError,
    ConflictError,
    DatabaseUnavailable,
    InputError,
    NotFoundError,
    ServiceUnavailable,
)

log = logging.getLogger(__name__)

#: Seconds a client is told to wait before retrying while the database is down.
RETRY_AFTER_S = 5


@dataclass(frozen=True, kw_only=True)
class Refusal:
    """How one class of errors is answered."""

    status: int  #: the HTTP status
    hint: bool = True  #: the detail ends with the error's hint ("message (hint)")
    unavailable: bool = False  #: 503: cause logged, a fixed detail, a Retry-After header


#: Error class -> answer; an error takes the row of the first class of its MRO found here.
REFUSALS: dict[type[Exception], Refusal] = {
    InputError: Refusal(status=400),  # FormatError, CorruptInputError, a refused file name
    UploadInProgress: Refusal(status=409),
    UploadTooLarge: Refusal(status=413),
    NotFoundError: Refusal(status=404),
    ConflictError: Refusal(status=409, hint=False),  # NotReadyError: not parsed yet
    ServiceUnavailable: Refusal(status=503, unavailable=True),  # DatabaseUnavailable, ...
    ConfigError: Refusal(status=503, unavailable=True),  # e.g. a model other than the vectors'
    psycopg.OperationalError: Refusal(status=503, unavailable=True),  # PoolTimeout too
}


def install_refusals(app: FastAPI) -> None:
    """Answer every class of ``REFUSALS`` by its row, and invalid requests with a 422 that
    never echoes the input. Call once, before the app serves."""
    for kind in REFUSALS:
        app.add_exception_handler(kind, refuse)
    app.add_exception_handler(RequestValidationError, _invalid_request)


def refusal_of(exc: Exception) -> Refusal:
    """The row of the most specific class of ``exc`` in ``REFUSALS``; KeyError for an error
    the table does not know (install_refusals only routes known ones here)."""
    for kind in type(exc).__mro__:
        if kind in REFUSALS:
            return REFUSALS[kind]
    raise KeyError(type(exc).__name__)


async def refuse(request: Request, exc: Exception) -> JSONResponse:
    """The answer to ``exc`` by its row: ``{"detail": <message (hint)>}`` with its status, or
    for a service outage a 503 with Retry-After whose detail names no host, path or body (the
    cause goes to the log only)."""
    refusal = refusal_of(exc)
    if refusal.unavailable:
        return _unavailable(request, exc)
    text = str(exc) if refusal.hint or not isinstance(exc, ArgusError) else exc.message
    return JSONResponse({"detail": printable(text)}, status_code=refusal.status)


def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("unavailable during %s %s: %s", request.method, request.url.path, exc)
    which = "the database" if isinstance(exc, psycopg.Error | DatabaseUnavailable) else "a service"
    return JSONResponse(
        {"detail": f"{which} the API depends on is unavailable; retry later"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """422 listing where and why the request is invalid (location, message, type), without
    echoing the input: it may be large, and text that is not valid Unicode (a lone surrogate)
    could not even be encoded into the answer."""
    assert isinstance(exc, RequestValidationError)
    detail = [
        {
            "loc": [printable(part) for part in error.get("loc", ())],
            "msg": printable(error.get("msg", "")),
            "type": printable(error.get("type", "")),
        }
        for error in exc.errors()
    ]
    return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=422)


def printable(value: Any) -> Any:
    """``value``, with any text made encodable as UTF-8 (lone surrogates backslash-escaped)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value
