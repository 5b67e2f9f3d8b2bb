"""The knowledge base an eval run searches: the configured or embedded PostgreSQL, seeded with
the starter pack when it is empty, so that cases listing ``knowledge_ids`` can be scored."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from argus.config import Settings
from argus.knowledge.embeddings import LocalEmbedder, local_embedder
from argus.knowledge.pack import seed_starter_pack_if_empty
from argus.runtime.services import running_database
from argus.store.connection import connect


@dataclass(frozen=True, kw_only=True)
class EvalKnowledge:
    """Where the graph's knowledge searches go during an eval."""

    database_url: str  #: libpq URL of the knowledge base
    embedder: LocalEmbedder  #: the embedding model of the knowledge base


@contextlib.asynccontextmanager
async def eval_knowledge(settings: Settings) -> AsyncIterator[EvalKnowledge]:
    """Start (or attach to) the database, seed the starter pack if empty, and yield it."""
    async with running_database(settings) as database:
        embedder = await asyncio.to_thread(local_embedder, settings.embedding_model)
        async with await connect(database.url) as conn:
            await seed_starter_pack_if_empty(conn, embedder)
        yield EvalKnowledge(database_url=database.url, embedder=embedder)
