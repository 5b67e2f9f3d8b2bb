"""The whole HTTP service of one process: the API and the web console, with the stage workers
beside them and the chat behind the API (the API itself knows them only as ports,
``argus.api.ports``)."""

from __future__ import annotations

from fastapi import FastAPI

from argus.api.app import api_app
from argus.api.ports import Chat
from argus.chat.service import ChatService
from argus.config import Settings
from argus.console.app import console_app
from argus.runtime.services import Services
from argus.workers.pool import WorkerPool


def create_app(settings: Settings, services: Services, *, workers: int = 1) -> FastAPI:
    """The service, on a database and a broker that are already running and migrated:
    ``workers`` consumers per stage run beside the routes (0: only the outbox publisher and the
    sweep); the web console answers under ``/`` every path the API does not."""
    pool = WorkerPool(settings, services, workers)
    app = api_app(settings, services, background=pool, open_chat=_open_chat)
    app.mount("/", console_app(settings))  # last: every API route is matched before it
    return app


async def _open_chat(conninfo: str) -> Chat:
    return await ChatService.open(conninfo)
