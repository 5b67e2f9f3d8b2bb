"""``argus serve``: the API and the batch workers on the configured (or embedded) services."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import uvicorn

from argus.config import Settings
from argus.metrics import EMBEDDED_RESTARTS
from argus.runtime.processes import sigterm_as_interrupt
from argus.runtime.services import Services, running_services
from argus.service.app import create_app


async def serve(
    settings: Settings, host: str, port: int, workers: int, say: Callable[[str], None]
) -> None:
    """Start (or reach) PostgreSQL and Kafka, then serve until SIGINT or SIGTERM.

    uvicorn shuts down gracefully on either signal and then raises it again; SIGTERM is made to
    take Ctrl-C's path (cancel, then KeyboardInterrupt), so the services are released first.
    """
    with sigterm_as_interrupt():
        await _serve(settings, host, port, workers, say)


def service_dependencies(settings: Settings) -> contextlib.AbstractAsyncContextManager[Services]:
    """PostgreSQL and Kafka for a long-running process: embedded ones restarted if they die,
    each restart counted in ``argus_embedded_restarts_total``."""
    return running_services(
        settings,
        on_restart=lambda service: EMBEDDED_RESTARTS.labels(service=service).inc(),
    )


async def _serve(
    settings: Settings, host: str, port: int, workers: int, say: Callable[[str], None]
) -> None:
    async with service_dependencies(settings) as services:
        for note in services.started:
            say(f"[dim]{note}[/]")
        if not settings.api_keys:
            say(
                "[yellow]warning:[/] no ARGUS_API_KEYS set: the API is open to anyone "
                "who can reach it"
            )
        app = create_app(settings, services, workers=workers)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning")
        say(f"Argus on http://{host}:{port}: web console at /, API at /api/v1 (OpenAPI at /docs)")
        await uvicorn.Server(config).serve()
