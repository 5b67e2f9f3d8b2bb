"""Guards at the API's edge: request-body caps, the documentation behind the key, and the
refusals of :mod:`argus.api.refusals` (4xx for bad input, 503 + Retry-After while the database
is down, never a 500 and never internals in the body).

``install_guards`` puts all of them on an app.
"""

from __future__ import annotations

import json
import re

from fastapi import Depends, FastAPI, HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from argus.api.deps import require_api_key
from argus.api.refusals import install_refusals
from argus.config import LimitSettings, Settings

#: Raw file uploads: the only bodies allowed past the JSON cap (up to the upload cap).
_UPLOAD_ROUTE = re.compile(r"^/api/v1/batches/[^/]+/files/[^/]+$")


class BodyTooLarge(HTTPException):
    """A request body crossed its cap while it was read (answered 413)."""

    def __init__(self, cap: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {cap:,} bytes")


def install_guards(app: FastAPI, settings: Settings) -> None:
    """Put the guards on ``app``: body caps, error handlers, and /openapi.json, /docs and
    /redoc behind the key (create the app with ``openapi_url=None, docs_url=None,
    redoc_url=None``). Call once, before the app serves."""
    app.add_middleware(BodyLimit, limits=settings.limits)
    install_refusals(app)  # typed errors -> 4xx/503, invalid requests -> 422
    _docs_routes(app)


class BodyLimit:
    """Pure ASGI middleware capping request bodies: ``limits.max_upload_bytes`` for file
    uploads (PUT .../files/{name}), ``limits.max_json_bytes`` for every other request.

    A declared Content-Length over the cap is refused with 413 before a byte of the body is
    read; a body without one (chunked) is counted as it is read and refused once it crosses
    the cap. Unlike BaseHTTPMiddleware, it never buffers or re-wraps a streamed body.
    """

    def __init__(self, app: ASGIApp, *, limits: LimitSettings) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope; only HTTP request bodies are capped."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self._cap(scope)
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await _refuse(send, cap)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise BodyTooLarge(cap)  # the route's exception handling answers 413
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send, cap)  # read outside any route (nothing answered it yet)

    def _cap(self, scope: Scope) -> int:
        if scope["method"] == "PUT" and _UPLOAD_ROUTE.match(scope["path"]):
            return self.limits.max_upload_bytes
        return self.limits.max_json_bytes


def _content_length(scope: Scope) -> int | None:
    """The declared body length, or None (absent or malformed: the server rejects those)."""
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, cap: int) -> None:
    """Answer 413 and close: the unread body is not worth draining."""
    body = json.dumps(
        {"detail": f"the request body is larger than the limit of {cap:,} bytes"}
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _docs_routes(app: FastAPI) -> None:
    """The OpenAPI document and its two viewers, behind the key like the API they describe
    (open, like the API, when no keys are configured)."""
    guarded = [Depends(require_api_key)]

    @app.get("/openapi.json", include_in_schema=False, dependencies=guarded)
    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=guarded)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} - docs")

    @app.get("/redoc", include_in_schema=False, dependencies=guarded)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} - ReDoc")
