"""The application's state: one typed object, built and torn down by the app's one lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from psycopg_pool import AsyncConnectionPool

from argus.api.ports import Background, Chat, OpenChat
from argus.api.singleflight import SingleFlight
from argus.config import Settings
from argus.knowledge.embeddings import Embedder, make_embedder
from argus.report import Report
from argus.runtime.services import Services
from argus.store import batches
from argus.store.pool import open_pool


@dataclass(kw_only=True)
class AppState:
    """What the routes share while the app serves (one per app, set by its lifespan)."""

    settings: Settings
    services: Services  #: PostgreSQL (with pgvector, migrated) and the Kafka broker
    pool: AsyncConnectionPool  #: the routes' connections
    reports: SingleFlight[Report | None]  #: stored reports; concurrent readers share one query
    workers: Background  #: this process's stage consumers, publisher and sweep
    open_chat: OpenChat  #: opens the chat on the first chat request
    chat: Chat | None = None  #: opened on first use (chat_service)
    chat_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    embedder: Embedder | None = None  #: loaded on first use (embedding)
    embedder_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def chat_service(self) -> Chat:
        """The chat service, opened (checkpoint tables set up) by its first caller only."""
        async with self.chat_lock:
            if self.chat is None:
                self.chat = await self.open_chat(str(self.pool.conninfo))
            return self.chat

    async def embedding(self) -> Embedder:
        """The configured embedding model, loaded (off the event loop) by its first caller
        only; EmbeddingUnavailable (503) when it cannot be loaded."""
        async with self.embedder_lock:
            if self.embedder is None:
                self.embedder = await asyncio.to_thread(make_embedder, self.settings)
            return self.embedder


@contextlib.asynccontextmanager
async def app_state(
    settings: Settings,
    services: Services,
    *,
    background: Background,
    open_chat: OpenChat,
) -> AsyncIterator[AppState]:
    """The state of a serving app: the pool opened, the workers running; on exit the chat
    service, the workers and then the pool are closed, in that order."""
    pool = await open_pool(
        services.database_url, acquire_timeout_s=settings.limits.db_acquire_timeout_s
    )

    async def load_report(batch_id: uuid.UUID) -> Report | None:
        async with pool.connection() as conn:
            stored = await batches.get_report(conn, batch_id)
        return None if stored is None else Report.model_validate(stored)

    state = AppState(
        settings=settings,
        services=services,
        pool=pool,
        reports=SingleFlight(load_report),
        workers=background,
        open_chat=open_chat,
    )
    task = asyncio.create_task(state.workers.run())
    try:
        yield state
    finally:
        if state.chat is not None:
            await state.chat.close()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await pool.close()
