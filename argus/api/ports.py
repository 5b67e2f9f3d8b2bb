"""What the HTTP edge needs from the other front doors, as ports the service wiring fills.

The API never imports the chat or the workers (DESIGN.md §2: no front door imports another);
``argus.service.app`` passes in the objects that satisfy these protocols.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from argus.chat_port import ChatPort


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


class Chat(ChatPort, Protocol):
    """The batch chat: one question as a stream of events, and a thread's history."""

    async def history(self, batch_id: object, thread_id: str) -> Sequence[object] | None:
        """The answered turns of a thread, oldest first; None when it does not exist."""
        ...


#: Opens the chat on a PostgreSQL conninfo (called once, on the first chat request).
OpenChat = Callable[[str], Awaitable[Chat]]
