"""The FastAPI application: routes, and one lifespan that builds the app's state (connection
pool, report single-flight, this process's workers, the chat service on first use)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from argus.api.deps import StateDep, require_api_key
from argus.api.guards import install_guards
from argus.api.ports import Background, OpenChat
from argus.api.routes_batches import router as batches_router
from argus.api.routes_chat import router as chat_router
from argus.api.routes_descriptions import router as descriptions_router
from argus.api.routes_eval_runs import router as eval_runs_router
from argus.api.routes_knowledge import router as knowledge_router
from argus.api.routes_stats import router as stats_router
from argus.api.schemas import errors
from argus.api.state import AppState, app_state
from argus.config import Settings
from argus.metrics import BY_STATE
from argus.runtime.health import Check, check_database, check_kafka
from argus.runtime.services import Services
from argus.store import batches


def api_app(
    settings: Settings,
    services: Services,
    *,
    background: Background,
    open_chat: OpenChat,
) -> FastAPI:
    """The HTTP API for a database and a broker that are already running and migrated;
    ``background`` runs beside the routes for the app's lifetime, ``open_chat`` opens the chat
    on first use (``argus.service.app`` passes the stage workers and the chat service)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, AppState]]:
        async with app_state(
            settings, services, background=background, open_chat=open_chat
        ) as state:
            yield {"argus": state}  # each request's ``request.state.argus`` (deps.get_state)

    app = FastAPI(
        title="Argus",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.include_router(batches_router, dependencies=[Depends(require_api_key)])
    app.include_router(chat_router, dependencies=[Depends(require_api_key)])
    app.include_router(stats_router, dependencies=[Depends(require_api_key)])
    app.include_router(knowledge_router, dependencies=[Depends(require_api_key)])
    app.include_router(descriptions_router, dependencies=[Depends(require_api_key)])
    app.include_router(eval_runs_router, dependencies=[Depends(require_api_key)])
    _health_routes(app)
    install_guards(app, settings)  # body caps, 4xx/503 refusals, docs behind the key
    return app


def _workers_check(pool: Background) -> Check:
    missing = pool.missing_stages()
    if missing:
        return Check(
            name="workers",
            ok=False,
            detail=f"no live consumer for: {', '.join(missing)} (restarting)",
        )
    return Check(
        name="workers", ok=True, detail=f"stages {', '.join(pool.kinds) or 'none'} consuming"
    )


def _health_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        response_class=PlainTextResponse,
        responses={503: {"description": "a dependency is down (the body says which)"}},
    )
    async def readyz(state: StateDep) -> PlainTextResponse:
        """PostgreSQL (with pgvector) and Kafka answer, and every stage this process runs has a
        connected consumer."""
        checks = [
            await check_database(state.services.database_url),
            await check_kafka(state.services.kafka_bootstrap, timeout_s=3),
            _workers_check(state.workers),
        ]
        body = "\n".join(f"{c.name}: {'ok' if c.ok else 'DOWN'} {c.detail}" for c in checks)
        return PlainTextResponse(body, status_code=200 if all(c.ok for c in checks) else 503)

    @app.get(
        "/metrics",
        tags=["health"],
        dependencies=[Depends(require_api_key)],
        response_class=PlainTextResponse,
        responses=errors(401),
    )
    async def metrics(state: StateDep) -> PlainTextResponse:
        """Prometheus metrics (batch states read from PostgreSQL at each scrape; every state
        is labelled, 0 when no batch is in it)."""
        async with state.pool.connection() as conn:
            for batch_state, n in (await batches.count_by_state(conn)).items():
                BY_STATE.labels(batch_state).set(n)
        return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)
