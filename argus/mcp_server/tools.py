"""What the MCP tools do, over one connection pool: list batches, read a batch's report,
statistics and templates, search the knowledge base and past incidents, ask the chat, and
(when enabled) diagnose files from the configured folder."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psycopg_pool import AsyncConnectionPool

from argus.batch_rows import BatchRecord
from argus.batch_status import BatchStatus
from argus.config import Settings
from argus.errors import InputError, NotFoundError
from argus.knowledge.embeddings import Embedder, make_embedder
from argus.knowledge.filters import SearchFilters
from argus.knowledge.incidents import incident_text, similar_incidents
from argus.knowledge.search import hybrid_search
from argus.mcp_server.models import (
    BatchItem,
    BatchList,
    BatchReport,
    ChatAnswer,
    Diagnosis,
    Incident,
    Incidents,
    KnowledgeHit,
    KnowledgeResult,
)
from argus.mcp_server.ports import Chat, OpenChat
from argus.pipeline.batch_views import (
    StatisticsView,
    TemplatesView,
    batch_statistics,
    batch_templates,
)
from argus.pipeline.diagnose import BatchRequest, diagnose_batch
from argus.report import Report
from argus.store import batch_list, batches, feedback
from argus.store.batch_list import BatchFilter


@dataclass(kw_only=True)
class ArgusTools:
    """The operations behind the MCP tools (one per server process)."""

    settings: Settings
    database_url: str
    pool: AsyncConnectionPool[Any]
    open_chat: OpenChat
    chat: Chat | None = None
    embedder: Embedder | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def close(self) -> None:
        """Close the chat, if it was opened (the pool is the caller's)."""
        if self.chat is not None:
            await self.chat.close()

    async def list_batches(
        self, states: list[BatchStatus], source: str | None, labels: dict[str, str], limit: int
    ) -> BatchList:
        """Batches newest first, in any of ``states``, of ``source``, carrying every label."""
        which = BatchFilter(states=tuple(states), source=source, labels=list(labels.items()))
        async with self.pool.connection() as conn:
            page = await batch_list.list_batches(conn, which, limit=limit, after=None)
        return BatchList(batches=[BatchItem.of(r) for r in page.rows], more=page.more)

    async def report(self, batch_id: uuid.UUID) -> BatchReport:
        """The batch's diagnosis report; NotFoundError until it has one."""
        async with self.pool.connection() as conn:
            stored = await batches.get_report(conn, batch_id)
        if stored is None:
            raise NotFoundError(
                f"batch {batch_id} has no report (no such batch, or not diagnosed yet)"
            )
        return BatchReport(batch_id=batch_id, report=Report.model_validate(stored))

    async def statistics(self, batch_id: uuid.UUID, limit: int) -> StatisticsView:
        """The batch's statistics against its default baseline (NotReadyError until parsed)."""
        batch = await self._batch(batch_id)
        return await asyncio.to_thread(
            batch_statistics, self.settings, self.database_url, batch, limit
        )

    async def templates(self, batch_id: uuid.UUID, limit: int) -> TemplatesView:
        """The templates the batch matched most (NotReadyError until parsed)."""
        batch = await self._batch(batch_id)
        return await asyncio.to_thread(batch_templates, self.database_url, batch, limit)

    async def search_knowledge(
        self,
        query: str,
        *,
        module: str | None,
        category: str | None,
        platform: str | None,
        error_code: str | None,
        limit: int,
    ) -> KnowledgeResult:
        """Hybrid knowledge search under hard filters (InputError for an unknown category)."""
        filters = SearchFilters.build(
            error_code=error_code, platform=platform, module=module, category=category
        )
        embedder = await self._embedder()
        async with self.pool.connection() as conn:
            result = await hybrid_search(
                conn, query, embedder=embedder, filters=filters, limit=limit
            )
        return KnowledgeResult(
            hits=[KnowledgeHit.of(h) for h in result.hits], filters=result.filters
        )

    async def similar(self, batch_id: uuid.UUID | None, text: str | None, limit: int) -> Incidents:
        """Past diagnoses closest to a batch's diagnosis (itself left out) or to ``text``, each
        with the truth of its latest feedback."""
        if (batch_id is None) == (text is None or not text.strip()):
            raise InputError("give either a batch_id or a text")
        if batch_id is not None:
            query = incident_text(
                None, (await self.report(batch_id)).report.model_dump(mode="json")
            )
        else:
            query = text
        if not query:
            return Incidents(incidents=[])
        embedder = await self._embedder()
        async with self.pool.connection() as conn:
            hits = await similar_incidents(
                conn, text=query, embedder=embedder, limit=limit, exclude_batch=batch_id
            )
            truths = await feedback.latest_by_batch(conn, [uuid.UUID(h.batch_id) for h in hits])
        return Incidents(
            incidents=[Incident.of(h, truths.get(uuid.UUID(h.batch_id))) for h in hits]
        )

    async def ask(self, batch_id: uuid.UUID, question: str, thread_id: str | None) -> ChatAnswer:
        """Ask the batch's chat one question (the rule path needs no LLM); the final answer."""
        batch = await self._batch(batch_id)
        chat = await self._chat()
        thread = thread_id or uuid.uuid4().hex
        async for event in chat.ask(batch, question, thread, self.settings, self.pool):
            if event.event == "error":
                raise InputError(str(event.data.get("message")), hint=event.data.get("hint"))
            if event.event == "final":
                data = event.data
                return ChatAnswer(
                    batch_id=batch_id,
                    thread_id=thread,
                    answer=str(data.get("answer", "")),
                    mode=str(data.get("mode", "")),
                    tools=[str(t) for t in data.get("tools", [])],
                )
        raise InputError("the chat ended without an answer", hint="ask again")

    async def diagnose(
        self, files: list[str], source: str, labels: dict[str, str], log_format: str | None
    ) -> Diagnosis:
        """Diagnose files of the configured folder as a new batch (both passes, the graph)."""
        paths = [inbox_path(self.settings.mcp_files_root, name) for name in files]
        request = BatchRequest(paths=paths, log_format=log_format, source=source, labels=labels)
        result = await diagnose_batch(self.settings, self.database_url, request)
        return Diagnosis(batch_id=result.batch_id, report=result.report, notes=result.errors)

    async def _batch(self, batch_id: uuid.UUID) -> BatchRecord:
        async with self.pool.connection() as conn:
            found = await batches.get_batch(conn, batch_id)
        if found is None:
            raise NotFoundError(f"no batch {batch_id}")
        return found

    async def _embedder(self) -> Embedder:
        async with self.lock:
            if self.embedder is None:
                self.embedder = await asyncio.to_thread(make_embedder, self.settings)
            return self.embedder

    async def _chat(self) -> Chat:
        async with self.lock:
            if self.chat is None:
                self.chat = await self.open_chat(str(self.pool.conninfo))
            return self.chat


def inbox_path(root: Path, name: str) -> Path:
    """The file ``name`` (relative) inside ``root``; InputError for a path that leaves it or
    is not a file. Names come from the assistant (untrusted): no absolute paths, no ``..``."""
    base = root.resolve()
    candidate = (base / name).resolve()
    if Path(name).is_absolute() or not candidate.is_relative_to(base):
        raise InputError(f"{name!r} is outside the files folder", hint=f"name a file in {base}")
    if not candidate.is_file():
        raise InputError(f"no file {name!r} in {base}")
    return candidate
