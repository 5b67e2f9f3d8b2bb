"""A database holding a diagnosed shop incident with feedback, for the MCP server's tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from argus.config import Settings
from argus.knowledge.categories import Category
from argus.knowledge.embeddings import local_embedder
from argus.knowledge.feedback import Verdict, record_feedback
from argus.store.batches import get_batch
from argus.store.connection import connect
from tests.diagnosed import FAULTY, diagnosed, shop_incident


@dataclass(frozen=True, kw_only=True)
class Incident:
    """Two diagnosed incidents of the shop: the first judged by feedback."""

    source: str
    judged: uuid.UUID  #: the first incident, corrected by feedback
    later: uuid.UUID  #: the same failure again, in a batch of another source


@pytest.fixture
async def incident(settings: Settings, db_url: str) -> Incident:
    source = f"mcp-{uuid.uuid4().hex[:6]}"
    judged = await shop_incident(settings, db_url, source)
    verdict = Verdict(
        correct=False,
        module="payment",
        category=Category.DB_POOL_EXHAUSTION,
        note="pool too small",
        author="oncall",
    )
    async with await connect(db_url) as conn:
        await conn.set_autocommit(True)
        batch = await get_batch(conn, judged)
        assert batch is not None
        await record_feedback(conn, batch, verdict, local_embedder(settings.embedding_model))
    later = await diagnosed(settings, db_url, FAULTY, f"{source}-later")
    return Incident(source=source, judged=judged, later=later)
