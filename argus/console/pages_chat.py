"""A batch's chat page: earlier threads listed (and reopened), a question box, and the answer
streamed in with each tool call shown as it runs (the browser reads the API's SSE answer)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from argus.console.deps import ConnDep, require_session
from argus.console.render import page
from argus.errors import NotFoundError
from argus.store import batches
from argus.store.chat_threads import batch_threads

router = APIRouter(dependencies=[Depends(require_session)])
#: The chat routes' thread id rule (argus.api.schemas_chat.THREAD_ID).
_THREAD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@router.get("/batches/{batch_id}/chat", response_class=HTMLResponse)
async def chat_page(
    request: Request,
    batch_id: uuid.UUID,
    conn: ConnDep,
    thread: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """The chat of a batch; ``thread`` reopens an earlier thread (its turns are loaded)."""
    batch = await batches.get_batch(conn, batch_id)
    if batch is None:
        raise NotFoundError(f"no batch {batch_id}")
    context = {
        "batch": batch,
        "threads": await batch_threads(conn, batch_id),
        "thread": thread if _THREAD.match(thread) else "",
    }
    return page(request, "chat.html", context)
