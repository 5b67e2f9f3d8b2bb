"""What the HTTP edge needs from the other front doors, as ports the service wiring fills.

The API never imports the chat or the workers (DESIGN.md §2: no front door imports another);
``argus.service.app`` passes in the objects that satisfy these protocols.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Protocol

from psycopg_pool import AsyncConnectionPool

from argus.config import Settings


class Background(Protocol):
    """Work that runs beside the routes in the same process (the stage workers)."""

    @property
    def kinds(self) -> tuple[str, ...]:
        """The stages this process consumes."""
        ...

    async def run(self) -> None:
        """Run until cancelled."""
        ...

    def missing_stages(self) -> list[str]:
        """Stages that have no live consumer right now (``/readyz`` answers 503 then)."""
        ...


class StreamEvent(Protocol):
    """One server-sent event of a chat answer."""

    @property
    def event(self) -> str:
        """The event's name."""
        ...

    @property
    def data(self) -> dict[str, Any]:
        """Its JSON-ready payload."""
        ...


class Chat(Protocol):
    """The batch chat: one question as a stream of events, and a thread's history."""

    def ask(
        self,
        batch: dict[str, Any],
        text: str,
        thread_id: str,
        settings: Settings,
        pool: AsyncConnectionPool[Any],
    ) -> AsyncIterator[StreamEvent]:
        """Answer ``text`` about ``batch`` in thread ``thread_id``."""
        ...

    async def history(self, batch_id: object, thread_id: str) -> Sequence[object] | None:
        """The answered turns of a thread, oldest first; None when it does not exist."""
        ...

    async def close(self) -> None:
        """Release the chat's connections."""
        ...


#: Opens the chat on a PostgreSQL conninfo (called once, on the first chat request).
OpenChat = Callable[[str], Awaitable[Chat]]
