"""Chat routes: ask about a batch (server-sent events) and read a thread's history.

The chat service (checkpointer and graph) is opened on first use and kept on the app's state
(``AppState.chat_service``); the app's lifespan closes it when the app stops.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Path
from sse_starlette import EventSourceResponse, ServerSentEvent

from argus.api.deps import BatchDep, BriefBatchDep, SettingsDep, StateDep
from argus.api.schemas import errors
from argus.api.schemas_chat import THREAD_ID, ChatHistory, ChatRequest
from argus.chat_port import StreamEvent
from argus.errors import NotFoundError

router = APIRouter(prefix="/api/v1/batches", tags=["chat"], responses=errors(401))
#: The answer is a stream of server-sent events (not JSON).
STREAM: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "the answer, as events"}
}

ThreadId = Annotated[str, Path(pattern=THREAD_ID)]


@router.post("/{batch_id}/chat", responses={**STREAM, **errors(404)})
async def ask(
    batch: BriefBatchDep, body: ChatRequest, state: StateDep, settings: SettingsDep
) -> EventSourceResponse:
    """Ask about a batch; the answer streams as events: thread, tool_start, tool_result,
    token, final (or error)."""
    service = await state.chat_service()
    thread_id = body.thread_id or uuid.uuid4().hex
    events = service.ask(batch, body.question, thread_id, settings, state.pool)
    return EventSourceResponse(_sse(events), ping=15)


@router.get("/{batch_id}/chat/{thread_id}", responses=errors(404))
async def history(batch: BatchDep, thread_id: ThreadId, state: StateDep) -> ChatHistory:
    """The answered turns of a thread, oldest first."""
    batch_id = batch.batch_id
    turns = await (await state.chat_service()).history(batch_id, thread_id)
    if turns is None:
        raise NotFoundError(f"no chat thread {thread_id} on this batch")
    return ChatHistory.model_validate(
        {"batch_id": batch_id, "thread_id": thread_id, "turns": turns}
    )


async def _sse(events: AsyncIterator[StreamEvent]) -> AsyncIterator[ServerSentEvent]:
    async for event in events:
        yield ServerSentEvent(json.dumps(event.data, ensure_ascii=False), event=event.event)
