"""The FastAPI application: routes, the connection pool, the producer and the stage workers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiokafka import AIOKafkaProducer
from fastapi import Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from argus.api.deps import require_api_key
from argus.api.metrics import BY_STATE
from argus.api.routes_batches import router as batches_router
from argus.api.routes_chat import router as chat_router
from argus.api.routes_stats import router as stats_router
from argus.api.schemas import errors
from argus.api.singleflight import SingleFlight
from argus.config import Settings
from argus.runtime.health import check_database, check_kafka
from argus.store import batches
from argus.store.pool import open_pool
from argus.workers.pool import worker_runs


def create_app(
    settings: Settings, database_url: str, bootstrap: str, *, workers: int = 1
) -> FastAPI:
    """The service, for a database and a broker that are already running and migrated."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.pool = await open_pool(database_url)
        app.state.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await app.state.producer.start()
        app.state.reports = SingleFlight(lambda key: _load_report(app, key))
        runs = worker_runs(settings, database_url, bootstrap, workers)
        tasks = [asyncio.create_task(run) for run in runs]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await app.state.producer.stop()
            await app.state.pool.close()

    app = FastAPI(title="Argus", version="0.1.0", lifespan=lifespan)
    app.include_router(batches_router, dependencies=[Depends(require_api_key)])
    app.include_router(chat_router, dependencies=[Depends(require_api_key)])
    app.include_router(stats_router, dependencies=[Depends(require_api_key)])
    _health_routes(app, database_url, bootstrap)
    return app


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
    async def readyz() -> PlainTextResponse:
        """PostgreSQL (with pgvector) and Kafka answer."""
        checks = [await check_database(database_url), await check_kafka(bootstrap, timeout_s=3)]
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
