"""The FastAPI application: routes, the connection pool and this process's workers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from argus.api.deps import require_api_key
from argus.api.guards import install_guards
from argus.api.metrics import BY_STATE
from argus.api.routes_batches import router as batches_router
from argus.api.routes_chat import router as chat_router
from argus.api.routes_stats import router as stats_router
from argus.api.schemas import errors
from argus.api.singleflight import SingleFlight
from argus.config import Settings
from argus.runtime.health import Check, check_database, check_kafka
from argus.store import batches
from argus.store.pool import open_pool
from argus.workers.pool import WorkerPool


def create_app(
    settings: Settings, database_url: str, bootstrap: str, *, workers: int = 1,
    empty_broker: bool = False,
) -> FastAPI:  # fmt: skip
    """The service, for a database and a broker that are already running and migrated;
    ``empty_broker``: the broker has just started empty (see ``Services.empty_broker``)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.pool = await open_pool(
            database_url, acquire_timeout_s=settings.limits.db_acquire_timeout_s
        )
        app.state.reports = SingleFlight(lambda key: _load_report(app, key))
        app.state.workers = WorkerPool(
            settings, database_url, bootstrap, workers, empty_broker=empty_broker
        )
        task = asyncio.create_task(app.state.workers.run())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await app.state.pool.close()

    app = FastAPI(title="Argus", version="0.1.0", lifespan=lifespan,
                  openapi_url=None, docs_url=None, redoc_url=None)  # fmt: skip
    app.include_router(batches_router, dependencies=[Depends(require_api_key)])
    app.include_router(chat_router, dependencies=[Depends(require_api_key)])
    app.include_router(stats_router, dependencies=[Depends(require_api_key)])
    _health_routes(app, database_url, bootstrap)
    install_guards(app, settings)  # body caps, 4xx/503 refusals, docs behind the key
    return app


def _workers_check(pool: WorkerPool) -> Check:
    missing = pool.missing_stages()
    if missing:
        return Check("workers", False, f"no live consumer for: {', '.join(missing)} (restarting)")
    return Check("workers", True, f"stages {', '.join(pool.kinds) or 'none'} consuming")


async def _load_report(app: FastAPI, key: Any) -> Any:
    async with app.state.pool.connection() as conn:
        return await batches.get_report(conn, key)


def _health_routes(app: FastAPI, database_url: str, bootstrap: str) -> None:
    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get(
        "/readyz", tags=["health"], response_class=PlainTextResponse,
        responses={503: {"description": "a dependency is down (the body says which)"}},
    )  # fmt: skip
    async def readyz(request: Request) -> PlainTextResponse:
        """PostgreSQL (with pgvector) and Kafka answer, and every stage this process runs has a
        connected consumer."""
        checks = [await check_database(database_url), await check_kafka(bootstrap, timeout_s=3),
                  _workers_check(request.app.state.workers)]  # fmt: skip
        body = "\n".join(f"{c.name}: {'ok' if c.ok else 'DOWN'} {c.detail}" for c in checks)
        return PlainTextResponse(body, status_code=200 if all(c.ok for c in checks) else 503)

    @app.get(
        "/metrics", tags=["health"], dependencies=[Depends(require_api_key)],
        response_class=PlainTextResponse, responses=errors(401),
    )  # fmt: skip
    async def metrics(request: Request) -> PlainTextResponse:
        """Prometheus metrics (batch states read from PostgreSQL at each scrape)."""
        async with request.app.state.pool.connection() as conn:
            for state, n in (await batches.count_by_state(conn)).items():
                BY_STATE.labels(state).set(n)
        return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)
