"""The console as an application mounted under ``/`` of the service (after the API's routes,
so ``/api/v1``, ``/healthz`` and the rest keep answering as they do): its pages, its assets, and
its own answers to errors (an HTML page saying what went wrong, never a 500 or internals)."""

from __future__ import annotations

import logging

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from argus.config import Settings
from argus.console import (
    assets,
    pages_batch,
    pages_batches,
    pages_chat,
    pages_descriptions,
    pages_evals,
    pages_knowledge,
    pages_templates,
    signin,
)
from argus.console.deps import SignInRequired
from argus.console.render import page
from argus.errors import ArgusError, ConflictError, InputError, NotFoundError, ServiceUnavailable

log = logging.getLogger(__name__)


def console_app(settings: Settings) -> FastAPI:
    """The console: mount it at ``/`` of the service's app, after every other route (it reads
    the service's state, ``request.state.argus``, set by that app's lifespan)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(signin.router)
    app.include_router(pages_batches.router)
    app.include_router(pages_batch.router)
    app.include_router(pages_knowledge.router)
    app.include_router(pages_chat.router)
    app.include_router(pages_templates.router)
    app.include_router(pages_descriptions.router)
    app.include_router(pages_evals.router)
    app.mount("/static", StaticFiles(directory=assets.STATIC_DIR), name="static")
    _vendor_route(app, settings)
    _error_pages(app)
    return app


def _vendor_route(app: FastAPI, settings: Settings) -> None:
    @app.get("/assets/vendor/{name}", include_in_schema=False)
    async def vendor(name: str) -> Response:
        path = assets.vendor_file(settings, name)
        if path is None:
            log.warning("console asset %s is not installed: run `npm ci` (make install)", name)
            return Response(f"{name} is not installed (run npm ci)", status_code=404)
        return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})


def _status_of(exc: Exception) -> int:
    match exc:
        case NotFoundError():
            return 404
        case ConflictError():
            return 409
        case InputError():
            return 400
        case ServiceUnavailable() | psycopg.OperationalError():
            return 503
    return 503


def _error_pages(app: FastAPI) -> None:
    async def signin_first(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        if request.headers.get("hx-request"):  # a fragment: send the whole page to sign in
            return Response(status_code=401, headers={"HX-Redirect": "/signin"})
        return RedirectResponse(f"/signin?next={exc.back_to}", status_code=303)

    async def failed(request: Request, exc: Exception) -> Response:
        status = _status_of(exc)
        if status == 503:
            log.warning("console page %s unavailable: %s", request.url.path, exc)
            message = "The database or another service Argus depends on is unavailable; retry."
        else:
            message = exc.message if isinstance(exc, ArgusError) else "Not found."
        return page(
            request, "error.html", {"message": message, "status": status}, status_code=status
        )

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith("/api/"):  # an API path no route of the API serves
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        message = "No such page." if exc.status_code == 404 else str(exc.detail)
        context = {"message": message, "status": exc.status_code}
        return page(request, "error.html", context, status_code=exc.status_code)

    async def invalid(request: Request, exc: Exception) -> Response:
        context = {"message": "That address is not valid (check the link).", "status": 404}
        return page(request, "error.html", context, status_code=404)

    app.add_exception_handler(SignInRequired, signin_first)
    for kind in (ArgusError, psycopg.OperationalError):
        app.add_exception_handler(kind, failed)
    app.add_exception_handler(StarletteHTTPException, not_found)
    app.add_exception_handler(RequestValidationError, invalid)
