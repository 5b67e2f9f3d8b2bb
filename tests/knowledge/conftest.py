"""Fixtures of the knowledge tests: one migrated database, the real model, a tiny fake model."""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest

from argus.config import BUNDLED_EMBEDDING_MODEL
from argus.knowledge.embeddings import LocalEmbedder, local_embedder
from argus.knowledge.entry import KnowledgeEntry
from argus.knowledge.loaded import LoadedEntry
from argus.store.connection import connect
from tests.conftest import migrated_database


@pytest.fixture(scope="session")
async def kb_url(pg_url: str) -> str:
    """A migrated database shared by the knowledge tests (they isolate by unique platforms)."""
    return await migrated_database(pg_url, "argus_kb_test")


@pytest.fixture
async def conn(kb_url: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A connection to the shared knowledge database."""
    connection = await connect(kb_url)
    yield connection
    await connection.close()


@pytest.fixture(scope="session")
def embedder() -> LocalEmbedder:
    """The real bundled all-MiniLM-L6-v2, loaded once."""
    return local_embedder(BUNDLED_EMBEDDING_MODEL)


@pytest.fixture
def tag() -> str:
    """A short unique marker to keep a test's entries apart from the others'."""
    return uuid.uuid4().hex[:8]


class FakeEmbedder:
    """A deterministic bag-of-words embedder of a chosen dimension (another "model")."""

    def __init__(self, name: str = "fake-bow", dimension: int = 8) -> None:
        self.name = name
        self.dimension = dimension
        self.calls: list[str] = []

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Hash each word into a bucket; normalise."""
        self.calls.extend(texts)
        out = []
        for text in texts:
            vec = [0.0] * self.dimension
            for word in re.findall(r"\w+", text.lower()) or ["empty"]:
                bucket = int(hashlib.sha1(word.encode()).hexdigest(), 16) % self.dimension
                vec[bucket] += 1.0
            norm = math.sqrt(sum(x * x for x in vec))
            out.append([x / norm for x in vec])
        return out


def entry(source_id: str, **fields: Any) -> LoadedEntry:
    """A loaded entry with defaults for the required text fields."""
    data = {"symptom": f"symptom of {source_id}", "solution": "fix it", **fields}
    return LoadedEntry(
        entry=KnowledgeEntry(source_id=source_id, **data), location=f"test:{source_id}"
    )
