"""The chat of a service: the checkpointer and graph (one per app), one question as events,
and a thread's history."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from psycopg_pool import AsyncConnectionPool

from argus.batch_rows import BatchRecord
from argus.chat.checkpoint import open_saver, thread_turn
from argus.chat.context import ChatContext
from argus.chat.data import BatchData
from argus.chat.events import ChatEvent
from argus.chat.graph import build_chat_graph
from argus.chat.llm import open_chat_llm
from argus.chat.state import Turn
from argus.chat.tools import chat_tools
from argus.chat.turn import run_turn, thread_config, turns_of
from argus.config import Settings
from argus.errors import ArgusError
from argus.graph.inputs import knowledge_hits
from argus.knowledge.embeddings import Embedder, make_embedder
from argus.knowledge.search import SearchHit
from argus.llm.usage import Usage, UsageLimits
from argus.report import Report
from argus.store import batches

log = logging.getLogger(__name__)

UNEXPECTED = {
    "type": "InternalError",
    "message": "the chat failed unexpectedly (see the service log)",
    "hint": "ask again; report the problem if it persists",
}


@dataclass(frozen=True, kw_only=True)
class Question:
    """One question about a batch, in a thread."""

    batch: BatchRecord  #: the batch with its files (argus.store.batches.get_batch)
    text: str  #: the question
    thread_id: str  #: the conversation it belongs to


def thread_key(batch_id: object, thread_id: str) -> str:
    """The checkpointer's thread id: threads are private to their batch."""
    return f"{batch_id}/{thread_id}"


class ChatService:
    """The chat graph with its PostgreSQL checkpointer (the LLM's circuit breaker is shared per
    endpoint with the diagnoses: argus.llm.client.endpoint_breaker)."""

    def __init__(
        self, saver: BaseCheckpointSaver[Any], saver_pool: AsyncConnectionPool[Any]
    ) -> None:
        self.graph = build_chat_graph(saver)
        self._saver_pool = saver_pool
        self._embedder: Embedder | None = None  #: made on the first knowledge search

    @classmethod
    async def open(cls, conninfo: str) -> ChatService:
        """Set up the checkpoint tables on ``conninfo`` and compile the graph."""
        saver, pool = await open_saver(conninfo)
        return cls(saver, pool)

    async def close(self) -> None:
        """Close the checkpointer's connections (and a remote embedder's client)."""
        await self._saver_pool.close()
        close = getattr(self._embedder, "close", None)
        if close is not None:
            close()

    async def embedder(self, settings: Settings) -> Embedder:
        """The configured embedder, made once per service (the local model loads once)."""
        if self._embedder is None:
            self._embedder = await asyncio.to_thread(make_embedder, settings)
        return self._embedder

    async def ask(
        self,
        batch: BatchRecord,
        text: str,
        thread_id: str,
        settings: Settings,
        pool: AsyncConnectionPool[Any],
    ) -> AsyncIterator[ChatEvent]:
        """Answer ``text`` about ``batch`` (its row with files, argus.store.batches.get_batch) in
        thread ``thread_id``: thread, tool_start/tool_result, token... and final (or error)."""
        question = Question(batch=batch, text=text, thread_id=thread_id)
        yield ChatEvent(
            event="thread",
            data={"thread_id": question.thread_id, "batch_id": str(question.batch.batch_id)},
        )
        try:
            async for event in self._answer(question, settings, pool):
                yield event
        except ArgusError as exc:
            yield ChatEvent(
                event="error",
                data={"type": type(exc).__name__, "message": exc.message, "hint": exc.hint},
            )
        except Exception:  # the stream has started: report the failure as an event
            log.exception("chat on batch %s failed", question.batch.batch_id)
            yield ChatEvent(event="error", data=UNEXPECTED)

    async def history(self, batch_id: object, thread_id: str) -> list[Turn] | None:
        """The answered turns of a thread, oldest first; None when the thread does not exist."""
        config = thread_config(thread_key(batch_id, thread_id))
        if not (await self.graph.aget_state(config)).values:
            return None
        return await turns_of(self.graph, config)

    async def _answer(
        self, question: Question, settings: Settings, pool: AsyncConnectionPool[Any]
    ) -> AsyncIterator[ChatEvent]:
        limits, usage = UsageLimits.from_settings(settings.limits), Usage()
        data = await _batch_data(question.batch, settings, pool, self.embedder)
        key = thread_key(data.batch_id, question.thread_id)
        async with (
            thread_turn(str(pool.conninfo), key),  # one turn at a time per thread, any process
            open_chat_llm(settings, limits, usage) as (llm, note),
        ):
            ctx = ChatContext(
                data=data, tools=chat_tools(data), llm=llm, limits=limits, usage=usage, note=note
            )
            async for event in run_turn(self.graph, ctx, question.text, key):
                yield _with_thread(event, question.thread_id)


def _with_thread(event: ChatEvent, thread_id: str) -> ChatEvent:
    if event.event != "final":
        return event
    return ChatEvent(event="final", data={**event.data, "thread_id": thread_id})


async def _batch_data(
    batch: BatchRecord,
    settings: Settings,
    pool: AsyncConnectionPool[Any],
    embedder: Callable[[Settings], Awaitable[Embedder]],
) -> BatchData:
    async with pool.connection() as conn:
        stored = await batches.get_report(conn, batch.batch_id)
    report = Report.model_validate(stored) if stored is not None else None
    scope = {key: batch.labels.get(key) for key in ("platform", "firmware")}

    async def search(text: str, module: str | None) -> list[SearchHit]:
        """Hybrid search under the batch's platform and firmware (hard filters), like diagnosis."""
        model = await embedder(settings)
        async with pool.connection() as conn:
            return await knowledge_hits(conn, model)(text, {**scope, "module": module})

    return BatchData(
        batch=batch, report=report, conninfo=str(pool.conninfo), search=search, settings=settings
    )
