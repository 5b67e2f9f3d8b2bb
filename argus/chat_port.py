"""The batch chat as the front doors that call it see it (the HTTP API, the MCP server): a port
the service wiring fills with :class:`argus.chat.service.ChatService`, so that no front door
imports another (DESIGN.md §2)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from psycopg_pool import AsyncConnectionPool

from argus.batch_rows import BatchRecord
from argus.config import Settings


class StreamEvent(Protocol):
    """One event of a chat answer (thread, tool_start, tool_result, token, final or error)."""

    @property
    def event(self) -> str:
        """The event's name."""
        ...

    @property
    def data(self) -> dict[str, Any]:
        """Its JSON-ready payload."""
        ...


class ChatPort(Protocol):
    """The batch chat: one question as a stream of events."""

    def ask(
        self,
        batch: BatchRecord,
        text: str,
        thread_id: str,
        settings: Settings,
        pool: AsyncConnectionPool[Any],
    ) -> AsyncIterator[StreamEvent]:
        """Answer ``text`` about ``batch`` in thread ``thread_id``."""
        ...

    async def close(self) -> None:
        """Release the chat's connections."""
        ...
