"""Thread history in PostgreSQL (langgraph-checkpoint-postgres) outlives the service."""

from __future__ import annotations

import uuid

import pytest

from argus.chat.service import ChatService, thread_key
from tests.chat.fakes import ask, context

pytestmark = pytest.mark.integration


async def test_turns_are_kept_in_postgresql(db_url: str) -> None:
    thread = uuid.uuid4().hex
    service = await ChatService.open(db_url)
    try:
        await ask(service.graph, context(), "Which module is failing?", thread_key("b-1", thread))
        await ask(service.graph, context(), "tell me more", thread_key("b-1", thread))
    finally:
        await service.close()
    reopened = await ChatService.open(db_url)  # setup() again is harmless
    try:
        turns = await reopened.history("b-1", thread)
        assert turns is not None
        assert [t["question"] for t in turns] == ["Which module is failing?", "tell me more"]
        assert all(t["mode"] == "rule" for t in turns)
        assert await reopened.history("b-2", thread) is None  # threads are private to a batch
    finally:
        await reopened.close()
