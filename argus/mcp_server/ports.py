"""What the MCP server needs from the chat (another front door), as a port the service fills."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from argus.chat_port import ChatPort as Chat

__all__ = ["Chat", "OpenChat"]

#: Opens the chat on a PostgreSQL conninfo (called once, on the first question).
OpenChat = Callable[[str], Awaitable[Chat]]
