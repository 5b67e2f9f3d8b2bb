"""What the MCP server needs from the chat (another front door), as a port the service fills."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

from psycopg_pool import AsyncConnectionPool

from argus.config import Settings


class ChatEvent(Protocol):
    """One event of a chat answer."""

    @property
    def event(self) -> str:
        """thread, tool_start, tool_result, token, final or error."""
        ...

    @property
    def data(self) -> dict[str, Any]:
        """Its JSON-ready payload."""
        ...


class Chat(Protocol):
    """The batch chat: one question as a stream of events."""

    def ask(
        self,
        batch: dict[str, Any],
        text: str,
        thread_id: str,
        settings: Settings,
        pool: AsyncConnectionPool[Any],
    ) -> AsyncIterator[ChatEvent]:
        """Answer ``text`` about ``batch`` in thread ``thread_id``."""
        ...

    async def close(self) -> None:
        """Release the chat's connections."""
        ...


#: Opens the chat on a PostgreSQL conninfo (called once, on the first question).
OpenChat = Callable[[str], Awaitable[Chat]]
