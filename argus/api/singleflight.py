"""Single-flight reads: concurrent readers of one key share one query."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """Runs ``load(key)`` once for all callers that ask for ``key`` while it is in flight."""

    def __init__(self, load: Callable[[uuid.UUID], Awaitable[T]]) -> None:
        self._load = load
        self._inflight: dict[uuid.UUID, asyncio.Future[T]] = {}
        self.loads = 0  #: queries actually run

    async def get(self, key: uuid.UUID) -> T:
        """The value for ``key``: joins a running load, or starts one."""
        running = self._inflight.get(key)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            self.loads += 1
            value = await self._load(key)
            future.set_result(value)
            return value
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            del self._inflight[key]
