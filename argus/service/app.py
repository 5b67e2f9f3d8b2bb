"""The whole HTTP service of one process: the API with the stage workers beside it and the chat
behind it (the API itself knows them only as ports, ``argus.api.ports``)."""

from __future__ import annotations

from fastapi import FastAPI

from argus.api.app import api_app
from argus.api.ports import Chat
from argus.chat.service import ChatService
from argus.config import Settings
from argus.workers.pool import WorkerPool


def create_app(
    settings: Settings, database_url: str, bootstrap: str, *, workers: int = 1,
    empty_broker: bool = False,
) -> FastAPI:  # fmt: skip
    """The service, for a database and a broker that are already running and migrated:
    ``workers`` consumers per stage run beside the routes; ``empty_broker``: the broker has just
    started empty (see ``Services.empty_broker``)."""
    pool = WorkerPool(settings, database_url, bootstrap, workers, empty_broker=empty_broker)
    return api_app(settings, database_url, bootstrap, background=pool, open_chat=_open_chat)


async def _open_chat(conninfo: str) -> Chat:
    return await ChatService.open(conninfo)
