"""Chat routes: ask about a batch (server-sent events) and read a thread's history.

The chat service (checkpointer and graph) is created on first use and kept on the app; this
router's lifespan closes it when the app stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import psycopg
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Request, status
from sse_starlette import EventSourceResponse, ServerSentEvent

from argus.api.deps import ConnDep, SettingsDep, get_conn
from argus.api.routes_batches import existing_batch
from argus.api.schemas import errors
from argus.api.schemas_chat import THREAD_ID, ChatHistory, ChatRequest
from argus.chat.events import ChatEvent
from argus.chat.service import ChatService, Question


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    service = getattr(app.state, "chat", None)
    if service is not None:
        await service.close()


router = APIRouter(
    prefix="/api/v1/batches", tags=["chat"], responses=errors(401), lifespan=_lifespan
)
#: The answer is a stream of server-sent events (not JSON).
STREAM: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "the answer, as events"}
}

#: A connection held only while the route function runs (not while the answer streams).
BriefConnDep = Annotated[psycopg.AsyncConnection[Any], Depends(get_conn, scope="function")]
ThreadId = Annotated[str, Path(pattern=THREAD_ID)]


async def chat_service(app: FastAPI) -> ChatService:
    """The app's chat service, created (checkpoint tables set up) on first use."""
    if getattr(app.state, "chat_lock", None) is None:
        app.state.chat_lock = asyncio.Lock()
    async with app.state.chat_lock:
        if getattr(app.state, "chat", None) is None:
            app.state.chat = await ChatService.open(str(app.state.pool.conninfo))
    service: ChatService = app.state.chat
    return service


@router.post("/{batch_id}/chat", responses={**STREAM, **errors(404)})
async def ask(
    batch_id: uuid.UUID,
    body: ChatRequest,
    request: Request,
    conn: BriefConnDep,
    settings: SettingsDep,
) -> EventSourceResponse:
    """Ask about a batch; the answer streams as events: thread, tool_start, tool_result,
    token, final (or error)."""
    batch = await existing_batch(conn, batch_id)
    service = await chat_service(request.app)
    question = Question(batch, body.question, body.thread_id or uuid.uuid4().hex)
    events = service.ask(question, settings, request.app.state.pool)
    return EventSourceResponse(_sse(events), ping=15)


@router.get("/{batch_id}/chat/{thread_id}", responses=errors(404))
async def history(
    batch_id: uuid.UUID, thread_id: ThreadId, request: Request, conn: ConnDep
) -> ChatHistory:
    """The answered turns of a thread, oldest first."""
    await existing_batch(conn, batch_id)
    turns = await (await chat_service(request.app)).history(batch_id, thread_id)
    if turns is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no chat thread {thread_id} on this batch")
    return ChatHistory.model_validate(
        {"batch_id": batch_id, "thread_id": thread_id, "turns": turns}
    )


async def _sse(events: AsyncIterator[ChatEvent]) -> AsyncIterator[ServerSentEvent]:
    async for event in events:
        yield ServerSentEvent(json.dumps(event.data, ensure_ascii=False), event=event.event)
